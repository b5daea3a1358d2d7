"""The last steps of the pipeline, as components: the article's subject, relations, indicators.

`kg_subject` sets `doc._.kg_subject` from the title and the named mentions; `kg_relations` and
`kg_indicators` call `kg.extract.relations.find_relations` and
`kg.extract.indicators.find_indicators` with the text, its sentences, the mentions and the
subject, and leave their results (evidence in normalized offsets) on the doc.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import sentence_bounds
from kg.extract.subject import article_subject
from kg.extract.tokenizer import text_of


@Language.factory("kg_subject")
def make_subject_finder(nlp: Language, name: str) -> object:
    def find_subject(doc: Doc) -> Doc:
        title_end = doc._.kg_title_end or 0
        doc._.kg_subject = article_subject(text_of(doc)[:title_end], doc._.kg_mentions or [])
        return doc

    return find_subject


@Language.factory("kg_relations")
def make_relation_finder(nlp: Language, name: str) -> object:
    from kg.extract.relations import find_relations

    def relations(doc: Doc) -> Doc:
        doc._.kg_relations = find_relations(
            text_of(doc), sentence_bounds(doc), doc._.kg_mentions or [], doc._.kg_subject
        )
        return doc

    return relations


@Language.factory("kg_indicators")
def make_indicator_finder(nlp: Language, name: str) -> object:
    from kg.extract.indicators import find_indicators

    def indicators(doc: Doc) -> Doc:
        doc._.kg_indicators = find_indicators(
            text_of(doc),
            sentence_bounds(doc),
            doc._.kg_mentions or [],
            doc._.kg_subject,
            doc._.kg_date,
        )
        return doc

    return indicators

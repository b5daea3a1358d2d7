"""The extraction pipeline: articles in; `Extraction`s (entities, relations, indicators with
evidence in original-text offsets) out.

The pipeline is a spaCy `Language` for Chinese built from `config.cfg` beside this module: the
rjieba tokenizer, then registered components (`kg_gazetteer`, `kg_patterns`, ... `kg_indicators`)
that leave their results on `Doc` extensions (`doc._.kg_mentions`, `kg_entities`, `kg_subject`,
`kg_relations`, `kg_indicators`). Components work in normalized-text offsets; `to_extraction`
turns every piece of evidence into the article's original text at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import load_config, load_model_from_config

from kg.extract import (  # noqa: F401
    aliases,
    candidates,
    enumerations,
    gazetteer_ruler,
    patterns,
    persons,
    quoted,
    resolve,
    steps,
    tokenizer,
)
from kg.extract.candidates import sentence_bounds, sentence_of
from kg.extract.entities import EntityDraft, clean_name

# Importing the component modules registers their factories with spaCy.
from kg.extract.tokenizer import text_of
from kg.model import Article, Entity, Evidence, Extraction, Indicator, Relation
from kg.normalize import Normalized, normalize_text, strip_pinyin, to_simplified

CONFIG = Path(__file__).resolve().parent / "config.cfg"


def build_pipeline(config_path: Path | str | None = None) -> Language:
    """A new pipeline from `config_path` (default: the packaged config.cfg)."""
    config = load_config(Path(config_path) if config_path else CONFIG)
    if "kg_statistical_ner" in config["nlp"]["pipeline"]:
        # The trained recogniser registers its factory when imported; it is optional because
        # its model is built by `make model`.
        import kg.extract.statistical  # noqa: F401
    return load_model_from_config(config, auto_fill=True, validate=True)


@cache
def default_pipeline() -> Language:
    """The packaged pipeline, built once per process."""
    return build_pipeline()


def article_doc(nlp: Language, article: Article) -> tuple[Doc, Normalized]:
    """The tokenized doc of an article's normalized text, with its title and date set."""
    normalized = normalize_text(article.full_text)
    doc = nlp.make_doc(normalized.text)
    title_end = 0
    if article.title:
        # The title is the first line of full_text; normalizing may drop characters of it.
        title_end = min(len(text_of(doc)), _normalized_offset(normalized, len(article.title)))
    doc._.kg_title_end = title_end
    doc._.kg_date = article.date
    return doc, normalized


def _normalized_offset(normalized: Normalized, original_offset: int) -> int:
    """The first normalized index whose original index is at or after `original_offset`."""
    lo, hi = 0, len(normalized.text)
    while lo < hi:
        mid = (lo + hi) // 2
        if normalized.original_index(mid) < original_offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


def extract_articles(
    articles: Iterable[Article], nlp: Language | None = None, batch_size: int = 64
) -> Iterator[Extraction]:
    """The extraction of each article, in input order, batched through `nlp.pipe`."""
    nlp = nlp or default_pipeline()
    pending: list[tuple[Article, Normalized]] = []

    def docs() -> Iterator[Doc]:
        for article in articles:
            doc, normalized = article_doc(nlp, article)
            pending.append((article, normalized))
            yield doc

    for doc in nlp.pipe(docs(), batch_size=batch_size):
        article, normalized = pending.pop(0)
        yield to_extraction(article, normalized, doc)


# ---------------------------------------------------------------- evidence in original text


def to_extraction(article: Article, normalized: Normalized, doc: Doc) -> Extraction:
    """The doc's entities, relations and indicators with evidence quoted from the original."""
    sentences = sentence_bounds(doc)

    def evidence(start: int, end: int, component: str, confidence: float) -> Evidence:
        s_start, s_end = sentence_of(sentences, start)
        a, b = normalized.original_span(start, end)
        return Evidence(
            sentence=normalized.original_text(s_start, s_end),
            start=a,
            end=b,
            component=component,
            confidence=round(confidence, 3),
        )

    drafts: list[EntityDraft] = doc._.kg_entities or []
    written = _as_written_names(normalized, doc, drafts)

    def as_written(name: str) -> str:
        return written.get(name, name)

    entities = tuple(
        Entity(
            type=d.type,
            name=as_written(d.name),
            aliases=tuple(dict.fromkeys(as_written(a) for a in d.aliases)),
            evidence=tuple(evidence(m.start, m.end, m.component, m.confidence) for m in d.mentions),
        )
        for d in drafts
    )
    relations = tuple(
        Relation(
            subject=as_written(r.subject),
            predicate=r.predicate,
            object=as_written(r.object),
            role=r.role,
            evidence=tuple(_moved(e, evidence, text_of(doc)) for e in r.evidence),
        )
        for r in (doc._.kg_relations or [])
    )
    indicators = tuple(
        Indicator(
            subject=as_written(i.subject),
            name=i.name,
            value=i.value,
            unit=i.unit,
            comparator=i.comparator,
            year=i.year,
            kind=i.kind,
            evidence=tuple(_moved(e, evidence, text_of(doc)) for e in i.evidence),
        )
        for i in (doc._.kg_indicators or [])
    )
    return Extraction(
        article=article, entities=entities, relations=relations, indicators=indicators
    )


def _as_written_names(
    normalized: Normalized, doc: Doc, drafts: list[EntityDraft]
) -> dict[str, str]:
    """Names as the article wrote them where normalizing changed more than the script.

    Normalizing folds full-width forms (（滨江） -> (滨江)) for the recognisers; names keep the
    article's own forms (simplified, without inserted pinyin), as the gold format asks.
    """
    table: dict[str, str] = {}
    for draft in drafts:
        for m in draft.mentions:
            surface = text_of(doc)[m.start : m.end]
            if not any(ord(c) < 128 for c in surface):
                continue  # folding only ever gives ASCII
            original = to_simplified(strip_pinyin(normalized.original_text(m.start, m.end)))
            if len(original) == len(surface) and original != surface:
                table.setdefault(clean_name(surface), clean_name(original))
    return table


def _moved(ev: Evidence, evidence: object, text: str) -> Evidence:
    """Evidence given in normalized offsets, re-quoted from the original text."""
    start = max(0, min(ev.start, len(text)))
    end = max(start, min(ev.end, len(text)))
    return evidence(start, end, ev.component, ev.confidence)  # type: ignore[operator, no-any-return]

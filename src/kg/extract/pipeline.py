"""The extraction pipeline: articles in; `Extraction`s (entities, relations, indicators with
evidence in original-text offsets) out.

The pipeline is a spaCy `Language` for Chinese built from `config.cfg` beside this module: the
rjieba tokenizer, then registered components (`kg_gazetteer`, `kg_patterns`, ... `kg_indicators`)
that leave their results on `Doc` extensions (`doc._.kg_mentions`, `kg_entities`, `kg_subject`,
`kg_relations`, `kg_indicators`). Components work in normalized-text offsets; `to_extraction`
turns every piece of evidence into the article's original text at the end.
"""

from __future__ import annotations

import re
from bisect import bisect_right
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
from kg.extract.candidates import sentence_bounds
from kg.extract.entities import EntityDraft, clean_name

# Importing the component modules registers their factories with spaCy.
from kg.extract.tokenizer import text_of
from kg.memo import bounded_cache
from kg.model import Article, Entity, Evidence, Extraction, Indicator, Relation
from kg.normalize import Normalized, normalize_text, strip_pinyin, to_simplified

CONFIG = Path(__file__).resolve().parent / "config.cfg"
_ASCII = re.compile(r"[\x00-\x7f]")


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


# Confidences take few values; round() is slow enough to show in a profile.
_ROUNDED: dict[float, float] = {}
_MAX_ROUNDED = 4096


class _Quoter:
    """Evidence in the original text for spans of the normalized text.

    Work is done once per sentence, not once per item: the sentence of a span is found by
    bisect over the sentence starts, and each sentence is quoted from the original once.
    """

    def __init__(self, normalized: Normalized, sentences: list[tuple[int, int]]) -> None:
        self.normalized = normalized
        self.sentences = sentences
        self.sentence_starts = [s for s, _ in sentences]
        self.quoted: dict[int, str] = {}
        # Without removals (pinyin, carriage returns) offsets are the same in both texts.
        self.identity = normalized.starts == (0,) and normalized.origins == (0,)
        self.length = len(normalized.text)

    def evidence(self, start: int, end: int, component: str, confidence: float) -> Evidence:
        i = bisect_right(self.sentence_starts, start) - 1
        if i < 0:
            i = 0
        sentence = self.quoted.get(i)
        if sentence is None:
            if self.sentences:
                sentence = self.normalized.original_text(*self.sentences[i])
            else:
                sentence = self.normalized.original_text(0, 0)
            self.quoted[i] = sentence
        if self.identity and start < end and start < self.length:
            a, b = start, end
        else:
            a, b = self.normalized.original_span(start, end)
        rounded = _ROUNDED.get(confidence)
        if rounded is None:
            rounded = round(confidence, 3)
            if len(_ROUNDED) < _MAX_ROUNDED:
                _ROUNDED[confidence] = rounded
        return Evidence(sentence, a, b, component, rounded)

    def moved(self, ev: Evidence) -> Evidence:
        """Evidence given in normalized offsets, re-quoted from the original text."""
        start = max(0, min(ev.start, self.length))
        end = max(start, min(ev.end, self.length))
        return self.evidence(start, end, ev.component, ev.confidence)


def to_extraction(article: Article, normalized: Normalized, doc: Doc) -> Extraction:
    """The doc's entities, relations and indicators with evidence quoted from the original."""
    quoter = _Quoter(normalized, sentence_bounds(doc))
    evidence = quoter.evidence
    moved = quoter.moved

    drafts: list[EntityDraft] = doc._.kg_entities or []
    written = _as_written_names(normalized, doc, drafts)
    as_written = written.get if written else None

    def name_of(name: str) -> str:
        return as_written(name, name) if as_written else name

    entities = tuple(
        Entity(
            type=d.type,
            name=name_of(d.name),
            aliases=tuple(dict.fromkeys(map(name_of, d.aliases))) if as_written else d.aliases,
            evidence=tuple(evidence(m.start, m.end, m.component, m.confidence) for m in d.mentions),
        )
        for d in drafts
    )
    relations = tuple(
        Relation(
            subject=name_of(r.subject),
            predicate=r.predicate,
            object=name_of(r.object),
            role=r.role,
            evidence=tuple(map(moved, r.evidence)),
        )
        for r in (doc._.kg_relations or [])
    )
    indicators = tuple(
        Indicator(
            subject=name_of(i.subject),
            name=i.name,
            value=i.value,
            unit=i.unit,
            comparator=i.comparator,
            year=i.year,
            kind=i.kind,
            evidence=tuple(map(moved, i.evidence)),
        )
        for i in (doc._.kg_indicators or [])
    )
    return Extraction(
        article=article, entities=entities, relations=relations, indicators=indicators
    )


@bounded_cache
def _simplified(original: str) -> str:
    """An original surface without inserted pinyin, in simplified script (the same surfaces
    recur in an article and across articles)."""
    return to_simplified(strip_pinyin(original))


def _as_written_names(
    normalized: Normalized, doc: Doc, drafts: list[EntityDraft]
) -> dict[str, str]:
    """Names as the article wrote them where normalizing changed more than the script.

    Normalizing folds full-width forms (（滨江） -> (滨江)) for the recognisers; names keep the
    article's own forms (simplified, without inserted pinyin), as the gold format asks.
    """
    table: dict[str, str] = {}
    text = text_of(doc)
    for draft in drafts:
        for m in draft.mentions:
            surface = text[m.start : m.end]
            if _ASCII.search(surface) is None:
                continue  # folding only ever gives ASCII
            original = _simplified(normalized.original_text(m.start, m.end))
            if len(original) == len(surface) and original != surface:
                table.setdefault(clean_name(surface), clean_name(original))
    return table

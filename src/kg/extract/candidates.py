"""Candidates: what the recognisers of the pipeline propose and how they share it on the `Doc`.

Every recogniser appends `Candidate`s (character spans of the normalized text with a type) to
`doc._.kg_candidates`; `kg_resolve` picks a consistent set of them as `doc._.kg_mentions`
(`kg.model.Mention`), and later components read those. The extensions are registered on import.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import NamedTuple

from spacy.tokens import Doc

from kg.extract.tokenizer import text_of, token_starts

# Doc extensions of the pipeline: name -> what it holds.
EXTENSIONS = {
    "kg_title_end": "offset where the title ends in the text (0 when there is no title)",
    "kg_date": "the article's date as YYYY-MM-DD, or None",
    "kg_candidates": "list[Candidate] proposed by the recognisers",
    "kg_mentions": "list[kg.model.Mention] chosen by kg_resolve and named by kg_aliases",
    "kg_entities": "list[EntityDraft] assembled from the mentions",
    "kg_subject": "canonical name of the zone or organisation the article is about, or None",
    "kg_relations": "list[kg.model.Relation] (normalized-text evidence)",
    "kg_indicators": "list[kg.model.Indicator] (normalized-text evidence)",
}

for _name in EXTENSIONS:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class Candidate(NamedTuple):
    """A proposed mention: [start, end) of the normalized text, its type and who proposed it.

    A named tuple rather than a dataclass: recognisers make thousands a second.

    `name` is a canonical name when the recogniser knows one (a gazetteer entry); `priority`
    settles overlaps between spans of equal length (higher wins); `alias_of` marks a short form
    that the recogniser already tied to a longer surface (以下简称); a `nested` candidate is kept
    inside a longer one (the issuer named in a document's title); an `unconfirmed` one only where
    another recogniser proposes the same span.
    """

    start: int
    end: int
    type: str
    component: str
    confidence: float
    name: str | None = None
    priority: int = 0
    alias_of: str | None = None
    nested: bool = False
    unconfirmed: bool = False


def candidates(doc: Doc) -> list[Candidate]:
    """The doc's candidate list, created on first use."""
    found: list[Candidate] | None = doc._.kg_candidates
    if found is None:
        found = []
        doc._.kg_candidates = found
    return found


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Sentence spans of the doc (kg.extract.sentences), computed once."""
    spans: list[tuple[int, int]] | None = doc.user_data.get("kg_sentences")
    if spans is None:
        from kg.extract.sentences import sentence_spans

        spans = sentence_spans(text_of(doc))
        doc.user_data["kg_sentences"] = spans
    return spans


def sentence_of(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    """The sentence span that holds `offset` (the nearest one before it otherwise)."""
    i = bisect_right(spans, (offset, 1 << 62)) - 1
    if i < 0:
        return spans[0] if spans else (0, 0)
    return spans[i]


def is_boundary(doc: Doc, offset: int) -> bool:
    """True where a word of the segmentation starts or ends."""
    return offset in token_starts(doc)

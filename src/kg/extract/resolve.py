"""Overlap resolution: the doc's candidates in; one consistent set of mentions out.

An unconfirmed candidate (a short industry word without an industry beside it) stays only where
another recogniser proposes the same span. Where candidates overlap, the longest span
wins (a zone's full name over the place inside it),
then the higher priority, then the higher confidence, then the earlier start. The winners go to
`doc._.kg_candidates` in text order; `kg_aliases` names them.
"""

from __future__ import annotations

from operator import attrgetter

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates

# Known names inside a long document or programme title are mentions too: 《…发展战略性新兴产业的
# 意见》 names the industry.
_TITLE_TYPES = frozenset({"PolicyDocument", "Programme"})
_LONG_TITLE = 10
# A place written in full (洛阳市, 河南省) right before the short name of a government department
# (发展改革委, 科技局) names that place's own department: 洛阳市发展改革委 is not the national one.
_FULL_PLACE_ENDS = ("省", "市", "区", "县", "州", "盟", "旗")
_DEPARTMENT_ENDS = ("委", "局", "厅", "办", "委员会", "办公室")


def _local_bodies(found: list[Candidate]) -> list[Candidate]:
    """Candidates for a place's own department, written as the full place and the department's
    short name that the gazetteer gives to a national body."""
    places = {
        c.end: c
        for c in found
        if c.type == "Place"
        and c.component == "kg_gazetteer"
        and c.name
        and c.end - c.start == len(c.name)
        and c.name.endswith(_FULL_PLACE_ENDS)
    }
    if not places:
        return []
    out: list[Candidate] = []
    for c in found:
        if c.type != "Organization" or c.component != "kg_gazetteer" or c.start not in places:
            continue
        if c.name and c.name.endswith(_DEPARTMENT_ENDS):
            place = places[c.start]
            out.append(
                Candidate(place.start, c.end, "Organization", "kg_patterns", 0.7, priority=1)
            )
    return out


def resolve_overlaps(found: list[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates, preferring long, high-priority, confident ones; in text order."""
    found = found + _local_bodies(found)
    spans = {(c.start, c.end) for c in found if not c.unconfirmed}
    found = [c for c in found if not c.unconfirmed or (c.start, c.end) in spans]
    ordered = sorted(
        found, key=lambda c: (-(c.end - c.start), -c.priority, -c.confidence, c.start, c.type)
    )
    taken = bytearray(max((c.end for c in found), default=0))
    kept: list[Candidate] = []
    for cand in ordered:
        if cand.nested and cand.end > cand.start:
            kept.append(cand)
            continue
        if cand.end <= cand.start or taken.find(1, cand.start, cand.end) >= 0:
            continue
        taken[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
        kept.append(cand)
    titles = [c for c in kept if c.type in _TITLE_TYPES and c.end - c.start >= _LONG_TITLE]
    if titles:
        kept_set = set(kept)
        for cand in found:
            if (
                cand not in kept_set
                and cand.component == "kg_gazetteer"
                and any(t.start <= cand.start and cand.end <= t.end for t in titles)
            ):
                kept.append(cand._replace(nested=True))
                kept_set.add(cand)
    return sorted(kept, key=attrgetter("start"))


@Language.factory("kg_resolve")
def make_resolver(nlp: Language, name: str) -> object:
    def resolve(doc: Doc) -> Doc:
        doc._.kg_candidates = resolve_overlaps(candidates(doc))
        return doc

    return resolve

"""Gazetteer ruler: normalized text in; candidates for every known name in it out (`kg_gazetteer`).

All surface forms of `kg.gazetteer` (zones, places, regions, industries, organisations; official
names and the short forms people use) go into one Aho-Corasick automaton, built once per
process, and the countries and cities abroad of data/world_places.csv into a small second one,
so the text is scanned once whatever the number of names. A match counts where it starts and
ends on word boundaries of the segmentation, so 南京 is not found in 南京路 when the segmenter
keeps that word whole; names of four characters or more are trusted without the check.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates
from kg.extract.tokenizer import text_of, token_starts
from kg.model import ENTITY_TYPES

COMPONENT = "kg_gazetteer"
# Names this long rarely occur inside other words by chance.
_TRUSTED_LENGTH = 4
# Industry words this short need an industry context (or a list) to count.
_SHORT_INDUSTRY = 2
_INDUSTRY_AFTER = ("产业", "行业", "领域", "企业", "集群", "赛道", "板块", "制造", "装备")
_INDUSTRY_BEFORE = ("发展", "聚焦", "布局", "培育", "壮大", "深耕", "从事", "专注", "瞄准")


@cache
def automaton() -> Any:
    """The gazetteer's automaton: surface -> (surface, its candidates, best first)."""
    from kg import gazetteer

    return gazetteer.surface_automaton()


@cache
def zone_heads() -> tuple[str, ...]:
    """Head words of zones with two characters or more (新区, 开发区…)."""
    from kg.extract.lexicon import head_words

    return tuple(h.head for h in head_words() if h.type == "Zone" and len(h.head) > 1)


@cache
def world_places() -> Any:
    """An automaton of the countries and cities abroad in data/world_places.csv."""
    import ahocorasick

    from kg.extract.lexicon import data_rows

    auto = ahocorasick.Automaton()
    for row in data_rows("world_places.csv"):
        if row.get("name"):
            auto.add_word(row["name"], row["name"])
    auto.make_automaton()
    return auto


def _industry_context(text: str, start: int, end: int) -> bool:
    return text.startswith(_INDUSTRY_AFTER, end) or text[max(0, start - 2) : start].endswith(
        _INDUSTRY_BEFORE
    )


def find_known(text: str, boundaries: set[int]) -> list[Candidate]:
    """Gazetteer matches of `text` that respect word boundaries."""
    found = []
    for last, name in world_places().iter(text):
        end = last + 1
        start = end - len(name)
        if start in boundaries and end in boundaries:
            found.append(Candidate(start, end, "Place", COMPONENT, 0.9, name=name, priority=3))
    for last, (surface, forms) in automaton().iter(text):
        end = last + 1
        start = end - len(surface)
        if len(surface) < _TRUSTED_LENGTH and not (start in boundaries and end in boundaries):
            continue
        best = forms[0]
        etype = best.type
        if etype == "Place" and surface.endswith(zone_heads()):
            # 滨海新区, 浦东新区: districts that are development zones too; articles about
            # innovation mean the zone.
            etype = "Zone"
        if etype not in ENTITY_TYPES:
            continue
        confidence = 0.95 if best.official else 0.85
        # 钢铁, 卫星, 汽车: a short industry word names a product as often as an industry;
        # without an industry word beside it, only a list of industries confirms it.
        unconfirmed = (
            etype == "Industry"
            and len(surface) <= _SHORT_INDUSTRY
            and not _industry_context(text, start, end)
        )
        found.append(
            Candidate(
                start,
                end,
                etype,
                COMPONENT,
                0.5 if unconfirmed else confidence,
                name=best.name,
                priority=3,
                unconfirmed=unconfirmed,
            )
        )
    return found


@Language.factory(COMPONENT)
def make_gazetteer_ruler(nlp: Language, name: str) -> object:
    automaton()

    def ruler(doc: Doc) -> Doc:
        candidates(doc).extend(find_known(text_of(doc), token_starts(doc)))
        return doc

    return ruler

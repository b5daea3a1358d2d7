"""Aliases: the resolved candidates in; named mentions and entities out (`kg_aliases`).

Surfaces of one entity in one article are merged under its most complete name:
- short names the article declares (（以下简称“研创园”）, 简称…), and their later uses;
- a place prefix dropped (包头稀土高新区 -> 稀土高新区) or a long head abbreviated
  (…高新技术产业开发区 -> …高新区, …经济技术开发区 -> …经开区, data/extract_cues.csv);
- an industry with or without 产业/产业链/行业, a company with or without its legal form
  (有限公司, 集团, 股份), a place with or without 省/市/区/县.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import attrgetter

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates
from kg.extract.entities import assemble, clean_name
from kg.extract.lexicon import abbreviations, cue
from kg.extract.tokenizer import text_of
from kg.memo import bounded_cache
from kg.model import Mention

# （以下简称“X”） / (简称X) / 下称“X”: a short name declared right after a full one.
_DECLARED = re.compile(
    r"\s*[（(]?\s*(?:以下简称|以下称|下称|简称|以下简称为|简称为)\s*[“\"‘「]?"
    r"([^”\"’」）)，,。；;、\s]{1,16})[”\"’」]?\s*[）)]?"
)
# Prefixes of a zone's name that the same article may leave out.
_LEVEL_WORDS = ("国家级", "国家")


class _Union:
    def __init__(self) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(self, key: tuple[str, str]) -> tuple[str, str]:
        parent = self.parent.setdefault(key, key)
        if parent != key:
            parent = self.find(parent)
            self.parent[key] = parent
        return parent

    def union(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _strip_suffix(name: str, suffixes: Iterable[str], keep: int = 2) -> str:
    for suffix in sorted(suffixes, key=len, reverse=True):
        if name.endswith(suffix) and len(name) - len(suffix) >= keep:
            return name[: -len(suffix)]
    return name


@bounded_cache
def _known_prefix(name: str) -> str | None:
    """The longest front of `name` that the gazetteer knows as a place or zone (中关村…)."""
    from kg.extract.patterns import known_type

    for size in range(min(5, len(name) - 3), 1, -1):
        if known_type(name[:size]) in ("Place", "Zone"):
            return name[:size]
    return None


def short_forms(name: str, etype: str, places: Iterable[str]) -> set[str]:
    """Forms of `name` that an article may use for the same entity (not `name` itself)."""
    return set(_short_forms(name, etype, tuple(sorted(places, key=len, reverse=True))))


@bounded_cache
def _spelled_forms(name: str) -> frozenset[str]:
    """`name` and its forms with long heads abbreviated (…经济技术开发区 -> …经开区) and the
    level word left out (国家级, 国家), whatever the article (the places come after)."""
    forms = {name}
    for long, short in abbreviations():
        for form in list(forms):
            if long in form and form != long:
                forms.add(form.replace(long, short, 1))
    for form in list(forms):
        for level in _LEVEL_WORDS:
            i = form.find(level)
            if i > 0 and len(form) - len(level) >= 4:
                forms.add(form[:i] + form[i + len(level) :])
    return frozenset(forms)


# Types whose names may begin with a place that the same article leaves out.
_PLACE_PREFIXED = ("Zone", "Organization")


@bounded_cache
def _short_forms(name: str, etype: str, ordered_places: tuple[str, ...]) -> frozenset[str]:
    forms = {name}
    if etype in _PLACE_PREFIXED:
        spelled = _spelled_forms(name)
        forms.update(spelled)
        for form in spelled:
            rest = form
            for _ in range(3):
                prefix = next(
                    (p for p in ordered_places if rest.startswith(p) and len(rest) - len(p) >= 3),
                    None,
                ) or _known_prefix(rest)
                if prefix is None:
                    break
                rest = rest[len(prefix) :]
                forms.add(rest)
    elif etype == "Industry":
        forms.add(_strip_suffix(name, cue("industry_suffix")))
    elif etype == "Enterprise":
        forms.add(_strip_suffix(name, cue("enterprise_suffix")))
    elif etype == "Place":
        forms.add(_strip_suffix(name, cue("place_suffix")))
    forms.discard(name)
    return frozenset(f for f in forms if len(f) >= 2)


def declared_aliases(text: str, found: list[Candidate]) -> dict[str, Candidate]:
    """Short form -> the candidate it was declared for (（以下简称“X”） after the candidate)."""
    declared: dict[str, Candidate] = {}
    if "称" not in text:
        return declared  # every form of declaration has 称 (简称, 下称)
    for cand in found:
        stop = min(len(text), cand.end + 24)
        if text.find("称", cand.end, stop) < 0:
            continue
        m = _DECLARED.match(text, cand.end, stop)
        if m:
            short = m.group(1)
            if short != clean_name(text[cand.start : cand.end]):
                declared.setdefault(short, cand)
    return declared


# Names this short are looked for elsewhere only where they stand apart (not inside a word).
_SHORT = 3
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _other_uses(text: str, found: list[Candidate]) -> list[Candidate]:
    """`found` and every other place the text writes one of their names the same way."""
    taken = bytearray(len(text))
    for c in found:
        taken[c.start : c.end] = b"\x01" * (c.end - c.start)
    more: list[Candidate] = []
    seen: set[str] = set()
    for cand in sorted(found, key=lambda c: (c.start, c.end)):
        surface = text[cand.start : cand.end]
        if surface in seen or cand.type in ("Place", "Industry", "Person") or len(surface) < 2:
            continue
        seen.add(surface)
        start = text.find(surface)
        while start >= 0:
            end = start + len(surface)
            if taken.find(1, start, end) < 0 and not (
                len(surface) <= _SHORT
                and (_HAN.match(text, start - 1) if start else False)
                and _HAN.match(text, end)
            ):
                more.append(
                    Candidate(
                        start, end, cand.type, cand.component, cand.confidence * 0.9, name=cand.name
                    )
                )
                taken[start:end] = b"\x01" * (end - start)
            start = text.find(surface, end)
    return sorted([*found, *more], key=attrgetter("start"))


def name_mentions(
    text: str, found: list[Candidate]
) -> tuple[list[Mention], dict[tuple[str, str], list[str]]]:
    """Mentions named by their entity's most complete name, and aliases declared per entity."""
    declared = declared_aliases(text, found)
    found = _other_uses(text, found)
    if declared:
        taken = bytearray(len(text))
        for c in found:
            taken[c.start : c.end] = b"\x01" * (c.end - c.start)
        for short, full in declared.items():
            start = text.find(short)
            while start >= 0:
                end = start + len(short)
                if taken.find(1, start, end) < 0:
                    found.append(
                        Candidate(start, end, full.type, "kg_aliases", 0.8, alias_of=short)
                    )
                    taken[start:end] = b"\x01" * (end - start)
                start = text.find(short, end)
        found.sort(key=attrgetter("start"))

    def key_of(c: Candidate) -> tuple[str, str]:
        return (c.type, c.name or clean_name(text[c.start : c.end]))

    union = _Union()
    keys = [key_of(c) for c in found]
    for key in keys:
        union.find(key)
    for short, full in declared.items():
        union.union((full.type, short), key_of(full))
    places = {name for etype, name in keys if etype == "Place"}
    places |= {clean_name(text[c.start : c.end]) for c in found if c.type == "Place"}
    by_name: dict[tuple[str, str], tuple[str, str]] = {k: k for k in keys}
    ordered_places = tuple(sorted(places, key=len, reverse=True))
    for key in sorted(set(keys)):
        etype, name = key
        # only the forms of zones and bodies depend on the article's places: the others are
        # found in the cache whatever the article
        near = ordered_places if etype in _PLACE_PREFIXED else ()
        for form in sorted(_short_forms(name, etype, near)):
            other = by_name.get((etype, form))
            if other is not None:
                union.union(key, other)
            elif etype in ("Industry", "Enterprise", "Place"):
                # X产业 and X产业链 share their stem X without X being mentioned alone.
                stem = (etype, "\x00" + form)
                union.union(key, stem)

    members: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key in sorted(set(keys)):
        members.setdefault(union.find(key), []).append(key)
    first_use: dict[tuple[str, str], int] = {}
    for i, key in enumerate(keys):
        first_use.setdefault(key, i)
    best: dict[tuple[str, str], str] = {}
    for root, group in members.items():
        # The most complete name: the longest; the first used among equals.
        best[root] = max(group, key=lambda k: (len(k[1]), -first_use[k]))[1]

    name_of = {key: best[union.find(key)] for key in by_name}
    mentions = []
    for cand, key in zip(found, keys, strict=True):
        mentions.append(
            Mention(
                start=cand.start,
                end=cand.end,
                type=cand.type,
                text=text[cand.start : cand.end],
                name=name_of[key],
                component=cand.component,
                confidence=cand.confidence,
            )
        )
    extra: dict[tuple[str, str], list[str]] = {}
    for short, full in declared.items():
        extra.setdefault((full.type, best[union.find(key_of(full))]), []).append(short)
    # each entity once, in the order of first mention (a second mention would add nothing)
    for etype, name in dict.fromkeys((m.type, m.name) for m in mentions):
        if etype == "Zone":
            # 安徽合肥滨湖科学城 is also written 合肥滨湖科学城, 包头稀土高新区 稀土高新区.
            prefix = _known_prefix(name)
            forms = extra.setdefault((etype, name), [])
            if prefix and len(name) - len(prefix) >= 4 and name[len(prefix) :] not in forms:
                forms.append(name[len(prefix) :])
        if etype in ("Place", "Industry"):
            # 杭州 for 杭州市, 氢能 for 氢能产业: the bare form names the same thing.
            forms = extra.setdefault((etype, name), [])
            for form in sorted(_short_forms(name, etype, ())):
                if form not in forms:
                    forms.append(form)
    return mentions, extra


@Language.factory("kg_aliases")
def make_alias_namer(nlp: Language, name: str) -> object:
    def name_entities(doc: Doc) -> Doc:
        mentions, declared = name_mentions(text_of(doc), candidates(doc))
        doc._.kg_mentions = mentions
        doc._.kg_entities = assemble(mentions, declared)
        return doc

    return name_entities

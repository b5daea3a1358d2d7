"""Enumerations: normalized text and earlier candidates in; industries named in lists out
(`kg_enumerations`).

News names industries in lists: 聚焦半导体、光子技术和商业航天三大产业; 覆盖新材料、生物医药等
领域. A list whose closing words say what its items are (等产业/领域/行业, 三大产业, …产业集群)
makes each item an Industry; so does a list in which most items are industries already found (by
the gazetteer or by a head word), which then types the rest alike.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates
from kg.extract.lexicon import cue
from kg.extract.patterns import left_edge
from kg.extract.tokenizer import text_of, words_of

COMPONENT = "kg_enumerations"
_NAME = r"[\u4e00-\u9fffA-Za-z0-9+]"
# A run of items separated by 、 (the last may hold 和/及/与 and a closing phrase).
_LIST = re.compile(rf"{_NAME}{{2,30}}(?:、{_NAME}{{1,30}})+")
_LAST_JOIN = re.compile(r"(.+?)(?:以及|和|及|与)(.+)$")
# Words after a list that say its items are industries or technology fields.
_CLOSERS = re.compile(
    r"(?:等)?(?:[一二三四五六七八九十两几多\d]+[大个类项]|多个|众多)?"
    r"(?:战略性新兴产业|新兴产业|未来产业|主导产业|优势产业|支柱产业|特色产业|产业集群|产业链|产业|"
    r"行业|领域|赛道|方向)"
)
_TAIL = re.compile(r"(?:等|[一二三四五六七八九十两几多\d]+[大个类项]|多个|众多)+")
_MAX_INDUSTRY = 12


@cache
def _stop_words() -> frozenset[str]:
    return cue("function") | cue("verb")


def _list_items(text: str, begin: int, end: int) -> tuple[list[tuple[int, int]], bool]:
    """The items of the list text[begin:end] and whether closing words type them."""
    spans: list[tuple[int, int]] = []
    last = begin
    for i in range(begin, end):
        if text[i] == "、":
            spans.extend(_split_joined(text, last, i))
            last = i + 1
    final_start = last
    closer = _CLOSERS.search(text, final_start, end)
    final_end = end
    if closer and closer.end() == end:
        final_end = closer.start()
    elif _CLOSERS.match(text, end):
        closer = _CLOSERS.match(text, end)
    else:
        closer = None
    tail = _TAIL.search(text, final_start, final_end)
    if tail and tail.end() == final_end:
        final_end = tail.start()
    spans.extend(_split_joined(text, final_start, final_end))
    return [(a, b) for a, b in spans if b > a], closer is not None


def _split_joined(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An item, or two where 和/及/与/以及 joins them (A和B)."""
    joined = _LAST_JOIN.match(text, start, end)
    if joined:
        return [(start, joined.end(1)), (joined.start(2), end)]
    return [(start, end)]


def find_listed(
    text: str, words: list[str], starts: list[int], known: list[Candidate]
) -> list[Candidate]:
    industry_at = {(c.start, c.end) for c in known if c.type == "Industry"}
    other_types = [(c.start, c.end) for c in known if c.type != "Industry"]
    stop = _stop_words()
    found: list[Candidate] = []
    for m in _LIST.finditer(text):
        first_sep = text.index("、", m.start())
        # The first item starts where a name before the first separator would start.
        begin = max(m.start(), left_edge(text, words, starts, first_sep, _MAX_INDUSTRY, "Industry"))
        spans, closed = _list_items(text, begin, m.end())
        items = [_trim(text, a, b, words, starts, stop) for a, b in spans]
        items = [(a, b) for a, b in items if 2 <= b - a <= _MAX_INDUSTRY]
        if len(items) < 2:
            continue
        known_count = sum(1 for span in items if span in industry_at)
        if not closed and known_count * 2 < len(items):
            continue
        for a, b in items:
            if any(a < oe and os < b for os, oe in other_types):
                continue
            found.append(Candidate(a, b, "Industry", COMPONENT, 0.8 if closed else 0.65))
    return found


def _trim(
    text: str, a: int, b: int, words: list[str], starts: list[int], stop: frozenset[str]
) -> tuple[int, int]:
    """An item without a leading verb or function word (a list item is a bare noun phrase)."""
    i = bisect_right(starts, a) - 1
    while i < len(words) and starts[i] < b and words[i] in stop:
        a = starts[i + 1]
        i += 1
    return a, b


@Language.factory(COMPONENT)
def make_list_reader(nlp: Language, name: str) -> object:
    def listed(doc: Doc) -> Doc:
        words, starts = words_of(doc)
        found = candidates(doc)
        found.extend(find_listed(text_of(doc), words, starts, found))
        return doc

    return listed

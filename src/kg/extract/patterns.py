"""Names by head word: the doc's words in; candidates for names that end in a head word out
(`kg_patterns`).

A Chinese name of a zone, body, company, programme or document ends in a word that says what it
is (…高新区, …管委会, …有限公司, …杯, …办法; data/head_words.csv). Its other end is found by
walking back over the words before the head while they can be part of a name: the walk stops at
punctuation, at a function word (的, 在, 由…), at a numeral with a measure word (三大), at a
governing verb (举办, 支持, 聚焦… data/extract_cues.csv) unless verbs lead straight into the head
(人才发展中心, 转移转化示范区), and at a length limit for the type. A quoted stretch (“长安芯火杯”)
or a short parenthesis (（滨江）) inside the name is kept. Ordinals in front (第五届, 本届) are
dropped, and a head with nothing before it, or only generic words (国家级高新区, 该公司), is no
name.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache

import rjieba
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates
from kg.extract.lexicon import alternation, cue, head_words
from kg.extract.tokenizer import words_of

COMPONENT = "kg_patterns"

# How far back (characters) a name of each type may reach from its head.
MAX_MODIFIER = {
    "Zone": 14,
    "Organization": 18,
    "Enterprise": 14,
    "Programme": 16,
    "PolicyDocument": 30,
    "Industry": 8,
}
_NAME_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·+\-]+")
_NUMERAL_WORD = re.compile(r"[一二三四五六七八九十百千万两几多数\d]+[大个类项条家批种项只]?")
_ORDINAL = re.compile(
    r"(?:第[一二三四五六七八九十百零\d]+[届次期批]|首届|本届|历届|往届|上届|下届)"
)
_OPEN_FOR = {"”": "“", "’": "‘", "」": "「", "）": "（", ")": "("}
# Heads of these types must end where a word ends: 产业化 is no 产业.
_WORD_END_TYPES = frozenset({"Industry", "Programme", "PolicyDocument", "Organization"})


@cache
def _tables() -> tuple[
    re.Pattern[str], dict[str, str], frozenset[str], frozenset[str], frozenset[str]
]:
    heads = {h.head: h.type for h in head_words()}
    verbs = cue("verb")
    return alternation(heads), heads, cue("function"), verbs, cue("generic")


@cache
def _is_dictionary_word(word: str) -> bool:
    return bool(rjieba.has_word(word))


def _is_verb(word: str, verbs: frozenset[str]) -> bool:
    return word in verbs or (len(word) > 2 and (word[-2:] in verbs or word[:2] in verbs))


def left_edge(text: str, words: list[str], starts: list[int], head_start: int, limit: int) -> int:
    """Where a name that ends in the head at `head_start` begins (== head_start: no name)."""
    _, _, function_words, verbs, _ = _tables()
    i = bisect_right(starts, head_start - 1) - 1
    pos = head_start
    verbs_only = True
    while i >= 0 and head_start - starts[i] <= limit:
        word = text[starts[i] : pos]
        opener = _OPEN_FOR.get(word[-1:]) if word else None
        if opener:
            # A short quoted or bracketed stretch inside a name: “长安芯火杯”…, …（滨江）…
            open_at = text.rfind(opener, max(0, pos - 18), pos - 1)
            inner = text[open_at + 1 : pos - 1] if open_at >= 0 else ""
            if not inner or not _NAME_WORD.fullmatch(inner.replace("、", "")):
                break
            if opener in "（(" and (pos != head_start and len(inner) > 6):
                break
            pos = open_at
            i = bisect_right(starts, pos - 1) - 1
            verbs_only = False
            continue
        if not _NAME_WORD.fullmatch(word):
            break
        if len(word) > 1 and word[0] in function_words and not _is_dictionary_word(word):
            # 由青梧: the segmenter glued a function word to an unknown name after it.
            pos = starts[i] + 1
            break
        if word in function_words or (len(word) == 2 and word[0] in function_words):
            # 曦|和 光子: a one-character function word after a lone character is a name's
            # character that the segmenter split off, not a function word.
            lone_before = i > 0 and len(words[i - 1]) == 1 and _NAME_WORD.fullmatch(words[i - 1])
            if not (len(word) == 1 and lone_before and words[i - 1] not in function_words):
                break
        if _NUMERAL_WORD.fullmatch(word):
            break
        if _is_verb(word, verbs):
            if not verbs_only:
                break
        else:
            verbs_only = False
        pos = starts[i]
        i -= 1
    return pos


def find_named(text: str, words: list[str], starts: list[int]) -> list[Candidate]:
    """Candidates for names ending in a head word."""
    pattern, heads, function_words, _, generic = _tables()
    boundaries = set(starts)
    found: list[Candidate] = []
    for m in pattern.finditer(text):
        head_start, head_end = m.span()
        etype = heads[m.group()]
        if etype in _WORD_END_TYPES and head_end not in boundaries and head_end < len(text):
            nxt = text[head_end]
            if "\u4e00" <= nxt <= "\u9fff" and text[head_end : head_end + 3] not in heads:
                continue
        start = left_edge(text, words, starts, head_start, MAX_MODIFIER.get(etype, 12))
        ordinal = _ORDINAL.match(text, start, head_start)
        if ordinal:
            start = ordinal.end()
        start = _skip_leading_verbs(text, words, starts, start, head_start)
        while start < head_start and text[start] in "“‘「（(":
            start += 1
        if start >= head_start:
            continue
        modifier = re.sub(r"[“”‘’「」]", "", text[start:head_start])
        if _generic_only(modifier, words, starts, start, head_start, generic | function_words):
            continue
        found.append(Candidate(start, head_end, etype, COMPONENT, 0.7, priority=1))
    return found


def _skip_leading_verbs(
    text: str, words: list[str], starts: list[int], start: int, head_start: int
) -> int:
    """A name does not begin with a verb (成为高新区, 推动大赛): skip such words in front."""
    _, _, _, verbs, _ = _tables()
    i = bisect_right(starts, start) - 1
    while i < len(words) and starts[i] < head_start and starts[i] >= start:
        if not _is_verb(words[i], verbs):
            break
        start = starts[i + 1]
        i += 1
    return start


def _generic_only(
    modifier: str,
    words: list[str],
    starts: list[int],
    start: int,
    end: int,
    generic: frozenset[str],
) -> bool:
    """True when the words before the head are all generic (国家级, 各类, 该…)."""
    if modifier in generic or (len(modifier) < 2 and not modifier.isalnum()):
        return True
    i = bisect_right(starts, start) - 1
    while i < len(words) and starts[i] < end:
        piece = words[i]
        if piece not in generic:
            return False
        i += 1
    return True


@Language.factory(COMPONENT)
def make_name_patterns(nlp: Language, name: str) -> object:
    def named(doc: Doc) -> Doc:
        words, starts = words_of(doc)
        candidates(doc).extend(find_named(doc.text, words, starts))
        return doc

    return named

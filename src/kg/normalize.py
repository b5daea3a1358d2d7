"""Normalize: an article's text in; simplified, cleaned text with a map back to the original out.

Three steps, each keeping a character-level offset map so that evidence is quoted as the article
wrote it: pinyin inserted after characters is removed (區(qū) -> 區), full-width forms are folded
(Ａ１，-> A1,), and traditional script becomes simplified (OpenCC t2s).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from kg.memo import bounded_cache
from kg.resources import data_file

# A parenthesised latin syllable right after a character: the shape of inserted pinyin.
_PAREN_LATIN = re.compile(r"(?<=\S)[(（]([A-Za-zÀ-ɏ̀-ͯ]{1,8})[)）]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@cache
def pinyin_syllables() -> frozenset[str]:
    path = data_file("pinyin_syllables.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _toneless(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable.replace("ü", "v").replace("Ü", "V"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@bounded_cache
def is_pinyin(word: str) -> bool:
    """True for one Hanyu Pinyin syllable, with or without tone marks (qū, chǎn, lv)."""
    if not word.islower():
        return False
    return _toneless(word) in pinyin_syllables()


@bounded_cache
def _has_tone_mark(word: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", word))


def pinyin_spans(text: str) -> list[tuple[int, int]]:
    """Spans of inserted pinyin annotations, parentheses included.

    A syllable counts after a CJK character; after any other character only with a tone mark,
    which covers pages whose character before the annotation was garbled in transit.
    """
    return [
        m.span()
        for m in _PAREN_LATIN.finditer(text)
        if is_pinyin(m.group(1)) and (_CJK.match(text, m.start() - 1) or _has_tone_mark(m.group(1)))
    ]


def strip_pinyin(text: str) -> str:
    """The text without inserted pinyin; real parentheses such as (2023) or (试行) stay."""
    spans = pinyin_spans(text)
    if not spans:
        return text
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    return "".join(parts)


@cache
def _converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


_SURROGATES = re.compile(r"([\ud800-\udfff]+)")


def to_simplified(text: str) -> str:
    """Traditional to simplified script (OpenCC t2s), keeping the length of the text."""
    if not text:
        return text
    if _SURROGATES.search(text):
        # OpenCC reads UTF-8, which cannot hold lone surrogates: they stay as they are.
        parts = _SURROGATES.split(text)
        return "".join(p if n % 2 else to_simplified(p) for n, p in enumerate(parts))
    converted: str = _converter().convert(text)  # type: ignore[attr-defined]
    if len(converted) == len(text):
        return converted
    # A phrase conversion changed the length: convert character by character instead,
    # so that the offset map stays one to one.
    return "".join(
        c if len(c := _converter().convert(ch)) == 1 else ch  # type: ignore[attr-defined]
        for ch in text
    )


@dataclass(frozen=True)
class Normalized:
    """Normalized text and the map from its offsets back to the original.

    Folding and script conversion keep offsets; only removals (pinyin, carriage returns) shift
    them, so the map is kept as segments: normalized text from `starts[k]` on comes from the
    original at `origins[k]` on, one character for one character.
    """

    text: str
    original: str
    starts: tuple[int, ...]
    origins: tuple[int, ...]

    def original_index(self, i: int) -> int:
        """The index in the original of normalized character i."""
        k = bisect_right(self.starts, i) - 1
        return self.origins[k] + (i - self.starts[k])

    @property
    def offsets(self) -> list[int]:
        """The original index of every normalized character (for tests and debugging)."""
        return [self.original_index(i) for i in range(len(self.text))]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text that normalized text[start:end] came from."""
        if start >= len(self.text):
            return len(self.original), len(self.original)
        if start >= end:
            pos = self.original_index(start)
            return pos, pos
        return self.original_index(start), self.original_index(end - 1) + 1

    def original_text(self, start: int, end: int) -> str:
        """normalized text[start:end] as the article wrote it (pinyin, script and all)."""
        a, b = self.original_span(start, end)
        return self.original[a:b]


_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_CR = re.compile(r"\r")


def normalize_text(original: str) -> Normalized:
    """Pinyin removed, full-width folded, simplified; with the offset map back to `original`.

    Folding comes first, and removal repeats until no pinyin is left, so that normalizing the
    result again changes nothing: 區(ｑū) and 区(qu)(qu) lose all their annotations."""
    folded = original.translate(_FOLD)
    removals = _merged([*pinyin_spans(folded), *(m.span() for m in _CR.finditer(folded))])
    while True:
        text, starts, origins = _remove(folded, removals)
        more = pinyin_spans(text)
        if not more:
            break
        mapped = Normalized(text, folded, starts, origins)
        removals = _merged(
            [
                *removals,
                *((mapped.original_index(a), mapped.original_index(b - 1) + 1) for a, b in more),
            ]
        )
    return Normalized(text=to_simplified(text), original=original, starts=starts, origins=origins)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _remove(
    text: str, removals: list[tuple[int, int]]
) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """The text without the (sorted, disjoint) spans, and the segment map back to `text`."""
    pieces: list[str] = []
    starts: list[int] = [0]
    origins: list[int] = [0]
    cursor = length = 0
    for start, end in removals:
        pieces.append(text[cursor:start])
        length += start - cursor
        cursor = end
        starts.append(length)
        origins.append(end)
    pieces.append(text[cursor:])
    return "".join(pieces), tuple(starts), tuple(origins)

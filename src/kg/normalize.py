"""Normalize: an article's text in; simplified, cleaned text with a map back to the original out.

Three steps, each keeping a character-level offset map so that evidence is quoted as the article
wrote it: pinyin inserted after characters is removed (區(qū) -> 區), full-width forms are folded
(Ａ１，-> A1,), and traditional script becomes simplified (OpenCC t2s).
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import cache

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


def is_pinyin(word: str) -> bool:
    """True for one Hanyu Pinyin syllable, with or without tone marks (qū, chǎn, lv)."""
    if not word.islower():
        return False
    return _toneless(word) in pinyin_syllables()


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


def fold_char(ch: str) -> str:
    """Full-width ASCII forms and the ideographic space folded to their half-width forms."""
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if code == 0x3000:
        return " "
    return ch


@cache
def _converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional to simplified script (OpenCC t2s), keeping the length of the text."""
    if not text:
        return text
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
    """Normalized text and, for each of its characters, its index in `original`."""

    text: str
    original: str
    offsets: array  # type: ignore[type-arg]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text that normalized text[start:end] came from."""
        if start >= end:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1

    def original_text(self, start: int, end: int) -> str:
        """normalized text[start:end] as the article wrote it (pinyin, script and all)."""
        a, b = self.original_span(start, end)
        return self.original[a:b]


def normalize_text(original: str) -> Normalized:
    """Pinyin removed, full-width folded, simplified; with the offset map back to `original`."""
    spans = pinyin_spans(original)
    kept: list[str] = []
    offsets = array("l")
    cursor = 0
    for start, end in [*spans, (len(original), len(original))]:
        for i in range(cursor, start):
            ch = original[i]
            if ch == "\r":
                continue
            kept.append(fold_char(ch))
            offsets.append(i)
        cursor = end
    folded = "".join(kept)
    return Normalized(text=to_simplified(folded), original=original, offsets=offsets)

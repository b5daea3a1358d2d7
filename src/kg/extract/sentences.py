"""Sentences of normalized text, as (start, end) offsets; quotes and brackets stay in one piece."""

from __future__ import annotations

import re

_ENDS = frozenset("。！？!?\n")
_OPEN = {"“": "”", "「": "」", "『": "』", "(": ")", "《": "》", "‘": "’"}
_CLOSE = frozenset(_OPEN.values())
_MARKS = re.compile("[" + re.escape("".join(sorted(_ENDS | set(_OPEN) | _CLOSE))) + "]")
# A sentence inside quotes that runs longer than this is taken to have lost its closing quote.
_MAX_QUOTED = 300
# Real sentences stay under a few hundred characters (the longest of the corpus: 341). Text with
# no end marks (a table dump, a 1 MB line) is cut into pieces of at most this length, at a clause
# mark where there is one: every mention quotes its sentence as evidence, and one sentence of
# 1 MB quoted by thousands of mentions took 20 GB.
_MAX_SENTENCE = 1000
_CLAUSE_MARKS = frozenset("，,；;：:、 \t")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of `text`; closing quotes after an end mark belong to the sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    depth = 0
    opened_at = 0
    n = len(text)
    # Only end marks, quotes and brackets change anything: visit those, not every character.
    for mark in _MARKS.finditer(text):
        i = mark.start()
        if i < start:
            continue  # a closing quote already taken into the sentence before
        ch = text[i]
        if ch in _OPEN:
            if depth == 0:
                opened_at = i
            depth += 1
        elif ch in _CLOSE:
            if depth:
                depth -= 1
        elif ch == "\n" or depth == 0 or i - opened_at > _MAX_QUOTED:
            end = i + 1
            while end < n and text[end] in _CLOSE:
                end += 1
            if text[start:end].strip():
                spans.extend(_bounded(text, *_trim(text, start, end)))
            start, depth = end, 0
    if text[start:].strip():
        spans.extend(_bounded(text, *_trim(text, start, n)))
    return spans


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span, or pieces of it no longer than _MAX_SENTENCE, cut after a clause mark."""
    pieces = []
    while end - start > _MAX_SENTENCE:
        cut = start + _MAX_SENTENCE
        for i in range(cut - 1, start + _MAX_SENTENCE // 2, -1):
            if text[i] in _CLAUSE_MARKS:
                cut = i + 1
                break
        piece = _trim(text, start, cut)
        if piece[0] < piece[1]:
            pieces.append(piece)
        start = cut
    last = _trim(text, start, end)
    if last[0] < last[1]:
        pieces.append(last)
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

"""Sentences of normalized text, as (start, end) offsets; quotes and brackets stay in one piece."""

from __future__ import annotations

_ENDS = frozenset("。！？!?\n")
_OPEN = {"“": "”", "「": "」", "『": "』", "(": ")", "《": "》", "‘": "’"}
_CLOSE = frozenset(_OPEN.values())
# A sentence inside quotes that runs longer than this is taken to have lost its closing quote.
_MAX_QUOTED = 300


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of `text`; closing quotes after an end mark belong to the sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    depth = 0
    opened_at = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN and ch not in _CLOSE:
            if depth == 0:
                opened_at = i
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        if ch == "\n" or (ch in _ENDS and (depth == 0 or i - opened_at > _MAX_QUOTED)):
            end = i + 1
            while end < n and text[end] in _CLOSE:
                end += 1
            if text[start:end].strip():
                spans.append(_trim(text, start, end))
            start, depth, i = end, 0, end
            continue
        i += 1
    if text[start:].strip():
        spans.append(_trim(text, start, n))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

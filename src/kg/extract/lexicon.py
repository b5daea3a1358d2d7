"""Word lists of the recognisers, read once from `data/`: head words, cue words, family names.

`data/head_words.csv` (head word -> entity type) comes with the gazetteer; `data/extract_cues.csv`
holds the closed-class words and cue words that the recognisers look at around a name (role
column: function, verb, generic, ordinal, title, speech, programme_context, talent_context,
talent_tail, talent_word); `data/surnames.txt` the family names of 百家姓.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from kg.errors import KgError
from kg.model import ENTITY_TYPES
from kg.resources import data_file


@dataclass(frozen=True)
class HeadWord:
    """A word that ends names of one entity type (…高新区 -> Zone, …有限公司 -> Enterprise)."""

    head: str
    type: str


def _rows(name: str) -> list[dict[str, str]]:
    path = data_file(name)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return [
                {k.strip(): (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(line for line in handle if not line.startswith("#"))
            ]
    except OSError as exc:
        raise KgError(
            f"{path}: cannot read this word list of the extractor ({exc.strerror}); "
            "reinstall kg or restore the file from the repository"
        ) from None


@cache
def head_words() -> tuple[HeadWord, ...]:
    """Head words and their types, longest first."""
    found: dict[str, str] = {}
    for row in _rows("head_words.csv"):
        head = row.get("head") or row.get("head_word") or row.get("word") or ""
        etype = row.get("type") or row.get("entity_type") or ""
        if head and etype in ENTITY_TYPES:
            found.setdefault(head, etype)
    return tuple(
        HeadWord(h, t) for h, t in sorted(found.items(), key=lambda item: (-len(item[0]), item[0]))
    )


@cache
def cues() -> dict[str, frozenset[str]]:
    """Cue words by role (see the module docstring)."""
    by_role: dict[str, set[str]] = defaultdict(set)
    for row in _rows("extract_cues.csv"):
        if row.get("word") and row.get("role"):
            by_role[row["role"]].add(row["word"])
    return {role: frozenset(words) for role, words in by_role.items()}


def cue(role: str) -> frozenset[str]:
    return cues().get(role, frozenset())


@cache
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """Single-character and two-character family names."""
    text = data_file("surnames.txt").read_text(encoding="utf-8")
    words = [w for line in text.splitlines() if not line.startswith("#") for w in line.split()]
    return (
        frozenset(w for w in words if len(w) == 1),
        frozenset(w for w in words if len(w) == 2),
    )


def alternation(words: object) -> re.Pattern[str]:
    """One compiled regex that matches any of `words`, longest first."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))  # type: ignore[call-overload]
    return re.compile("|".join(re.escape(w) for w in ordered) or r"(?!)")


@cache
def abbreviations() -> tuple[tuple[str, str], ...]:
    """(long head, its short form) pairs, longest first: 高新技术产业开发区 -> 高新区."""
    pairs = {
        row["word"]: row["note"]
        for row in _rows("extract_cues.csv")
        if row.get("role") == "abbreviation" and row.get("word") and row.get("note")
    }
    return tuple(sorted(pairs.items(), key=lambda p: (-len(p[0]), p[0])))

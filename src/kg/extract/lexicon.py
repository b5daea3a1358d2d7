"""Word lists of the recognisers, read once from `data/`: head words, cue words, family names.

`data/head_words.csv` (head word -> entity type and priority) comes with the gazetteer
(`kg.gazetteer`); `data/extract_cues.csv` holds the closed-class words and cue words that the
recognisers look at around a name (role column: function, verb, industry_verb, generic,
industry_generic, category, ordinal, title, speech, programme_context, talent_context,
talent_tail, talent_word, talent_pattern (a regular expression), talent_policy_end, weak_head,
extra_head, abbreviation and the suffixes of industries, enterprises and places);
`data/surnames.txt` the family names of 百家姓.
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

_EXTRA_HEAD_PRIORITY = 70


@dataclass(frozen=True)
class HeadWord:
    """A word that ends names of one entity type (…高新区 -> Zone, …有限公司 -> Enterprise).

    `priority` (0-100) says how surely the word makes a name: a weak head (…中心, …科技) needs
    a proper word before it.
    """

    head: str
    type: str
    priority: int


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


def data_rows(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file of data/ (lines starting with # are comments)."""
    return _rows(name)


@cache
def head_words() -> tuple[HeadWord, ...]:
    """Head words of the gazetteer (data/head_words.csv) and of extract_cues.csv (role
    extra_head, type in the note), one type per head (its highest priority), longest first."""
    from kg import gazetteer

    best: dict[str, HeadWord] = {}
    rows = [(h.head, h.type, h.priority) for h in gazetteer.head_words()]
    rows += [
        (row["word"], row["note"], _EXTRA_HEAD_PRIORITY)
        for row in _rows("extract_cues.csv")
        if row.get("role") == "extra_head"
    ]
    for head, etype, priority in rows:
        if head and etype in ENTITY_TYPES and (head not in best or priority > best[head].priority):
            best[head] = HeadWord(head, etype, priority)
    return tuple(sorted(best.values(), key=lambda h: (-len(h.head), h.head)))


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

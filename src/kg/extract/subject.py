"""Article subject: the title and the article's mentions in; the canonical name of the zone or
organisation the article is about out (or None).

An article about one zone often leaves its subject out ("年内推动校企共建……"); relations and
indicators then fall back on this name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from kg.model import Mention

# Types that can be what an article is about, in order of preference.
_SUBJECT_TYPES = ("Zone", "Organization")


def article_subject(title: str, mentions: Sequence[Mention]) -> str | None:
    """The zone (else organisation) the article is about.

    A zone named in the title wins; else the most frequent zone of the article; else the
    organisation named in the title or the most frequent organisation. Ties go to the name
    mentioned first, so the answer does not depend on the order of equal counts.
    """
    title_end = len(title)
    for etype in _SUBJECT_TYPES:
        typed = [m for m in mentions if m.type == etype]
        if not typed:
            continue
        in_title = [m for m in typed if title and m.end <= title_end]
        if in_title:
            return _most_frequent(in_title, typed)
        return _most_frequent(typed, typed)
    return None


def _most_frequent(candidates: Sequence[Mention], all_mentions: Sequence[Mention]) -> str:
    counts = Counter(m.name for m in all_mentions)
    first: dict[str, int] = {}
    for m in sorted(all_mentions, key=lambda m: m.start):
        first.setdefault(m.name, m.start)
    names = {m.name for m in candidates}
    return min(names, key=lambda name: (-counts[name], first.get(name, 0), name))

"""Entity assembly: named mentions in; one entity a (type, name) with its aliases out.

The name is the one `kg_aliases` chose (the most complete form the article uses); aliases are
the other surfaces of the same entity, quote marks and 《》 removed, in order of first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.memo import bounded_cache
from kg.model import Mention

_QUOTES = re.compile(r"[\s\"'“”‘’「」『』《》〈〉]")


@bounded_cache
def clean_name(surface: str) -> str:
    """A surface as a name: without quote marks, 《》 or white space (cached: the same surfaces
    come back in every article)."""
    return _QUOTES.sub("", surface)


@dataclass(frozen=True)
class EntityDraft:
    """An entity of one article before linking: its mentions in normalized offsets."""

    type: str
    name: str
    aliases: tuple[str, ...]
    mentions: tuple[Mention, ...]


def assemble(
    mentions: list[Mention], declared: dict[tuple[str, str], list[str]]
) -> list[EntityDraft]:
    """Entities in order of first mention; `declared` adds aliases that no mention carries."""
    groups: dict[tuple[str, str], list[Mention]] = {}
    for m in sorted(mentions, key=lambda m: (m.start, m.end)):
        groups.setdefault((m.type, m.name), []).append(m)
    drafts = []
    for (etype, name), group in groups.items():
        aliases: list[str] = []
        for surface in [clean_name(m.text) for m in group] + declared.get((etype, name), []):
            if surface and surface != name and surface not in aliases:
                aliases.append(surface)
        drafts.append(EntityDraft(etype, name, tuple(aliases), tuple(group)))
    return drafts

"""The records that flow between stages: articles, their normalized text, and what extraction finds.

All are frozen dataclasses; names and types follow corpus/ANNOTATION.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ENTITY_TYPES = (
    "Zone",
    "Enterprise",
    "Organization",
    "Programme",
    "TalentPolicy",
    "Industry",
    "Place",
    "Person",
    "PolicyDocument",
)

PREDICATES = (
    "locatedIn",
    "developsIndustry",
    "operatesIn",
    "hostsProgramme",
    "adoptsTalentPolicy",
    "supports",
    "partOf",
    "holdsPositionIn",
    "issuedBy",
    "cooperatesWith",
)

COMPARATORS = ("=", ">=", "<=", ">", "<")
INDICATOR_KINDS = ("target", "actual")


@dataclass(frozen=True)
class Article:
    """One article as read from its file: metadata and the body text as the file wrote it."""

    id: str
    title: str
    text: str
    date: str | None = None
    source: str | None = None
    url: str | None = None
    file: str | None = None
    id_given: bool = False

    @property
    def full_text(self) -> str:
        """Title and body, the text that extraction reads (offsets refer to it)."""
        return f"{self.title}\n{self.text}" if self.title else self.text


@dataclass(frozen=True)
class Mention:
    """One place where an entity is named, in normalized-text offsets.

    `name` is the entity's name in this article (its most complete mention), `text` the surface.
    """

    start: int
    end: int
    type: str
    text: str
    name: str
    component: str
    confidence: float = 1.0


@dataclass(frozen=True)
class Evidence:
    """Where an item was found: the sentence as the article wrote it, its span in the original."""

    sentence: str
    start: int
    end: int
    component: str
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Entity:
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "aliases": list(self.aliases),
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class Relation:
    subject: str
    predicate: str
    object: str
    role: str | None = None
    evidence: tuple[Evidence, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "subject": self.subject,
            "predicate": self.predicate,
            "object": self.object,
        }
        if self.role:
            data["role"] = self.role
        data["evidence"] = [e.to_json() for e in self.evidence]
        return data


@dataclass(frozen=True)
class Indicator:
    subject: str
    name: str
    value: float | int
    unit: str
    comparator: str
    year: int | None
    kind: str
    evidence: tuple[Evidence, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "comparator": self.comparator,
            "year": self.year,
            "kind": self.kind,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class Extraction:
    """Everything extraction found in one article."""

    article: Article
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
    indicators: tuple[Indicator, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The gold format of ANNOTATION.md, plus evidence per item."""
        art = self.article
        return {
            "id": art.id,
            "file": art.file,
            "title": art.title,
            "date": art.date,
            "source": art.source,
            "url": art.url,
            "entities": [e.to_json() for e in self.entities],
            "relations": [r.to_json() for r in self.relations],
            "indicators": [i.to_json() for i in self.indicators],
        }

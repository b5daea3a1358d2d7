"""Entities: the store in; its canonical entities with their aliases and article counts out."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import InputError
from kg.model import ENTITY_TYPES
from kg.normalize import to_simplified
from kg.rdf.namespaces import ONTOLOGY, sparql_prefixes
from kg.rdf.store import KgStore

_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class EntityRow:
    iri: str
    type: str
    name: str
    aliases: tuple[str, ...]
    articles: int


def list_entities(
    store: KgStore,
    *,
    entity_type: str | None = None,
    search: str | None = None,
    limit: int | None = None,
) -> list[EntityRow]:
    """Entities (of one type, or whose name or an alias contains `search`), most mentioned first."""
    if entity_type is not None and entity_type not in ENTITY_TYPES:
        raise InputError(
            f"{entity_type!r} is not an entity type; use one of {', '.join(ENTITY_TYPES)}"
        )
    types = " ".join(f"kg:{t}" for t in ((entity_type,) if entity_type else ENTITY_TYPES))
    where = ""
    if search:
        # Literals are written by pyoxigraph, so a search string cannot break out of the query.
        needles = {search.strip().lower(), to_simplified(search.strip()).lower()}
        tests = " || ".join(
            f"CONTAINS(LCASE(STR(?l)), {ox.Literal(n)})" for n in sorted(needles) if n
        )
        where = f"FILTER EXISTS {{ ?e rdfs:label|skos:altLabel ?l . FILTER({tests}) }}"
    query = (
        sparql_prefixes()
        + f"""
        SELECT ?e ?type ?label
               (GROUP_CONCAT(DISTINCT STR(?alias); separator="{_SEPARATOR}") AS ?aliases)
               (COUNT(DISTINCT ?article) AS ?n)
        WHERE {{
          VALUES ?type {{ {types} }}
          ?e a ?type ; rdfs:label ?label .
          {where}
          OPTIONAL {{ ?e skos:altLabel ?alias }}
          OPTIONAL {{ ?e kg:mentionedIn ?article }}
        }}
        GROUP BY ?e ?type ?label
        ORDER BY DESC(?n) ?type STR(?label)
        {f"LIMIT {int(limit)}" if limit else ""}"""
    )
    rows = []
    for row in store.query(query):
        aliases = row["aliases"].value if row["aliases"] is not None else ""
        rows.append(
            EntityRow(
                iri=row["e"].value,
                type=row["type"].value.removeprefix(ONTOLOGY),
                name=row["label"].value,
                aliases=tuple(sorted(a for a in aliases.split(_SEPARATOR) if a)),
                articles=int(row["n"].value),
            )
        )
    return rows

"""Query: questions to the store, from the counts of `kg stats` to a researcher's SPARQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.rdf.namespaces import DCTERMS, ONTOLOGY, SCHEMA
from kg.rdf.store import KgStore


def _count(store: KgStore, sparql: str) -> int:
    rows = list(store.query(sparql))
    return int(rows[0]["n"].value) if rows else 0


def store_stats(store: KgStore) -> dict[str, Any]:
    """Counts of articles, triples, named graphs and entities by type."""
    entities: dict[str, int] = {}
    rows = store.query(
        f"""SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {{
              GRAPH ?g {{ ?e a ?type }}
              FILTER(STRSTARTS(STR(?type), "{ONTOLOGY}") && ?type != <{ONTOLOGY}Article>
                     && ?type != <{ONTOLOGY}Indicator> && ?type != <{ONTOLOGY}Assertion>)
            }} GROUP BY ?type ORDER BY ?type"""
    )
    for row in rows:
        entities[row["type"].value.removeprefix(ONTOLOGY)] = int(row["n"].value)
    return {
        "articles": _count(
            store,
            "SELECT (COUNT(DISTINCT ?a) AS ?n) "
            f"WHERE {{ GRAPH ?g {{ ?a a <{ONTOLOGY}Article> }} }}",
        ),
        "triples": _count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        "graphs": len(store.named_graphs()),
        "entities": entities,
    }


@dataclass(frozen=True)
class ArticleRow:
    id: str
    title: str
    date: str | None
    source: str | None
    url: str | None


def list_articles(store: KgStore) -> list[ArticleRow]:
    """Every article in the store, by date then id."""
    rows = store.query(
        f"""SELECT ?id ?title ?date ?source ?url WHERE {{
              GRAPH ?g {{
                ?a a <{ONTOLOGY}Article> ; <{DCTERMS}identifier> ?id .
                OPTIONAL {{ ?a <{DCTERMS}title> ?title }}
                OPTIONAL {{ ?a <{DCTERMS}date> ?date }}
                OPTIONAL {{ ?a <{DCTERMS}publisher> ?source }}
                OPTIONAL {{ ?a <{SCHEMA}url> ?url }}
              }}
            }} ORDER BY ?date ?id"""
    )

    def value(row: Any, key: str) -> str | None:
        term = row[key]
        return term.value if term is not None else None

    return [
        ArticleRow(
            id=value(row, "id") or "",
            title=value(row, "title") or "",
            date=value(row, "date"),
            source=value(row, "source"),
            url=value(row, "url"),
        )
        for row in rows
    ]

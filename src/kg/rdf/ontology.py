"""The ontology (ontology/kg.ttl) as Python reads it: domains and ranges of predicates, labels.

Linking and mapping take the contract's type constraints from here rather than from a copy in
code, so that the ontology, the shapes and the writer cannot drift apart.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.rdf.namespaces import ONTOLOGY, sparql_prefixes
from kg.resources import ontology_dir

ONTOLOGY_IRI = "https://w3id.org/kg-innovation/ontology"


def ontology_file() -> Path:
    return ontology_dir() / "kg.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


@lru_cache(maxsize=1)
def ontology_store() -> ox.Store:
    """The ontology in an in-memory store."""
    path = ontology_file()
    store = ox.Store()
    try:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    except (OSError, SyntaxError) as exc:
        raise InputError(f"{path}: cannot read the ontology ({exc}); reinstall kg") from None
    return store


def _select(query: str) -> ox.QuerySolutions:
    results = ontology_store().query(query)
    assert isinstance(results, ox.QuerySolutions)  # every query here is a SELECT
    return results


def _local(term: ox.NamedNode) -> str:
    return term.value.removeprefix(ONTOLOGY)


def _class_sets(prop: str, which: str) -> frozenset[str]:
    query = (
        sparql_prefixes()
        + f"""
        SELECT ?c WHERE {{
          {{ kg:{prop} rdfs:{which} ?c FILTER(isIRI(?c)) }}
          UNION {{ kg:{prop} rdfs:{which}/owl:unionOf/rdf:rest*/rdf:first ?c }}
        }}"""
    )
    return frozenset(_local(row["c"]) for row in _select(query))


@lru_cache(maxsize=64)
def predicate_signature(predicate: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(domain types, range types) of a relation predicate of ANNOTATION.md, or None if unknown."""
    if predicate not in relation_predicates():
        return None
    return _class_sets(predicate, "domain"), _class_sets(predicate, "range")


@lru_cache(maxsize=1)
def relation_predicates() -> tuple[str, ...]:
    """The predicates of ANNOTATION.md: object properties between two entity classes."""
    query = (
        sparql_prefixes()
        + """
        SELECT DISTINCT ?p WHERE {
          ?p a owl:ObjectProperty ; rdfs:domain ?d ; rdfs:range ?r .
          FILTER NOT EXISTS { ?p rdfs:domain kg:Mention }
          FILTER NOT EXISTS { ?p rdfs:domain kg:Indicator }
          FILTER NOT EXISTS { ?p rdfs:range kg:Article }
          FILTER (?p NOT IN (kg:inProvince, kg:inCity))
        } ORDER BY ?p"""
    )
    return tuple(_local(row["p"]) for row in _select(query))


@lru_cache(maxsize=1)
def entity_types() -> tuple[str, ...]:
    """The entity classes: direct subclasses of kg:Entity."""
    query = sparql_prefixes() + "SELECT ?c WHERE { ?c rdfs:subClassOf kg:Entity } ORDER BY ?c"
    return tuple(_local(row["c"]) for row in _select(query))


@lru_cache(maxsize=1)
def labels(language: str = "zh") -> dict[str, str]:
    """Local name -> label in `language` of every class and property of the ontology."""
    query = (
        sparql_prefixes()
        + f"""
        SELECT ?t ?l WHERE {{
          ?t rdfs:label ?l . FILTER(STRSTARTS(STR(?t), "{ONTOLOGY}") && LANG(?l) = "{language}")
        }}"""
    )
    return {_local(row["t"]): row["l"].value for row in _select(query)}

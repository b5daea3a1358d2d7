"""The IRIs kg mints and the vocabularies it uses, in one place."""

from __future__ import annotations

import re
import urllib.parse
from functools import lru_cache

import pyoxigraph as ox

BASE = "https://w3id.org/kg-innovation/"
ONTOLOGY = BASE + "ontology#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES = {
    "kg": ONTOLOGY,
    "kgid": ID,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "schema": SCHEMA,
    "org": ORG,
}


def sparql_prefixes() -> str:
    """PREFIX lines for every vocabulary above, to put before a user's query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


# Terms are immutable and a build makes the same few hundred thousands of times: cache them.
@lru_cache(maxsize=4096)
def kg(name: str) -> ox.NamedNode:
    return ox.NamedNode(ONTOLOGY + name)


@lru_cache(maxsize=4096)
def term(prefix_iri: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(prefix_iri + name)


# Characters that RFC 3987 does not allow in an IRI, or that break SPARQL and Turtle IRI refs.
_UNSAFE = re.compile(r"[\x00-\x20<>\"{}|\\^`#?/%\[\]\u007f-\u009f]")


def iri_segment(text: str) -> str:
    """A readable IRI path segment: Chinese stays as is, unsafe characters are percent-encoded."""
    return _UNSAFE.sub(lambda m: urllib.parse.quote(m.group(0), safe=""), text.strip())


# The IRI scheme, as strings (the RDF mapping writes N-Quads text with them) and as terms.


def article_iri_text(article_id: str) -> str:
    return ID + "article/" + iri_segment(article_id)


def graph_iri_text(article_id: str) -> str:
    return GRAPH + iri_segment(article_id)


def entity_iri_text(entity_type: str, canonical_name: str) -> str:
    """`kgid:{Type}/{canonical name}`: the same name and type give the same IRI everywhere."""
    return f"{ID}{entity_type}/{iri_segment(canonical_name)}"


def article_item_iri_text(kind: str, article_id: str, number: int) -> str:
    """`kgid:{kind}/{article id}/{n}` for an article's assertions, indicators and mentions."""
    return f"{ID}{kind}/{iri_segment(article_id)}/{number}"


def article_iri(article_id: str) -> ox.NamedNode:
    return ox.NamedNode(article_iri_text(article_id))


def graph_iri(article_id: str) -> ox.NamedNode:
    return ox.NamedNode(graph_iri_text(article_id))


def article_id_of_graph(graph: ox.NamedNode) -> str:
    return urllib.parse.unquote(graph.value.removeprefix(GRAPH))


def entity_iri(entity_type: str, canonical_name: str) -> ox.NamedNode:
    """`kgid:{Type}/{canonical name}`: the same name and type give the same IRI everywhere."""
    return ox.NamedNode(entity_iri_text(entity_type, canonical_name))


def article_item_iri(kind: str, article_id: str, number: int) -> ox.NamedNode:
    """`kgid:{kind}/{article id}/{n}` for an article's assertions, indicators and mentions."""
    return ox.NamedNode(article_item_iri_text(kind, article_id, number))


def entity_name_of_iri(iri: str) -> tuple[str, str]:
    """(type, canonical name) of an entity IRI minted by `entity_iri`."""
    entity_type, _, segment = iri.removeprefix(ID).partition("/")
    return entity_type, urllib.parse.unquote(segment)

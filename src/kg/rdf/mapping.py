"""From articles and their extractions to quads: one named graph per article.

The article node carries its metadata (Dublin Core), its text and a fingerprint of what produced
the graph, so that a rebuild with unchanged inputs does no extraction work.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.model import Article, Extraction
from kg.rdf.namespaces import DCTERMS, PROV, RDF, SCHEMA, XSD, article_iri, graph_iri, kg, term

A = term(RDF, "type")


def _literal(value: str, datatype: str | None = None) -> ox.Literal:
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


def article_quads(article: Article, fingerprint: str) -> list[ox.Quad]:
    """The article's own node: type, title, date, source, URL, file, text and fingerprint."""
    graph = graph_iri(article.id)
    node = article_iri(article.id)
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.Literal | ox.NamedNode]] = [
        (node, A, kg("Article")),
        (node, A, term(PROV, "Entity")),
        (node, term(DCTERMS, "identifier"), _literal(article.id)),
        (node, kg("text"), _literal(article.full_text)),
        (node, kg("fingerprint"), _literal(fingerprint)),
    ]
    if article.title:
        triples.append((node, term(DCTERMS, "title"), _literal(article.title)))
    if article.date:
        triples.append((node, term(DCTERMS, "date"), _literal(article.date, XSD + "date")))
    if article.source:
        triples.append((node, term(DCTERMS, "publisher"), _literal(article.source)))
    if article.url:
        url = article.url
        try:
            triples.append((node, term(SCHEMA, "url"), ox.NamedNode(url)))
        except ValueError:
            triples.append((node, term(SCHEMA, "url"), _literal(url, XSD + "anyURI")))
    if article.file:
        triples.append((node, kg("sourceFile"), _literal(article.file)))
    return [ox.Quad(s, p, o, graph) for s, p, o in triples]


def extraction_quads(extraction: Extraction, fingerprint: str) -> list[ox.Quad]:
    """All quads of one article's named graph."""
    return article_quads(extraction.article, fingerprint)

"""From an article's extraction to quads: one named graph per article, the model of ontology/kg.ttl.

`extraction_quads` links the extraction (kg.link) and writes, all in the article's graph:
- the article node (Dublin Core metadata, text, fingerprint of what produced the graph);
- each canonical entity: type, `rdfs:label` (its canonical name), `skos:altLabel` (the other
  names this article uses), `kg:mentionedIn` the article, gazetteer facts, and one `kg:Mention`
  node per piece of evidence;
- each relation as the direct triple `<s> kg:{predicate} <o>` plus one `kg:Assertion` node per
  piece of evidence (rdf:subject/predicate/object, prov:wasDerivedFrom the article, sentence,
  span, extractor, confidence, role);
- each indicator as a `kg:Indicator` node (value as xsd:decimal, unit, comparator, year, kind,
  and the value in its base unit) with the same evidence properties.

Entities live in article graphs only, so removing an article's graph removes exactly what it
supported, and an entity that no article mentions any more disappears. Numbering of assertion,
indicator and mention nodes follows a sort of their content, so the same extraction always gives
the same graph.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

import pyoxigraph as ox

from kg.link import Gazetteer, LinkedArticle, LinkedEntity, link_extraction
from kg.model import Article, Evidence, Extraction
from kg.rdf.namespaces import (
    DCTERMS,
    ORG,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    article_iri,
    article_item_iri,
    entity_iri,
    graph_iri,
    kg,
    term,
)

A = term(RDF, "type")
LABEL = term(RDFS, "label")
ALT_LABEL = term(SKOS, "altLabel")
DERIVED_FROM = term(PROV, "wasDerivedFrom")

Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]

# Magnitude words that open a Chinese unit (8亿元 = 800000000 元), longest first.
MAGNITUDES = (
    ("万亿", 10**12),
    ("千亿", 10**11),
    ("百亿", 10**10),
    ("十亿", 10**9),
    ("亿", 10**8),
    ("千万", 10**7),
    ("百万", 10**6),
    ("十万", 10**5),
    ("万", 10**4),
    ("千", 10**3),
    ("百", 10**2),
)


def _literal(value: str, datatype: str | None = None) -> ox.Literal:
    if datatype:
        return ox.Literal(value, datatype=_datatype(datatype))
    return ox.Literal(value)


@lru_cache(maxsize=16)
def _datatype(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _zh(value: str) -> ox.Literal:
    return ox.Literal(value, language="zh")


def _decimal(value: float | int | Decimal) -> ox.Literal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number.normalize(), "f") if number != 0 else "0"
    return _literal(text, XSD + "decimal")


def _integer(value: int) -> ox.Literal:
    return _literal(str(int(value)), XSD + "integer")


def base_unit(value: float | int | Decimal, unit: str) -> tuple[Decimal, str]:
    """The value in the unit without its magnitude word: (8, 亿元) -> (800000000, 元)."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal(0)
    if "百分" in unit:
        return number, unit
    for word, factor in MAGNITUDES:
        if unit.startswith(word) and len(unit) > len(word):
            return number * factor, unit[len(word) :]
    return number, unit


def article_quads(article: Article, fingerprint: str) -> list[ox.Quad]:
    """The article's own node: type, title, date, source, URL, file, text and fingerprint."""
    graph = graph_iri(article.id)
    node = article_iri(article.id)
    triples: list[Triple] = [
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


def _evidence_triples(node: ox.NamedNode, evidence: Evidence | None) -> list[Triple]:
    if evidence is None:
        return []
    return [
        (node, kg("sentence"), _literal(evidence.sentence)),
        (node, kg("start"), _integer(evidence.start)),
        (node, kg("end"), _integer(evidence.end)),
        (node, kg("extractor"), _literal(evidence.component)),
        (node, kg("confidence"), _decimal(round(evidence.confidence, 4))),
    ]


def _evidence_order(evidence: Evidence) -> tuple[int, int, str, str, float]:
    e = evidence
    return (e.start, e.end, e.component, e.sentence, e.confidence)


def _sorted_evidence(evidence: tuple[Evidence, ...]) -> list[Evidence]:
    return sorted(set(evidence), key=_evidence_order)


class _Figure(NamedTuple):
    """An indicator's content: what identifies it within one article (year -1: none)."""

    subject: tuple[str, str]
    name: str
    value: Decimal
    unit: str
    comparator: str
    year: int
    kind: str


def _entity_triples(entity: LinkedEntity, article: ox.NamedNode) -> list[Triple]:
    node = entity_iri(entity.type, entity.key)
    triples: list[Triple] = [(node, A, kg(entity.type)), (node, LABEL, _zh(entity.key))]
    triples += [(node, ALT_LABEL, _zh(name)) for name in entity.names if name != entity.key]
    if entity.mentioned:
        triples.append((node, kg("mentionedIn"), article))
    if entity.official_name:
        triples.append((node, kg("officialName"), _zh(entity.official_name)))
    if entity.code:
        triples.append((node, kg("divisionCode"), _literal(entity.code)))
    if entity.level:
        level = "placeLevel" if entity.type == "Place" else "zoneLevel"
        triples.append((node, kg(level), _literal(entity.level)))
    if entity.province and entity.province != entity.key:
        triples.append((node, kg("inProvince"), entity_iri("Place", entity.province)))
    if entity.city and entity.city != entity.key:
        triples.append((node, kg("inCity"), entity_iri("Place", entity.city)))
    return triples


def linked_quads(linked: LinkedArticle, fingerprint: str) -> list[ox.Quad]:
    """All quads of one article's named graph, from its linked extraction."""
    article = linked.extraction.article
    graph = graph_iri(article.id)
    node = article_iri(article.id)
    triples: list[Triple] = []

    number = 0
    for entity in linked.entities:
        triples += _entity_triples(entity, node)
        for evidence in _sorted_evidence(entity.evidence):
            number += 1
            mention = article_item_iri("mention", article.id, number)
            triples += [
                (mention, A, kg("Mention")),
                (mention, kg("mentionOf"), entity_iri(entity.type, entity.key)),
                (mention, DERIVED_FROM, node),
            ]
            triples += _evidence_triples(mention, evidence)

    no_evidence: list[Evidence | None] = [None]
    statements = {
        (rel.subject, rel.predicate, rel.object, rel.role or "", evidence)
        for rel in linked.relations
        for evidence in (_sorted_evidence(rel.evidence) or no_evidence)
    }

    def statement_order(item: tuple[object, ...]) -> tuple[object, ...]:
        evidence = item[4]
        return (*item[:4], _evidence_order(evidence) if isinstance(evidence, Evidence) else ())

    ordered = sorted(statements, key=statement_order)
    for number, (subject, predicate, obj, role, said) in enumerate(ordered, start=1):
        s, o = entity_iri(*subject), entity_iri(*obj)
        triples.append((s, kg(predicate), o))
        if predicate == "partOf" and subject[0] == "Industry":
            triples.append((s, term(SKOS, "broader"), o))
        if predicate == "partOf" and subject[0] == "Organization":
            triples.append((s, term(ORG, "subOrganizationOf"), o))
        assertion = article_item_iri("assertion", article.id, number)
        triples += [
            (assertion, A, kg("Assertion")),
            (assertion, term(RDF, "subject"), s),
            (assertion, term(RDF, "predicate"), kg(predicate)),
            (assertion, term(RDF, "object"), o),
            (assertion, DERIVED_FROM, node),
        ]
        if role:
            triples.append((assertion, kg("role"), _literal(role)))
        if predicate == "holdsPositionIn" and obj[0] == "Organization":
            triples += [
                (assertion, A, term(ORG, "Membership")),
                (assertion, term(ORG, "member"), s),
                (assertion, term(ORG, "organization"), o),
            ]
        triples += _evidence_triples(assertion, said)

    figures: dict[_Figure, list[Evidence]] = {}
    for ind in linked.indicators:
        figure = _Figure(
            ind.subject,
            ind.name,
            Decimal(str(ind.value)),
            ind.unit,
            ind.comparator,
            ind.year if ind.year is not None else -1,
            ind.kind,
        )
        figures.setdefault(figure, []).extend(ind.evidence)

    def figure_order(figure: _Figure) -> tuple[object, ...]:
        evidence = _sorted_evidence(tuple(figures[figure]))
        return (*figure, _evidence_order(evidence[0]) if evidence else ())

    for number, figure in enumerate(sorted(figures, key=figure_order), start=1):
        indicator = article_item_iri("indicator", article.id, number)
        base_value, base = base_unit(figure.value, figure.unit)
        triples += [
            (indicator, A, kg("Indicator")),
            (indicator, kg("indicatorOf"), entity_iri(*figure.subject)),
            (indicator, kg("name"), _literal(figure.name)),
            (indicator, kg("value"), _decimal(figure.value)),
            (indicator, kg("unit"), _literal(figure.unit)),
            (indicator, kg("baseValue"), _decimal(base_value)),
            (indicator, kg("baseUnit"), _literal(base)),
            (indicator, kg("comparator"), _literal(figure.comparator)),
            (indicator, kg("kind"), _literal(figure.kind)),
            (indicator, DERIVED_FROM, node),
        ]
        if figure.year >= 0:
            triples.append((indicator, kg("year"), _integer(figure.year)))
        found = _sorted_evidence(tuple(figures[figure]))
        triples += _evidence_triples(indicator, found[0] if found else None)

    quads = article_quads(article, fingerprint)
    seen = {(q.subject, q.predicate, q.object) for q in quads}
    for triple in triples:
        if triple not in seen:
            seen.add(triple)
            quads.append(ox.Quad(*triple, graph))
    return quads


def extraction_quads(
    extraction: Extraction, fingerprint: str, *, gazetteer: Gazetteer | None = None
) -> list[ox.Quad]:
    """All quads of one article's named graph: the article linked, then written as the model."""
    return linked_quads(link_extraction(extraction, gazetteer), fingerprint)

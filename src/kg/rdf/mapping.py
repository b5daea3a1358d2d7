"""From an article's extraction to quads: one named graph per article, the model of ontology/kg.ttl.

`extraction_quads` links the extraction (kg.link) and writes, all in the article's graph:
- the article node (Dublin Core metadata, text, fingerprint of what produced the graph);
- each canonical entity: type, `rdfs:label` (its canonical name), `skos:altLabel` (the other
  names this article uses), `kg:mentionedIn` the article, gazetteer facts, and one `kg:Mention`
  node: the evidence of the entity's first occurrence and `kg:occurrences`, how many times the
  article names it;
- each relation as the direct triple `<s> kg:{predicate} <o>` plus one `kg:Assertion` node per
  piece of evidence (rdf:subject/predicate/object, prov:wasDerivedFrom the article, sentence,
  span, extractor, confidence, role);
- each indicator as a `kg:Indicator` node (value as xsd:decimal, unit, comparator, year, kind,
  and the value in its base unit) with the same evidence properties.

Entities live in article graphs only, so removing an article's graph removes exactly what it
supported, and an entity that no article mentions any more disappears. Numbering of assertion,
indicator and mention nodes follows a sort of their content, so the same extraction always gives
the same graph.

The graph is written as N-Quads text (`extraction_nquads`), which the build's workers hand to
the store's bulk loader as it is: building a pyoxigraph object per term and per quad cost more
than the rest of the mapping together. `extraction_quads` parses that text back into quads.
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
    ONTOLOGY,
    ORG,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    article_iri_text,
    article_item_iri_text,
    entity_iri_text,
    graph_iri_text,
)

# The version of the model written for one extraction: part of every article's fingerprint, so a
# store written by another version is rewritten by the next build. Raise it whenever the quads
# written for the same extraction change.
MAPPING_VERSION = "2"

# Terms in N-Triples syntax ("<iri>", "\"text\"@zh", "\"1\"^^<xsd:integer>").
Term = str
Triple = tuple[Term, Term, Term]


def _iri(value: str) -> Term:
    return f"<{value}>"


def _kg(name: str) -> Term:
    return f"<{ONTOLOGY}{name}>"


A = _iri(RDF + "type")
LABEL = _iri(RDFS + "label")
ALT_LABEL = _iri(SKOS + "altLabel")
DERIVED_FROM = _iri(PROV + "wasDerivedFrom")
SENTENCE, START, END = _kg("sentence"), _kg("start"), _kg("end")
EXTRACTOR, CONFIDENCE = _kg("extractor"), _kg("confidence")
_DECIMAL = f"^^<{XSD}decimal>"
_INTEGER = f"^^<{XSD}integer>"

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


def _escape(value: str) -> str:
    # what N-Triples does not allow unescaped in a string literal (ECHAR)
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if '"' in value:
        value = value.replace('"', '\\"')
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def _literal(value: str, datatype: str | None = None) -> Term:
    if datatype:
        return f'"{_escape(value)}"^^<{datatype}>'
    return f'"{_escape(value)}"'


def _zh(value: str) -> Term:
    return f'"{_escape(value)}"@zh'


def _decimal(value: float | int | Decimal) -> Term:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number.normalize(), "f") if number != 0 else "0"
    return f'"{text}"{_DECIMAL}'


def _integer(value: int) -> Term:
    return f'"{int(value)}"{_INTEGER}'


@lru_cache(maxsize=65536)
def _entity(entity_type: str, canonical_name: str) -> Term:
    return _iri(entity_iri_text(entity_type, canonical_name))


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


def article_triples(article: Article, fingerprint: str) -> list[Triple]:
    """The article's own node: type, title, date, source, URL, file, text and fingerprint."""
    node = _iri(article_iri_text(article.id))
    triples: list[Triple] = [
        (node, A, _kg("Article")),
        (node, A, _iri(PROV + "Entity")),
        (node, _iri(DCTERMS + "identifier"), _literal(article.id)),
        (node, _kg("text"), _literal(article.full_text)),
        (node, _kg("fingerprint"), _literal(fingerprint)),
    ]
    if article.title:
        triples.append((node, _iri(DCTERMS + "title"), _literal(article.title)))
    if article.date:
        triples.append((node, _iri(DCTERMS + "date"), _literal(article.date, XSD + "date")))
    if article.source:
        triples.append((node, _iri(DCTERMS + "publisher"), _literal(article.source)))
    if article.url:
        url = article.url
        try:
            ox.NamedNode(url)  # a valid IRI is written as one, anything else as a literal
            triples.append((node, _iri(SCHEMA + "url"), _iri(url)))
        except ValueError:
            triples.append((node, _iri(SCHEMA + "url"), _literal(url, XSD + "anyURI")))
    if article.file:
        triples.append((node, _kg("sourceFile"), _literal(article.file)))
    return triples


def _evidence_triples(node: Term, evidence: Evidence | None) -> list[Triple]:
    if evidence is None:
        return []
    return [
        (node, SENTENCE, _literal(evidence.sentence)),
        (node, START, _integer(evidence.start)),
        (node, END, _integer(evidence.end)),
        (node, EXTRACTOR, _literal(evidence.component)),
        (node, CONFIDENCE, _decimal(round(evidence.confidence, 4))),
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


def _entity_triples(entity: LinkedEntity, article: Term) -> list[Triple]:
    node = _entity(entity.type, entity.key)
    triples: list[Triple] = [(node, A, _kg(entity.type)), (node, LABEL, _zh(entity.key))]
    triples += [(node, ALT_LABEL, _zh(name)) for name in entity.names if name != entity.key]
    if entity.mentioned:
        triples.append((node, _kg("mentionedIn"), article))
    if entity.official_name:
        triples.append((node, _kg("officialName"), _zh(entity.official_name)))
    if entity.code:
        triples.append((node, _kg("divisionCode"), _literal(entity.code)))
    if entity.level:
        level = "placeLevel" if entity.type == "Place" else "zoneLevel"
        triples.append((node, _kg(level), _literal(entity.level)))
    if entity.province and entity.province != entity.key:
        triples.append((node, _kg("inProvince"), _entity("Place", entity.province)))
    if entity.city and entity.city != entity.key:
        triples.append((node, _kg("inCity"), _entity("Place", entity.city)))
    return triples


def linked_triples(linked: LinkedArticle, fingerprint: str) -> list[Triple]:
    """The triples of one article's named graph, from its linked extraction, each once."""
    article = linked.extraction.article
    node = _iri(article_iri_text(article.id))
    triples: list[Triple] = []

    # One mention per entity: where the article first names it, and how many times it does.
    # (One node per occurrence made mentions 40% of all quads, for evidence no query asked.)
    number = 0
    for entity in linked.entities:
        triples += _entity_triples(entity, node)
        evidence = _sorted_evidence(entity.evidence)
        if not evidence:
            continue
        number += 1
        mention = _iri(article_item_iri_text("mention", article.id, number))
        triples += [
            (mention, A, _kg("Mention")),
            (mention, _kg("mentionOf"), _entity(entity.type, entity.key)),
            (mention, DERIVED_FROM, node),
            (mention, _kg("occurrences"), _integer(len({(e.start, e.end) for e in evidence}))),
        ]
        triples += _evidence_triples(mention, evidence[0])

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
        s, o, p = _entity(*subject), _entity(*obj), _kg(predicate)
        triples.append((s, p, o))
        if predicate == "partOf" and subject[0] == "Industry":
            triples.append((s, _iri(SKOS + "broader"), o))
        if predicate == "partOf" and subject[0] == "Organization":
            triples.append((s, _iri(ORG + "subOrganizationOf"), o))
        assertion = _iri(article_item_iri_text("assertion", article.id, number))
        triples += [
            (assertion, A, _kg("Assertion")),
            (assertion, _iri(RDF + "subject"), s),
            (assertion, _iri(RDF + "predicate"), p),
            (assertion, _iri(RDF + "object"), o),
            (assertion, DERIVED_FROM, node),
        ]
        if role:
            triples.append((assertion, _kg("role"), _literal(role)))
        if predicate == "holdsPositionIn" and obj[0] == "Organization":
            triples += [
                (assertion, A, _iri(ORG + "Membership")),
                (assertion, _iri(ORG + "member"), s),
                (assertion, _iri(ORG + "organization"), o),
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
        indicator = _iri(article_item_iri_text("indicator", article.id, number))
        base_value, base = base_unit(figure.value, figure.unit)
        triples += [
            (indicator, A, _kg("Indicator")),
            (indicator, _kg("indicatorOf"), _entity(*figure.subject)),
            (indicator, _kg("name"), _literal(figure.name)),
            (indicator, _kg("value"), _decimal(figure.value)),
            (indicator, _kg("unit"), _literal(figure.unit)),
            (indicator, _kg("baseValue"), _decimal(base_value)),
            (indicator, _kg("baseUnit"), _literal(base)),
            (indicator, _kg("comparator"), _literal(figure.comparator)),
            (indicator, _kg("kind"), _literal(figure.kind)),
            (indicator, DERIVED_FROM, node),
        ]
        if figure.year >= 0:
            triples.append((indicator, _kg("year"), _integer(figure.year)))
        found = _sorted_evidence(tuple(figures[figure]))
        triples += _evidence_triples(indicator, found[0] if found else None)

    # dict.fromkeys: each triple once, in the order written
    return list(dict.fromkeys(article_triples(article, fingerprint) + triples))


def linked_nquads(linked: LinkedArticle, fingerprint: str) -> tuple[bytes, int]:
    """One article's named graph as N-Quads (UTF-8), and how many quads it holds."""
    triples = linked_triples(linked, fingerprint)
    end = f" <{graph_iri_text(linked.extraction.article.id)}> .\n"
    text = "".join([f"{s} {p} {o}{end}" for s, p, o in triples])
    return text.encode("utf-8"), len(triples)


def extraction_nquads(
    extraction: Extraction, fingerprint: str, *, gazetteer: Gazetteer | None = None
) -> tuple[bytes, int]:
    """An article's named graph as N-Quads and its number of quads: linked, then written."""
    return linked_nquads(link_extraction(extraction, gazetteer), fingerprint)


def extraction_quads(
    extraction: Extraction, fingerprint: str, *, gazetteer: Gazetteer | None = None
) -> list[ox.Quad]:
    """All quads of one article's named graph: the article linked, then written as the model."""
    nquads, _ = extraction_nquads(extraction, fingerprint, gazetteer=gazetteer)
    return list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))

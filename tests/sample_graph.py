"""A small invented graph in the RDF model of the brief, for the query, serve and export tests.

Three articles (2022, 2023, 2024), two zones in two provinces, their industries, an enterprise,
a programme, a talent policy, a person with a role, an indicator; every relation with its
`kg:Assertion`. One enterprise's name is a SPARQL injection attempt and one sentence holds
markup, so that escaping is tested on real content.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.rdf.namespaces import (
    DCTERMS,
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
INJECTION = 'x" } ; DROP ALL ; {'
MARKUP_SENTENCE = '青山高新区支持<b>"引号"</b>企业。'

ARTICLES = [
    ("t-1", "青山高新区发展新材料", "2022-05-01"),
    ("t-2", "白河经开区培育生物医药", "2023-03-10"),
    ("t-3", "青山高新区与白河经开区合作", "2024-07-20"),
]

# (type, name, aliases, articles)
ENTITIES = [
    ("Zone", "青山高新技术产业开发区", ("青山高新区",), ("t-1", "t-3")),
    ("Zone", "白河经济技术开发区", ("白河经开区",), ("t-2", "t-3")),
    ("Industry", "新材料", (), ("t-1",)),
    ("Industry", "生物医药", (), ("t-2", "t-3")),
    ("Enterprise", "青山新材料有限公司", ("青山新材",), ("t-1",)),
    ("Enterprise", INJECTION, (), ("t-1",)),
    ("Programme", "青山创业大赛", (), ("t-1",)),
    ("TalentPolicy", "柔性引才", (), ("t-2", "t-3")),
    ("Person", "李华", (), ("t-1",)),
    ("Place", "湖北省", (), ("t-1",)),
    ("Place", "河南省", (), ("t-2",)),
]

Z1, Z2 = "青山高新技术产业开发区", "白河经济技术开发区"

# (subject, predicate, object, article, sentence, role)
RELATIONS: list[tuple[str, str, str, str, str, str | None]] = [
    (Z1, "developsIndustry", "新材料", "t-1", "青山高新区发展新材料。", None),
    (Z1, "hostsProgramme", "青山创业大赛", "t-1", "青山高新区举办青山创业大赛。", None),
    (Z1, "supports", INJECTION, "t-1", MARKUP_SENTENCE, None),
    ("青山新材料有限公司", "locatedIn", Z1, "t-1", "青山新材落户青山高新区。", None),
    ("青山新材料有限公司", "operatesIn", "新材料", "t-1", "青山新材专注新材料。", None),
    ("李华", "holdsPositionIn", Z1, "t-1", "青山高新区管委会主任李华说。", "主任"),
    (Z2, "developsIndustry", "生物医药", "t-2", "白河经开区培育生物医药。", None),
    (Z2, "adoptsTalentPolicy", "柔性引才", "t-2", "白河经开区推行柔性引才。", None),
    (Z1, "cooperatesWith", Z2, "t-3", "青山高新区与白河经开区合作。", None),
    (Z1, "developsIndustry", "生物医药", "t-3", "两区共建生物医药产业链。", None),
    (Z1, "adoptsTalentPolicy", "柔性引才", "t-3", "青山高新区也推行柔性引才。", None),
]

PROVINCE_OF = {Z1: ("湖北省", "t-1"), Z2: ("河南省", "t-2")}

TYPE_OF = {name: etype for etype, name, _aliases, _articles in ENTITIES}


def iri_of(name: str) -> ox.NamedNode:
    return entity_iri(TYPE_OF[name], name)


def _q(article: str, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> ox.Quad:
    return ox.Quad(s, p, o, graph_iri(article))


def _evidence(article: str, node: ox.NamedNode, sentence: str) -> list[ox.Quad]:
    return [
        _q(article, node, term(PROV, "wasDerivedFrom"), article_iri(article)),
        _q(article, node, kg("sentence"), ox.Literal(sentence)),
        _q(article, node, kg("start"), ox.Literal("0", datatype=ox.NamedNode(XSD + "integer"))),
        _q(
            article,
            node,
            kg("end"),
            ox.Literal(str(len(sentence)), datatype=ox.NamedNode(XSD + "integer")),
        ),
        _q(article, node, kg("extractor"), ox.Literal("hand-written")),
        _q(
            article, node, kg("confidence"), ox.Literal("1", datatype=ox.NamedNode(XSD + "decimal"))
        ),
    ]


def sample_quads() -> list[ox.Quad]:
    """Every quad of the sample store."""
    quads: list[ox.Quad] = []
    for article, title, date in ARTICLES:
        node = article_iri(article)
        quads += [
            _q(article, node, A, kg("Article")),
            _q(article, node, term(DCTERMS, "identifier"), ox.Literal(article)),
            _q(article, node, term(DCTERMS, "title"), ox.Literal(title)),
            _q(
                article,
                node,
                term(DCTERMS, "date"),
                ox.Literal(date, datatype=ox.NamedNode(XSD + "date")),
            ),
            _q(article, node, term(SCHEMA, "url"), ox.NamedNode(f"https://example.org/{article}")),
        ]
    for etype, name, aliases, articles in ENTITIES:
        node = entity_iri(etype, name)
        for article in articles:
            quads += [
                _q(article, node, A, kg(etype)),
                _q(article, node, term(RDFS, "label"), ox.Literal(name, language="zh")),
                _q(article, node, kg("mentionedIn"), article_iri(article)),
            ]
            quads += [
                _q(article, node, term(SKOS, "altLabel"), ox.Literal(alias, language="zh"))
                for alias in aliases
            ]
    for zone, (province, article) in PROVINCE_OF.items():
        quads.append(_q(article, iri_of(zone), kg("inProvince"), iri_of(province)))
    numbers: dict[str, int] = {}
    for subject, predicate, obj, article, sentence, role in RELATIONS:
        s, o = iri_of(subject), iri_of(obj)
        numbers[article] = numbers.get(article, 0) + 1
        node = article_item_iri("assertion", article, numbers[article])
        quads += [
            _q(article, s, kg(predicate), o),
            _q(article, node, A, kg("Assertion")),
            _q(article, node, term(RDF, "subject"), s),
            _q(article, node, term(RDF, "predicate"), kg(predicate)),
            _q(article, node, term(RDF, "object"), o),
        ]
        if role:
            quads.append(_q(article, node, kg("role"), ox.Literal(role)))
        quads += _evidence(article, node, sentence)
    indicator = article_item_iri("indicator", "t-1", 1)
    quads += [
        _q("t-1", indicator, A, kg("Indicator")),
        _q("t-1", indicator, kg("indicatorOf"), iri_of(Z1)),
        _q("t-1", indicator, kg("name"), ox.Literal("新材料产值")),
        _q(
            "t-1", indicator, kg("value"), ox.Literal("100", datatype=ox.NamedNode(XSD + "decimal"))
        ),
        _q("t-1", indicator, kg("unit"), ox.Literal("亿元")),
        _q("t-1", indicator, kg("comparator"), ox.Literal(">=")),
        _q(
            "t-1", indicator, kg("year"), ox.Literal("2025", datatype=ox.NamedNode(XSD + "integer"))
        ),
        _q("t-1", indicator, kg("kind"), ox.Literal("target")),
        *_evidence("t-1", indicator, "力争新材料产值达到100亿元以上。"),
    ]
    return quads


def write_sample_store(path: str) -> None:
    """An embedded store at `path` holding the sample graph."""
    from kg.rdf.store import open_store

    store = open_store(path)
    try:
        store.add_quads(sample_quads())
    finally:
        store.close()

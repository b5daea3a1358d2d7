"""A small hand-written graph in the RDF model of the brief, for the analysis and viz tests.

Four invented zones, their industries, programmes, talent policies, enterprises, a person and a
policy document, spread over four articles, each relation with an `kg:Assertion` carrying its
sentence. One enterprise name and one sentence carry markup, to check that pages escape them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.rdf.namespaces import (
    DCTERMS,
    ID,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    article_iri,
    graph_iri,
    iri_segment,
    kg,
    term,
)

A = term(RDF, "type")
EVIL_NAME = '<script>window.__pwned = 1</script>"引号"科技公司'
MARKUP_NAME = "[bold]云溪储能[/bold]科技"  # rich markup: tables must print it as text
EVIL_SENTENCE = '云溪高新区引进<img src=x onerror="window.__pwned = 2">"引号"科技公司。'

# (id, title, date, url)
ARTICLES = [
    ("syn-1", "云溪高新区发力新材料", "2022-03-01", "https://example.org/news/1"),
    ("syn-2", "石湾经开区生物医药集群成形", "2023-01-18", "https://example.org/news/2"),
    ("syn-3", "北岭科技园与云溪高新区共建产业链", "2023-06-10", "https://example.org/news/3"),
    ("syn-4", "东湖新区人才新政发布", "2024-02-02", "javascript:alert(1)"),
    ("syn-5", "远山研究院换届", "", ""),
]

# (type, name, aliases, articles that mention it)
ENTITIES = [
    ("Zone", "云溪高新技术产业开发区", ("云溪高新区",), ("syn-1", "syn-3", "syn-4")),
    ("Zone", "石湾经济技术开发区", ("石湾经开区",), ("syn-2",)),
    ("Zone", "北岭科技园", (), ("syn-3",)),
    ("Zone", "东湖新区", (), ("syn-4",)),
    ("Zone", "江北创新示范区", (), ("syn-3",)),
    ("Industry", "新材料", (), ("syn-1", "syn-3")),
    ("Industry", "生物医药", (), ("syn-2", "syn-3")),
    ("Industry", "储能电池", (), ("syn-1", "syn-4")),
    ("Industry", "人工智能", (), ("syn-4",)),
    ("Programme", "星火创业大赛", (), ("syn-1", "syn-4")),
    ("Programme", "青年英才计划", (), ("syn-2",)),
    ("TalentPolicy", "柔性引才", (), ("syn-1", "syn-2", "syn-4")),
    ("TalentPolicy", "项目引才", (), ("syn-3",)),
    ("Enterprise", "云溪新材料有限公司", ("云溪新材",), ("syn-1", "syn-3")),
    ("Enterprise", "石湾药业集团", (), ("syn-2",)),
    ("Enterprise", EVIL_NAME, (), ("syn-1",)),
    ("Organization", "云溪高新区管委会", (), ("syn-1", "syn-4")),
    ("Organization", "云溪大学", (), ("syn-3",)),
    ("Place", "云溪市", (), ("syn-1",)),
    ("Place", "石湾市", (), ("syn-2",)),
    ("Person", "张明", (), ("syn-1",)),
    ("PolicyDocument", "东湖新区人才新政", (), ("syn-4",)),
    ("Enterprise", MARKUP_NAME, (), ("syn-1",)),
    ("Person", "李华", (), ("syn-5",)),
    ("Organization", "远山研究院", (), ("syn-5",)),
    ("Place", "江南省", (), ("syn-2",)),
]

Z1, Z2, Z3, Z4, Z5 = (
    "云溪高新技术产业开发区",
    "石湾经济技术开发区",
    "北岭科技园",
    "东湖新区",
    "江北创新示范区",
)

# (subject, predicate, object, article, sentence, role)
RELATIONS: list[tuple[str, str, str, str, str, str | None]] = [
    (Z1, "developsIndustry", "新材料", "syn-1", "云溪高新区大力发展新材料产业。", None),
    (Z1, "developsIndustry", "新材料", "syn-3", "云溪高新区的新材料产业链不断延伸。", None),
    (Z1, "developsIndustry", "储能电池", "syn-1", "云溪高新区布局储能电池。", None),
    (Z1, "hostsProgramme", "星火创业大赛", "syn-1", "云溪高新区举办星火创业大赛。", None),
    (Z1, "adoptsTalentPolicy", "柔性引才", "syn-1", "云溪高新区采取柔性引才方式。", None),
    (Z1, "locatedIn", "云溪市", "syn-1", "云溪高新区位于云溪市。", None),
    (Z1, "partOf", Z5, "syn-3", "云溪高新区是江北创新示范区的核心区。", None),
    (Z1, "supports", EVIL_NAME, "syn-1", EVIL_SENTENCE, None),
    ("云溪新材料有限公司", "locatedIn", Z1, "syn-1", "云溪新材料有限公司落户云溪高新区。", None),
    ("云溪新材料有限公司", "operatesIn", "新材料", "syn-1", "云溪新材专注新材料。", None),
    ("云溪高新区管委会", "supports", "星火创业大赛", "syn-1", "管委会支持星火创业大赛。", None),
    ("张明", "holdsPositionIn", Z1, "syn-1", "云溪高新区党工委书记张明介绍。", "书记"),
    (Z2, "developsIndustry", "生物医药", "syn-2", "石湾经开区聚焦生物医药。", None),
    (Z2, "hostsProgramme", "青年英才计划", "syn-2", "石湾经开区实施青年英才计划。", None),
    (Z2, "adoptsTalentPolicy", "柔性引才", "syn-2", "石湾经开区推行柔性引才。", None),
    (Z2, "locatedIn", "石湾市", "syn-2", "石湾经开区位于石湾市。", None),
    ("石湾药业集团", "locatedIn", Z2, "syn-2", "石湾药业集团扎根石湾经开区。", None),
    ("石湾药业集团", "operatesIn", "生物医药", "syn-2", "石湾药业集团深耕生物医药。", None),
    (Z3, "developsIndustry", "新材料", "syn-3", "北岭科技园同样发展新材料。", None),
    (Z3, "developsIndustry", "生物医药", "syn-3", "北岭科技园引入生物医药项目。", None),
    (Z3, "adoptsTalentPolicy", "项目引才", "syn-3", "北岭科技园以项目引才。", None),
    (Z3, "cooperatesWith", Z1, "syn-3", "北岭科技园与云溪高新区共建产业链。", None),
    ("云溪大学", "cooperatesWith", "云溪新材料有限公司", "syn-3", "云溪大学与云溪新材合作。", None),
    (Z4, "developsIndustry", "储能电池", "syn-4", "东湖新区发展储能电池。", None),
    (Z4, "developsIndustry", "人工智能", "syn-4", "东湖新区培育人工智能。", None),
    (Z4, "adoptsTalentPolicy", "柔性引才", "syn-4", "东湖新区推广柔性引才。", None),
    (Z4, "hostsProgramme", "星火创业大赛", "syn-4", "东湖新区承办星火创业大赛。", None),
    ("东湖新区人才新政", "supports", Z4, "syn-4", "东湖新区人才新政支持园区引才。", None),
    ("东湖新区人才新政", "issuedBy", "云溪高新区管委会", "syn-4", "虚构的发布关系。", None),
    (Z1, "adoptsTalentPolicy", "柔性引才", "syn-4", "云溪高新区也推行柔性引才。", None),
    (MARKUP_NAME, "locatedIn", Z1, "syn-1", "储能企业落户云溪高新区。", None),
    ("李华", "holdsPositionIn", "远山研究院", "syn-5", "李华任远山研究院院长。", "院长"),
]

# Facts that linking takes from the gazetteer, with no sentence: (subject, predicate, object,
# article whose graph holds them)
GAZETTEER = [
    (Z1, "inCity", "云溪市", "syn-1"),
    (Z2, "inProvince", "江南省", "syn-2"),
]
OFFICIAL_NAMES = {Z2: "石湾国家级经济技术开发区"}

# (subject, name, value, unit, comparator, year, kind, article, sentence)
INDICATORS = [
    (
        Z1,
        "新材料产值",
        "100",
        "亿元",
        ">=",
        2025,
        "target",
        "syn-1",
        "力争新材料产值达到100亿元以上。",
    ),
    (Z1, "企业数量", "320", "家", "=", None, "actual", "syn-3", "园区共有企业320家。"),
    (Z2, "生物医药产值", "50", "亿元", ">", 2024, "target", "syn-2", "生物医药产值突破50亿元。"),
]

TYPE_OF = {name: etype for etype, name, _aliases, _arts in ENTITIES}


def entity_iri(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}{TYPE_OF[name]}/{iri_segment(name)}")


@dataclass
class _Graphs:
    quads: list[ox.Quad] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def add(
        self, article: str, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal
    ) -> None:
        self.quads.append(ox.Quad(s, p, o, graph_iri(article)))

    def next_n(self, article: str) -> int:
        self.counters[article] = self.counters.get(article, 0) + 1
        return self.counters[article]


def _lit(value: str, datatype: str | None = None) -> ox.Literal:
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


def _zh(value: str) -> ox.Literal:
    return ox.Literal(value, language="zh")


def _evidence(g: _Graphs, article: str, node: ox.NamedNode, sentence: str) -> None:
    g.add(article, node, term(PROV, "wasDerivedFrom"), article_iri(article))
    g.add(article, node, kg("sentence"), _lit(sentence))
    g.add(article, node, kg("start"), _lit("0", XSD + "integer"))
    g.add(article, node, kg("end"), _lit(str(len(sentence)), XSD + "integer"))
    g.add(article, node, kg("extractor"), _lit("hand-written"))
    g.add(article, node, kg("confidence"), _lit("1.0", XSD + "decimal"))


def _check_model() -> None:
    """As in kg's RDF model, an article's graph declares every entity its relations use."""
    mentioned = {(name, a) for _t, name, _al, arts in ENTITIES for a in arts}
    ends = [(s, o, a) for s, _p, o, a, *_r in RELATIONS] + [(s, o, a) for s, _p, o, a in GAZETTEER]
    missing = [(n, a) for s, o, a in ends for n in (s, o) if (n, a) not in mentioned]
    if missing:
        raise ValueError(f"entities used but not mentioned in the article: {missing}")


def synthetic_quads() -> list[ox.Quad]:
    """Every quad of the synthetic store."""
    _check_model()
    g = _Graphs()
    for article, title, date, url in ARTICLES:
        node = article_iri(article)
        g.add(article, node, A, kg("Article"))
        g.add(article, node, term(DCTERMS, "identifier"), _lit(article))
        g.add(article, node, term(DCTERMS, "title"), _lit(title))
        if date:
            g.add(article, node, term(DCTERMS, "date"), _lit(date, XSD + "date"))
        if not url:
            continue
        if url.startswith("http"):
            g.add(article, node, term(SCHEMA, "url"), ox.NamedNode(url))
        else:
            g.add(article, node, term(SCHEMA, "url"), _lit(url, XSD + "anyURI"))
    for etype, name, aliases, articles in ENTITIES:
        node = entity_iri(name)
        for article in articles:
            g.add(article, node, A, kg(etype))
            g.add(article, node, term(RDFS, "label"), _zh(name))
            for alias in aliases:
                g.add(article, node, term(SKOS, "altLabel"), _zh(alias))
            g.add(article, node, kg("mentionedIn"), article_iri(article))
    for name, official in OFFICIAL_NAMES.items():
        for article in next(arts for _t, n, _a, arts in ENTITIES if n == name):
            g.add(article, entity_iri(name), kg("officialName"), _zh(official))
    for subject, predicate, obj, article in GAZETTEER:
        g.add(article, entity_iri(subject), kg(predicate), entity_iri(obj))
    for subject, predicate, obj, article, sentence, role in RELATIONS:
        s, o = entity_iri(subject), entity_iri(obj)
        g.add(article, s, kg(predicate), o)
        node = ox.NamedNode(f"{ID}assertion/{article}/{g.next_n(article)}")
        g.add(article, node, A, kg("Assertion"))
        g.add(article, node, term(RDF, "subject"), s)
        g.add(article, node, term(RDF, "predicate"), kg(predicate))
        g.add(article, node, term(RDF, "object"), o)
        if role:
            g.add(article, node, kg("role"), _lit(role))
        _evidence(g, article, node, sentence)
    for subject, name, value, unit, comparator, year, kind, article, sentence in INDICATORS:
        node = ox.NamedNode(f"{ID}indicator/{article}/{g.next_n(article)}")
        g.add(article, node, A, kg("Indicator"))
        g.add(article, node, kg("indicatorOf"), entity_iri(subject))
        g.add(article, node, kg("name"), _lit(name))
        g.add(article, node, kg("value"), _lit(value, XSD + "decimal"))
        g.add(article, node, kg("unit"), _lit(unit))
        g.add(article, node, kg("comparator"), _lit(comparator))
        if year is not None:
            g.add(article, node, kg("year"), _lit(str(year), XSD + "integer"))
        g.add(article, node, kg("kind"), _lit(kind))
        _evidence(g, article, node, sentence)
    return g.quads

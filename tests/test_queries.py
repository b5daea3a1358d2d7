"""The example queries (examples/queries/*.rq) on the dev corpus, built once per session.

Each query's answer is checked two ways: against the same question answered in Python from the
store's quads (so the SPARQL says what its comment says), and against facts of the gold
annotation of the dev corpus that the built graph must contain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.entities import list_entities
from kg.rdf.namespaces import DCTERMS, ONTOLOGY, PROV, RDF, RDFS
from kg.rdf.store import KgStore, open_store
from kg.validate import validate_store

from .conftest import CORPUS, EXAMPLES, need

QUERIES = EXAMPLES / "queries"
TYPE = RDF + "type"


@pytest.fixture(scope="session")
def dev_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KgStore]:
    location = tmp_path_factory.mktemp("dev") / "store"
    writer = open_store(location)
    try:
        report = build([str(need(CORPUS / "dev"))], writer, workers=1)
    finally:
        writer.close()
    assert report.built == 18 and not report.skipped
    store = open_store(location, read_only=True)
    yield store
    store.close()


def run(store: KgStore, name: str) -> list[dict[str, str]]:
    (path,) = QUERIES.glob(f"{name}*.rq")
    results = store.query(path.read_text(encoding="utf-8"))
    names = [v.value for v in results.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in results]


class Facts:
    """The store's triples (union of the article graphs), indexed for answers in Python."""

    def __init__(self, store: KgStore) -> None:
        self.triples = {(q.subject, q.predicate, q.object) for q in store.quads()}
        self.by_predicate: dict[str, set[tuple[ox.NamedNode, ox.Term]]] = defaultdict(set)
        for s, p, o in self.triples:
            self.by_predicate[p.value].add((s, o))
        self.label = {s: o.value for s, o in self.by_predicate[RDFS + "label"]}
        self.types = defaultdict(set)
        for s, o in self.by_predicate[TYPE]:
            self.types[s].add(o.value.removeprefix(ONTOLOGY))
        self.derived = dict(self.by_predicate[PROV + "wasDerivedFrom"])
        self.dates = {s: o.value for s, o in self.by_predicate[DCTERMS + "date"]}

    def objects(self, subject: object, predicate: str) -> set[ox.Term]:
        return {o for s, o in self.by_predicate[predicate] if s == subject}

    def assertions(self, predicate: str) -> list[tuple[ox.Term, ox.Term, ox.NamedNode]]:
        """(subject, object, article) of every assertion of a kg predicate."""
        kg_predicate = ox.NamedNode(ONTOLOGY + predicate)
        found = []
        for node, pred in self.by_predicate[RDF + "predicate"]:
            if pred == kg_predicate:
                (subject,) = self.objects(node, RDF + "subject")
                (obj,) = self.objects(node, RDF + "object")
                found.append((subject, obj, self.derived[node]))
        return found

    def is_a(self, node: object, entity_type: str) -> bool:
        return entity_type in self.types.get(node, set())  # type: ignore[call-overload]


@pytest.fixture(scope="session")
def facts(dev_store: KgStore) -> Facts:
    return Facts(dev_store)


def test_there_are_at_least_eight_commented_queries() -> None:
    files = sorted(QUERIES.glob("*.rq"))
    assert len(files) >= 8
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("# "), path.name


def test_01_zones_hosting_programmes(dev_store: KgStore, facts: Facts) -> None:
    rows = run(dev_store, "01")
    answer = {(r["zone"], r["programme"]): int(r["articles"]) for r in rows}
    expected: dict[tuple[str, str], set[ox.NamedNode]] = defaultdict(set)
    for zone, programme, article in facts.assertions("hostsProgramme"):
        if facts.is_a(zone, "Zone"):
            expected[(facts.label[zone], facts.label[programme])].add(article)
    assert answer == {k: len(v) for k, v in expected.items()}
    assert answer.get(("长沙高新区", "麓谷英才计划"), 0) >= 1
    assert answer.get(("成都高新区", "金熊猫英才计划"), 0) >= 1


def test_02_enterprises_by_industry_in_a_zone(dev_store: KgStore, facts: Facts) -> None:
    rows = run(dev_store, "02")
    in_zone = {(r["zone"], e) for r in rows for e in r["enterprises"].split("、")}
    zones = {label for node, label in facts.label.items() if facts.is_a(node, "Zone")}
    enterprises = {label for node, label in facts.label.items() if facts.is_a(node, "Enterprise")}
    assert all(zone in zones and e in enterprises for zone, e in in_zone)
    for row in rows:
        assert int(row["count"]) == len(row["enterprises"].split("、"))
    # An enterprise in a park of a zone is in the zone too (kg:locatedIn/kg:partOf*).
    assert ("长沙高新区", "岳麓重工集团") in in_zone
    assert ("长株潭国家自主创新示范区", "岳麓重工集团") in in_zone


def test_03_talent_policies_by_province(dev_store: KgStore, facts: Facts) -> None:
    rows = run(dev_store, "03")
    provinces = {label for node, label in facts.label.items() if facts.is_a(node, "Place")}
    assert rows and all(r["province"] in provinces for r in rows)
    for row in rows:
        assert int(row["zones"]) == len(row["adopted_by"].split("、"))
    answer = {(r["province"], r["policy"]): set(r["adopted_by"].split("、")) for r in rows}
    assert "武汉东湖高新区" in answer.get(("湖北省", "揭榜挂帅"), set())
    assert "西安高新区" in answer.get(("陕西省", "以赛引才"), set())


def test_04_targets_by_year(dev_store: KgStore, facts: Facts) -> None:
    rows = run(dev_store, "04")
    years = [int(r["year"]) for r in rows]
    assert years == sorted(years)
    targets_with_year = {
        node
        for node, kind in facts.by_predicate[ONTOLOGY + "kind"]
        if kind.value == "target" and facts.objects(node, ONTOLOGY + "year")
    }
    assert {r["indicator"] for r in rows} == {
        next(iter(facts.objects(n, ONTOLOGY + "name"))).value for n in targets_with_year
    }
    assert any(
        (r["year"], r["subject"], r["value"], r["unit"], r["comparator"])
        == ("2025", "南京江北新区", "900", "亿元", ">")
        for r in rows
    )


def test_05_zones_most_similar_in_industries(dev_store: KgStore, facts: Facts) -> None:
    rows = run(dev_store, "05")
    industries: dict[str, set[str]] = defaultdict(set)
    for zone, industry in facts.by_predicate[ONTOLOGY + "developsIndustry"]:
        if facts.is_a(zone, "Zone"):
            industries[facts.label[zone]].add(facts.label[industry])
    assert rows
    for row in rows:
        a, b = industries[row["zone1"]], industries[row["zone2"]]
        assert set(row["industries"].split("、")) == a & b
        assert int(row["shared"]) == len(a & b)
        assert Decimal(row["jaccard"]) == pytest.approx(Decimal(len(a & b)) / len(a | b))
    jaccards = [Decimal(r["jaccard"]) for r in rows]
    assert jaccards == sorted(jaccards, reverse=True)
    pairs = {frozenset((r["zone1"], r["zone2"])) for r in rows}
    assert frozenset(("深圳高新区", "南京江北新区")) in pairs  # both develop 集成电路


def test_06_the_sentence_behind_an_edge(dev_store: KgStore, facts: Facts) -> None:
    rows = run(dev_store, "06")
    by_title = {
        title.value: next(iter(facts.objects(article, ONTOLOGY + "text"))).value
        for article, title in facts.by_predicate[DCTERMS + "title"]
    }
    assert rows
    for row in rows:
        text = by_title[row["title"]]
        assert text[int(row["start"]) : int(row["end"])] == row["sentence"]
        assert row["object"] in {label for label in facts.label.values()}
    edges = {(r["subject"], r["object"]) for r in rows}
    assert ("成都高新区", "生物医药") in edges
    assert ("深圳高新区", "集成电路") in edges


def test_07_articles_about_a_zone_in_a_date_range(dev_store: KgStore, facts: Facts) -> None:
    rows = run(dev_store, "07")
    assert rows and all("2023-01-01" <= r["date"] <= "2024-12-31" for r in rows)
    assert {r["zone"] for r in rows} == {"长沙高新区"}
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates, reverse=True)
    # dev-08 (2023-07-14) is about it under its long name, dev-13 (2024-11-05) under the short.
    assert {"2023-07-14", "2024-11-05"} <= set(dates)


def test_08_industries_spreading_across_zones(dev_store: KgStore, facts: Facts) -> None:
    rows = run(dev_store, "08")
    first: dict[tuple[str, str], int] = {}
    for zone, industry, article in facts.assertions("developsIndustry"):
        if facts.is_a(zone, "Zone"):
            key = (facts.label[industry], facts.label[zone])
            year = int(facts.dates[article][:4])
            first[key] = min(first.get(key, year), year)
    expected: dict[tuple[str, int], tuple[set[str], int]] = {}
    for (industry, zone), year in first.items():
        so_far = sum(1 for (i, _), y in first.items() if i == industry and y <= year)
        zones, _ = expected.get((industry, year), (set(), 0))
        expected[(industry, year)] = (zones | {zone}, so_far)
    answer = {
        (r["industry"], int(r["year"])): (set(r["zones"].split("、")), int(r["zones_so_far"]))
        for r in rows
    }
    assert answer == expected
    assert all(int(r["new_zones"]) == len(r["zones"].split("、")) for r in rows)
    spreading = {i for (i, _), (_, total) in answer.items() if total >= 2}
    assert "生物医药" in spreading


def test_09_zones_targeting_more_than_5_yi_yuan_by_2025(dev_store: KgStore) -> None:
    rows = run(dev_store, "09")
    assert rows and all(int(r["year"]) <= 2025 for r in rows)
    for row in rows:
        factor = {"亿元": 10**8, "万亿元": 10**12, "万元": 10**4, "元": 1}[row["unit"]]
        assert Decimal(row["value"]) * factor > 500_000_000
    found = {(r["zone"], r["value"], r["unit"], r["year"]) for r in rows}
    assert ("南京江北新区", "900", "亿元", "2025") in found
    assert ("长沙高新区", "5600", "亿元", "2023") in found


def test_query_files_run_as_they_are_with_the_documented_prefixes_only() -> None:
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        for prefix in ("kg:", "rdfs:", "rdf:", "prov:", "dcterms:", "skos:", "schema:", "xsd:"):
            if prefix in text.replace(f"PREFIX {prefix}", ""):
                assert f"PREFIX {prefix}" in text, f"{path.name} uses {prefix} undeclared"


def test_the_built_dev_corpus_conforms_to_the_shapes(dev_store: KgStore) -> None:
    report = validate_store(dev_store)
    assert report.conforms, "\n".join(map(str, report.violations[:20]))


def test_the_seed_article_links_its_zone_to_the_gazetteer_and_conforms(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    location = tmp_path_factory.mktemp("seed") / "store"
    store = open_store(location)
    try:
        report = build([str(need(CORPUS / "seed"))], store, workers=1)
        assert report.built == 1
        zones = {row.name: row for row in list_entities(store, entity_type="Zone")}
        # 稀土高新区 in an article about 包头 is the gazetteer's 包头稀土高新区.
        assert "包头稀土高新区" in zones and "稀土高新区" not in zones
        assert "稀土高新区" in zones["包头稀土高新区"].aliases
        assert validate_store(store).conforms
    finally:
        store.close()

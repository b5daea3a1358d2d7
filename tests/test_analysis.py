"""kg.analysis and `kg analyze` on a small hand-written store (tests/synthetic_graph.py).

Expected answers are computed here from the synthetic tables, independently of the projection.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg import analysis
from kg.cli import cli
from kg.rdf.namespaces import graph_iri
from kg.rdf.store import open_store
from tests.synthetic_graph import (
    ARTICLES,
    ENTITIES,
    EVIL_NAME,
    GAZETTEER,
    INDICATORS,
    MARKUP_NAME,
    OFFICIAL_NAMES,
    RELATIONS,
    TYPE_OF,
    Z1,
    entity_iri,
    synthetic_quads,
)

DATE_OF = {article: date or None for article, _t, date, _u in ARTICLES}


@pytest.fixture(scope="session")
def store_path(synthetic_store: Path) -> Path:
    return synthetic_store


@pytest.fixture(scope="session")
def graph(synthetic_graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    return synthetic_graph


def iri(name: str) -> str:
    return entity_iri(name).value


def relation_support() -> dict[tuple[str, str, str], set[str]]:
    """Articles behind each relation, from sentences and from the gazetteer."""
    support: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for s, p, o, article, _sentence, _role in RELATIONS:
        support[(s, p, o)].add(article)
    for s, p, o, article in GAZETTEER:
        support[(s, p, o)].add(article)
    return support


def neighbours_of(name: str) -> dict[str, set[str]]:
    """Names related to `name` (either direction), by their type."""
    found: dict[str, set[str]] = defaultdict(set)
    for s, _p, o in relation_support():
        if s == name:
            found[TYPE_OF[o]].add(o)
        if o == name:
            found[TYPE_OF[s]].add(s)
    return found


# ---------------------------------------------------------------- projection


def test_a_node_per_entity_with_type_label_aliases_and_articles(graph: nx.MultiDiGraph) -> None:
    assert set(graph.nodes) == {iri(name) for _t, name, _a, _arts in ENTITIES}
    for etype, name, aliases, articles in ENTITIES:
        node = graph.nodes[iri(name)]
        official = {OFFICIAL_NAMES[name]} if name in OFFICIAL_NAMES else set()
        assert (node["type"], node["label"]) == (etype, name)
        assert node["aliases"] == sorted(set(aliases) | official)
        assert node["articles"] == len(articles)
        assert node["article_ids"] == sorted(articles)
        dates = sorted(d for a in articles if (d := DATE_OF[a]))
        assert (node["first_date"], node["last_date"]) == (
            (dates[0], dates[-1]) if dates else (None, None)
        )


def test_an_edge_per_relation_with_support_dates_and_evidence(graph: nx.MultiDiGraph) -> None:
    support = relation_support()
    assert {(u, k, v) for u, v, k in graph.edges(keys=True)} == {
        (iri(s), p, iri(o)) for s, p, o in support
    }
    title = {article: t for article, t, _d, _u in ARTICLES}
    for (s, p, o), articles in support.items():
        edge = graph.edges[iri(s), iri(o), p]
        assert (p in analysis.GAZETTEER_PREDICATES) == (not edge["evidence"])
        assert edge["predicate"] == p
        assert edge["articles"] == len(articles)
        assert edge["article_ids"] == sorted(articles)
        dates = sorted(d for a in articles if (d := DATE_OF[a]))
        assert (edge["first_date"], edge["last_date"]) == (
            (dates[0], dates[-1]) if dates else (None, None)
        )
        said = {
            (a, sentence) for s2, p2, o2, a, sentence, _r in RELATIONS if (s2, p2, o2) == (s, p, o)
        }
        assert {(e["article"], e["sentence"]) for e in edge["evidence"]} == said
        for item in edge["evidence"]:
            assert item["title"] == title[item["article"]]
            assert item["date"] == DATE_OF[item["article"]]


def test_an_edge_supported_twice_spans_both_dates(graph: nx.MultiDiGraph) -> None:
    edge = graph.edges[iri(Z1), iri("新材料"), "developsIndustry"]
    assert edge["articles"] == 2
    assert (edge["first_date"], edge["last_date"]) == ("2022-03-01", "2023-06-10")
    assert [e["date"] for e in edge["evidence"]] == ["2022-03-01", "2023-06-10"]


def test_roles_and_indicators_reach_the_graph(graph: nx.MultiDiGraph) -> None:
    assert graph.edges[iri("张明"), iri(Z1), "holdsPositionIn"]["roles"] == ["书记"]
    assert graph.edges[iri(Z1), iri("新材料"), "developsIndustry"]["roles"] == []
    for subject in {row[0] for row in INDICATORS}:
        expected = {
            (name, float(value), unit, comparator, year, kind, sentence)
            for s, name, value, unit, comparator, year, kind, _a, sentence in INDICATORS
            if s == subject
        }
        got = {
            (
                i["name"],
                float(i["value"]),
                i["unit"],
                i["comparator"],
                i["year"],
                i["kind"],
                i["sentence"],
            )
            for i in graph.nodes[iri(subject)]["indicators"]
        }
        assert got == expected


def test_removing_an_article_removes_what_only_it_supported(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    store.add_quads(synthetic_quads())
    store.remove_graph(graph_iri("syn-2"))
    graph = analysis.project_graph(store)
    store.close()
    only_syn2 = {name for _t, name, _a, arts in ENTITIES if arts == ("syn-2",)}
    assert only_syn2 and not {iri(n) for n in only_syn2} & set(graph.nodes)
    # 柔性引才 stays (other articles mention it), with one article fewer behind it
    assert graph.nodes[iri("柔性引才")]["articles"] == 2


def test_selected_graph_without_selectors_is_the_whole_store(
    store_path: Path, graph: nx.MultiDiGraph
) -> None:
    store = open_store(store_path, read_only=True)
    try:
        whole = analysis.selected_graph(store, entity=None, types=(), since=None)
    finally:
        store.close()
    assert set(whole.nodes) == set(graph.nodes)
    assert set(whole.edges(keys=True)) == set(graph.edges(keys=True))


# ---------------------------------------------------------------- measures


def test_measures(graph: nx.MultiDiGraph) -> None:
    measures = analysis.compute_measures(graph)
    assert set(measures) == set(graph.nodes)
    assert sum(m.pagerank for m in measures.values()) == pytest.approx(1.0)
    relations = defaultdict(int)
    for s, _p, o in relation_support():
        relations[s] += 1
        relations[o] += 1
    for name, count in relations.items():
        assert measures[iri(name)].degree == count
    # the zone with most relations is the most central one
    assert max(measures, key=lambda n: measures[n].pagerank) == iri(Z1)
    # a leaf lies on no shortest path
    assert measures[iri("人工智能")].betweenness == 0
    # 李华 and 远山研究院 form a component of their own, numbered after the big one
    assert measures[iri("李华")].component == measures[iri("远山研究院")].component == 2
    assert {m.component for m in measures.values()} == {1, 2}


def test_communities_partition_the_graph_the_same_way_every_run(graph: nx.MultiDiGraph) -> None:
    first = analysis.communities(graph)
    assert sorted(n for group in first for n in group) == sorted(graph.nodes)
    assert [len(g) for g in first] == sorted((len(g) for g in first), reverse=True)
    assert analysis.communities(graph) == first
    # no community spans two components
    components = {
        n: i for i, c in enumerate(nx.connected_components(graph.to_undirected())) for n in c
    }
    assert all(len({components[n] for n in group}) == 1 for group in first)


def test_betweenness_is_sampled_only_on_large_graphs() -> None:
    assert analysis.betweenness_sample(nx.path_graph(50)) is None
    big = nx.path_graph(5000)
    sample = analysis.betweenness_sample(big)
    assert sample is not None and 32 <= sample < 5000


def test_measures_report_ranks_by_pagerank(graph: nx.MultiDiGraph) -> None:
    report = analysis.measures_report(graph, limit=5)
    assert len(report.rows) == 5
    ranks = [row["pagerank"] for row in report.data["measures"]]
    assert ranks == sorted(ranks, reverse=True)
    assert report.data["entities"] == graph.number_of_nodes()
    assert report.data["components"] == 2
    assert "showing the top 5" in report.notes[-1]


# ---------------------------------------------------------------- names and paths


def test_find_entity_by_name_alias_and_quotes(graph: nx.MultiDiGraph) -> None:
    assert analysis.find_entity(graph, Z1) == iri(Z1)
    assert analysis.find_entity(graph, "云溪高新区") == iri(Z1)
    assert analysis.find_entity(graph, "“云溪高新区”") == iri(Z1)
    assert analysis.find_entity(graph, " 云溪新材 ") == iri("云溪新材料有限公司")


def test_find_entity_explains_what_it_cannot_find(graph: nx.MultiDiGraph) -> None:
    with pytest.raises(analysis.EntityNotFoundError, match=r"did you mean .*云溪大学"):
        analysis.find_entity(graph, "云溪大")
    with pytest.raises(analysis.EntityNotFoundError, match="is of type Industry"):
        analysis.find_entity(graph, "新材料", entity_type="Zone")
    ambiguous = graph.copy()
    ambiguous.nodes[iri("北岭科技园")]["aliases"] = ["云溪高新区"]
    with pytest.raises(analysis.EntityNotFoundError, match="several entities"):
        analysis.find_entity(ambiguous, "云溪高新区")


def test_path_is_shortest_and_every_step_has_its_sentences(graph: nx.MultiDiGraph) -> None:
    report = analysis.path_report(graph, "张明", "石湾药业集团")
    undirected = graph.to_undirected()
    assert report.data["length"] == nx.shortest_path_length(
        undirected, iri("张明"), iri("石湾药业集团")
    )
    names = [n["name"] for n in report.data["nodes"]]
    assert (names[0], names[-1]) == ("张明", "石湾药业集团")
    sentences = {(s, o): sentence for s, _p, o, _a, sentence, _r in RELATIONS}
    for step in report.data["steps"]:
        for relation in step["relations"]:
            said = sentences[(relation["subject"], relation["object"])]
            assert said in [e["sentence"] for e in relation["evidence"]]
    assert all(row[-1] for row in report.rows)  # a sentence per step in the table too


def test_no_path_between_components(graph: nx.MultiDiGraph) -> None:
    with pytest.raises(analysis.NoPathError, match="different components"):
        analysis.path_report(graph, "张明", "李华")


# ---------------------------------------------------------------- zones and rankings


def test_zone_profile_groups_neighbours_by_kind(graph: nx.MultiDiGraph) -> None:
    profile = analysis.zone_profile(graph, "云溪高新区")
    near = neighbours_of(Z1)
    names = {
        section: {i["name"] for i in profile[section]}
        for section in profile
        if isinstance(profile[section], list) and section not in ("aliases", "indicators")
    }
    assert names["industries"] == near["Industry"]
    assert names["programmes"] == near["Programme"]
    assert names["talent_policies"] == near["TalentPolicy"]
    assert names["enterprises"] == near["Enterprise"]
    assert names["people"] == near["Person"]
    assert names["partner_zones"] == near["Zone"]
    assert names["places"] == near["Place"]
    assert [i["roles"] for i in profile["people"]] == [["书记"]]
    assert {i["name"] for i in profile["indicators"]} == {
        row[1] for row in INDICATORS if row[0] == Z1
    }
    assert profile["aliases"] == ["云溪高新区"]


def test_similar_zones_by_jaccard_of_industries_and_policies(graph: nx.MultiDiGraph) -> None:
    def mix(zone: str) -> set[str]:
        near = neighbours_of(zone)
        return set().union(*(near[t] for t in analysis.SIMILARITY_TYPES))

    zones = [name for etype, name, _a, _arts in ENTITIES if etype == "Zone" and name != Z1]
    expected = {z: len(mix(Z1) & mix(z)) / len(mix(Z1) | mix(z)) for z in zones if mix(Z1) & mix(z)}
    report = analysis.similar_report(graph, "云溪高新区", limit=0)
    got = {d["zone"]: d["jaccard"] for d in report.data["similar"]}
    assert got == pytest.approx(expected, abs=1e-6)
    assert [d["jaccard"] for d in report.data["similar"]] == sorted(got.values(), reverse=True)
    first = report.data["similar"][0]
    assert set(first["shared"]) == mix(Z1) & mix(first["zone"])


def test_top_ranks_by_number_of_zones(graph: nx.MultiDiGraph) -> None:
    report = analysis.top_report(graph, "Industry", limit=0)
    expected = {
        name: len(neighbours_of(name)["Zone"])
        for etype, name, _a, _arts in ENTITIES
        if etype == "Industry"
    }
    assert {d["name"]: d["zones"] for d in report.data} == expected
    counts = [d["zones"] for d in report.data]
    assert counts == sorted(counts, reverse=True)
    with pytest.raises(analysis.InputError, match="use one of"):
        analysis.top_report(graph, "Zone")


def test_communities_report_lists_every_entity_once(graph: nx.MultiDiGraph) -> None:
    report = analysis.communities_report(graph)
    members = [m["iri"] for c in report.data for m in c["members"]]
    assert sorted(members) == sorted(graph.nodes)
    assert sum(c["size"] for c in report.data) == graph.number_of_nodes()


# ---------------------------------------------------------------- CLI


def run(store_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--store", str(store_path), "analyze", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_json_is_what_the_library_gives(store_path: Path, graph: nx.MultiDiGraph) -> None:
    cases = [
        (["measures", "--limit", "0"], analysis.measures_report(graph, limit=0)),
        (["communities"], analysis.communities_report(graph)),
        (["path", "张明", "东湖新区"], analysis.path_report(graph, "张明", "东湖新区")),
        (["zone", "云溪高新区"], analysis.zone_report(graph, "云溪高新区")),
        (["similar", "北岭科技园"], analysis.similar_report(graph, "北岭科技园")),
        (["top", "--type", "TalentPolicy"], analysis.top_report(graph, "TalentPolicy")),
    ]
    for args, report in cases:
        code, out, err = run(store_path, *args, "--format", "json")
        assert code == 0, err
        assert json.loads(out) == json.loads(json.dumps(report.data)), args


def test_cli_csv_has_a_header_and_a_row_per_item(store_path: Path) -> None:
    code, out, _err = run(store_path, "top", "--type", "Industry", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["rank", "name", "zones", "articles", "zone names"]
    industries = [name for etype, name, _a, _arts in ENTITIES if etype == "Industry"]
    assert sorted(r[1] for r in rows[1:]) == sorted(industries)


def test_cli_table_shows_names_as_text(store_path: Path) -> None:
    code, out, _err = run(store_path, "zone", "云溪高新区")
    assert code == 0
    assert MARKUP_NAME in out  # rich markup in a name is printed, not applied
    assert "<script>" in EVIL_NAME and "window.__pwned" in out
    assert "柔性引才" in out and "2025: 新材料产值 >= 100 亿元" in out


def test_cli_errors_are_one_line_without_traceback(store_path: Path) -> None:
    for args in (
        ["zone", "不存在的园区"],
        ["path", "张明", "李华"],
        ["top", "--type", "Zone"],
        ["similar", "新材料"],
    ):
        code, _out, err = run(store_path, *args)
        assert code == 1, args
        assert err.startswith("Error: ") and "Traceback" not in err


# ---------------------------------------------------------------- selectors (kg.select)


def test_zone_selector_keeps_the_zone_and_its_neighbours(store_path: Path) -> None:
    store = open_store(store_path, read_only=True)
    try:
        selected = analysis.selected_graph(store, zone="石湾经开区", radius=1)
    finally:
        store.close()
    near = {iri(n) for names in neighbours_of("石湾经济技术开发区").values() for n in names}
    assert iri("石湾经济技术开发区") in selected
    assert near <= set(selected.nodes)
    assert (
        set(selected.successors(iri("石湾经济技术开发区")))
        | set(selected.predecessors(iri("石湾经济技术开发区")))
        == near
    )


def test_date_selector_keeps_what_articles_of_those_dates_say(store_path: Path) -> None:
    store = open_store(store_path, read_only=True)
    try:
        selected = analysis.selected_graph(store, since="2024-01-01", until="2024-12-31")
    finally:
        store.close()
    in_range = {a for a, _t, d, _u in ARTICLES if d and d.startswith("2024")}
    assert selected.number_of_edges() > 0
    for _u, _v, data in selected.edges(data=True):
        assert set(data["article_ids"]) <= in_range
    expected = {(s, p, o) for (s, p, o), arts in relation_support().items() if arts & in_range}
    assert {(u, k, v) for u, v, k in selected.edges(keys=True)} == {
        (iri(s), p, iri(o)) for s, p, o in expected
    }


def test_cli_selectors_reach_the_analysis(store_path: Path) -> None:
    code, out, err = run(store_path, "measures", "--zone", "石湾经开区", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["entities"] == 1 + sum(len(v) for v in neighbours_of("石湾经济技术开发区").values())
    code, _out, err = run(store_path, "measures", "--zone", "没有的园区")
    assert code == 1 and err.startswith("Error: ")


def test_construct_selector_gives_its_triples_as_the_graph(store_path: Path) -> None:
    query = """
        PREFIX kg: <https://w3id.org/kg-innovation/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        CONSTRUCT { ?z a kg:Zone ; rdfs:label ?zl ; kg:developsIndustry ?i .
                    ?i a kg:Industry ; rdfs:label ?il }
        WHERE { ?z a kg:Zone ; rdfs:label ?zl ; kg:developsIndustry ?i . ?i rdfs:label ?il }"""
    store = open_store(store_path, read_only=True)
    try:
        selected = analysis.selected_graph(store, construct_query=query)
    finally:
        store.close()
    develops = {
        (s, o) for s, p, o in relation_support() if p == "developsIndustry" and TYPE_OF[s] == "Zone"
    }
    assert {(u, v) for u, v, _k in selected.edges(keys=True)} == {
        (iri(s), iri(o)) for s, o in develops
    }
    assert {d["type"] for _n, d in selected.nodes(data=True)} == {"Zone", "Industry"}

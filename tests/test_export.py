"""kg export, kg dump and kg load: selectors, every format read back, escaping of user values."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kg.cli import cli
from kg.errors import InputError, QueryError
from kg.export import FORMATS, format_of, network_of
from kg.rdf.namespaces import ONTOLOGY, graph_iri
from kg.rdf.store import KgStore, open_store
from kg.select import parse_day, select_subgraph

from .conftest import CORPUS, need
from .sample_graph import INJECTION, RELATIONS, TYPE_OF, Z1, Z2, iri_of, write_sample_store

RDF_SUFFIXES = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
}
DATASET_SUFFIXES = {".nq", ".trig", ".jsonld"}


@pytest.fixture(scope="session")
def sample_location(tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("export") / "store"
    write_sample_store(str(location))
    return location


@pytest.fixture()
def sample(sample_location: Path) -> Iterator[KgStore]:
    store = open_store(sample_location, read_only=True)
    yield store
    store.close()


def kg(location: Path, *args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--store", str(location), *args], input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def all_quads(location: Path) -> set[ox.Quad]:
    store = open_store(location, read_only=True)
    try:
        return set(store.quads())
    finally:
        store.close()


def entities_of(quads: list[ox.Quad]) -> set[str]:
    """Names of the entities whose type the selection holds."""
    by_iri = {iri_of(name).value: name for name in TYPE_OF}
    return {
        by_iri[q.subject.value]
        for q in quads
        if q.predicate.value.endswith("#type") and q.subject.value in by_iri
    }


def term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | Any) -> Any:
    if isinstance(node, ox.NamedNode):
        return rdflib.URIRef(node.value)
    if isinstance(node, ox.BlankNode):
        return rdflib.BNode(node.value)
    if isinstance(node, ox.Literal):
        if node.language:
            return rdflib.Literal(node.value, lang=node.language)
        if node.datatype.value == str(rdflib.XSD.string):
            return rdflib.Literal(node.value)  # as rdflib reads a plain literal
        return rdflib.Literal(node.value, datatype=rdflib.URIRef(node.datatype.value))
    return None


def graphs_of(quads: list[ox.Quad]) -> dict[Any, rdflib.Graph]:
    """rdflib graphs by graph name (None: the default graph)."""
    graphs: dict[Any, rdflib.Graph] = {}
    for quad in quads:
        name = term(quad.graph_name)
        graphs.setdefault(name, rdflib.Graph()).add(
            (term(quad.subject), term(quad.predicate), term(quad.object))
        )
    return graphs


def union_of(quads: list[ox.Quad]) -> rdflib.Graph:
    union = rdflib.Graph()
    for quad in quads:
        union.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return union


def parsed_graphs(path: Path, rdflib_format: str) -> dict[Any, rdflib.Graph]:
    dataset = rdflib.Dataset()
    dataset.parse(path, format=rdflib_format)
    graphs: dict[Any, rdflib.Graph] = {}
    for named in dataset.graphs():
        if len(named):
            key = (
                None
                if named.identifier == rdflib.graph.DATASET_DEFAULT_GRAPH_ID
                else named.identifier
            )
            graphs[key] = rdflib.Graph()
            for triple in named:
                graphs[key].add(triple)
    return graphs


# ---------------------------------------------------------------- selectors


def test_no_selector_selects_the_whole_store(sample: KgStore) -> None:
    assert set(select_subgraph(sample)) == set(sample.quads())


def test_zone_selects_its_neighbourhood_with_provenance(sample: KgStore) -> None:
    quads = select_subgraph(sample, zone="青山高新区")  # an alias
    neighbours = {o for s, _p, o, *_ in RELATIONS if s == Z1} | {
        s for s, _p, o, *_ in RELATIONS if o == Z1
    }
    assert entities_of(quads) == {Z1, "湖北省"} | neighbours
    # each relation among them comes with its assertion and sentence, in its article's graph
    sentences = {q.object.value for q in quads if q.predicate.value == ONTOLOGY + "sentence"}
    for s, _p, o, _article, sentence, _role in RELATIONS:
        if s in {Z1, *neighbours} and o in {Z1, *neighbours}:
            assert sentence in sentences
    assert {q.graph_name for q in quads} == {graph_iri(a) for a in ("t-1", "t-2", "t-3")}


def test_zone_and_industry_keep_what_they_share(sample: KgStore) -> None:
    quads = select_subgraph(sample, zone="青山高新区", industry="新材料")
    assert entities_of(quads) == {Z1, "新材料", "青山新材料有限公司"}
    relations = {(q.subject, q.predicate.value.removeprefix(ONTOLOGY), q.object) for q in quads}
    assert (iri_of(Z1), "developsIndustry", iri_of("新材料")) in relations
    assert not any(p == "cooperatesWith" for _s, p, _o in relations)  # 白河 is not shared


def test_radius_counts_hops(sample: KgStore) -> None:
    assert entities_of(select_subgraph(sample, entity="李华", radius=0)) == {"李华"}
    assert entities_of(select_subgraph(sample, entity="李华", radius=1)) == {"李华", Z1}
    two = entities_of(select_subgraph(sample, entity="李华", radius=2))
    assert Z2 in two and "生物医药" in two and "河南省" not in two


def test_province_selects_what_is_located_in_it(sample: KgStore) -> None:
    located = entities_of(select_subgraph(sample, province="湖北省", radius=0))
    assert located == {"湖北省", Z1, "青山新材料有限公司"}  # the firm through its zone
    assert Z2 in entities_of(select_subgraph(sample, province="湖北省"))


def test_types_and_dates_narrow_the_selection(sample: KgStore) -> None:
    zones = select_subgraph(sample, types=("Zone",))
    assert entities_of(zones) == {Z1, Z2}
    assert {q.predicate.value.removeprefix(ONTOLOGY) for q in zones} >= {"cooperatesWith"}
    since_2023 = select_subgraph(sample, since="2023")
    assert {q.graph_name for q in since_2023} == {graph_iri("t-2"), graph_iri("t-3")}
    until_2022 = select_subgraph(sample, until="2022-12")
    assert {q.graph_name for q in until_2022} == {graph_iri("t-1")}
    both = select_subgraph(sample, zone="白河经开区", since="2024-01-01", until="2024-12-31")
    assert {q.graph_name for q in both} == {graph_iri("t-3")}


def test_a_construct_runs_on_what_the_other_selectors_kept(sample: KgStore) -> None:
    construct = "CONSTRUCT { ?z kg:developsIndustry ?i } WHERE { ?z kg:developsIndustry ?i }"
    everything = select_subgraph(sample, construct_query=construct)
    expected = {(s, o) for s, p, o, *_ in RELATIONS if p == "developsIndustry"}
    assert {(q.subject, q.object) for q in everything} == {
        (iri_of(s), iri_of(o)) for s, o in expected
    }
    assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in everything)
    only_2022 = select_subgraph(sample, construct_query=construct, until="2022")
    assert {(q.subject, q.object) for q in only_2022} == {(iri_of(Z1), iri_of("新材料"))}


def test_bad_selectors_are_named(sample: KgStore) -> None:
    with pytest.raises(InputError, match="unknown entity type Zones"):
        select_subgraph(sample, types=("Zones",))
    with pytest.raises(InputError, match="did you mean"):
        select_subgraph(sample, entity="青山")
    with pytest.raises(InputError, match="not a valid date"):
        select_subgraph(sample, since="2023-02-30")
    with pytest.raises(InputError, match="swap them"):
        select_subgraph(sample, since="2024", until="2023")
    with pytest.raises(InputError, match="CONSTRUCT"):
        select_subgraph(sample, construct_query="SELECT * { ?s ?p ?o }")
    with pytest.raises(QueryError, match="SERVICE"):
        select_subgraph(
            sample, construct_query="CONSTRUCT WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
        )


@pytest.mark.parametrize(
    ("text", "end", "day"),
    [
        ("2023", False, "2023-01-01"),
        ("2023", True, "2023-12-31"),
        ("2024-02", True, "2024-02-29"),
        ("2023-12", True, "2023-12-31"),
        ("2023年1月18日", False, "2023-01-18"),
        ("2023/1/8", True, "2023-01-08"),
    ],
)
def test_dates_of_every_common_form(text: str, end: bool, day: str) -> None:
    assert parse_day(text, end=end).isoformat() == day


def test_an_injection_in_a_name_matches_nothing_and_changes_nothing(sample_location: Path) -> None:
    before = all_quads(sample_location)
    code, out, err = kg(sample_location, "export", "--zone", INJECTION, "--format", "nt")
    assert code == 1 and out == "" and "no zone named" in err and "Traceback" not in err
    # the same text as an entity's name is data like any other: it finds that entity, only
    code, out, err = kg(
        sample_location, "export", "--entity", INJECTION, "--radius", "0", "--format", "nt"
    )
    assert code == 0, err
    subjects = {
        line.split(" ", 1)[0]
        for line in out.splitlines()
        if "/id/Enterprise/" in line.split(" ", 1)[0]
    }
    assert subjects == {f"<{iri_of(INJECTION).value}>"}
    assert all_quads(sample_location) == before


# ---------------------------------------------------------------- formats


def test_format_comes_from_the_option_or_the_suffix() -> None:
    assert format_of(Path("a.graphml"), None) == "graphml"
    assert format_of(Path("a.nq.gz"), None) == "nquads"
    assert format_of(Path("a.ttl"), "nt") == "nt"
    assert format_of(None, None) == "turtle"
    with pytest.raises(InputError, match="--format"):
        format_of(Path("a.docx"), None)
    assert set(FORMATS) == {"turtle", "nt", "nquads", "trig", "jsonld", "graphml", "gexf", "csv"}


@pytest.mark.parametrize("suffix", sorted(RDF_SUFFIXES))
@pytest.mark.parametrize("selection", [{}, {"zone": "白河经开区", "since": "2023"}])
def test_every_rdf_format_parses_back_isomorphic(
    sample: KgStore, sample_location: Path, tmp_path: Path, suffix: str, selection: dict[str, str]
) -> None:
    output = tmp_path / f"out{suffix}"
    args = [f"--{k}={v}" for k, v in selection.items()]
    code, out, err = kg(sample_location, "export", *args, "-o", str(output))
    assert code == 0, err
    assert f"wrote {output}" in out
    quads = select_subgraph(sample, **selection)
    assert quads
    if suffix in DATASET_SUFFIXES:
        back = parsed_graphs(output, RDF_SUFFIXES[suffix])
        expected = graphs_of(quads)
        assert back.keys() == expected.keys()  # the article graphs, kept
        assert all(isomorphic(back[name], expected[name]) for name in expected)
    else:
        back_graph = rdflib.Graph().parse(output, format=RDF_SUFFIXES[suffix])
        assert isomorphic(back_graph, union_of(quads))


def test_rdf_to_stdout_and_gzip(sample: KgStore, sample_location: Path, tmp_path: Path) -> None:
    code, out, _ = kg(sample_location, "export", "--zone", "青山高新区", "--format", "nt")
    assert code == 0
    assert isomorphic(
        rdflib.Graph().parse(data=out, format="nt"),
        union_of(select_subgraph(sample, zone="青山高新区")),
    )
    compressed = tmp_path / "all.nq.gz"
    assert kg(sample_location, "export", "-o", str(compressed))[0] == 0
    lines = gzip.decompress(compressed.read_bytes()).decode().strip().splitlines()
    assert len(lines) == len(set(sample.quads()))


def edge_table(graph: nx.MultiDiGraph) -> dict[tuple[str, str, str], dict[str, Any]]:
    table = {}
    for u, v, data in graph.edges(data=True):
        attributes = {k: val for k, val in data.items() if k not in ("id", "networkx_key", "viz")}
        table[(u, v, str(data["predicate"]))] = attributes
    return table


def node_table(graph: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    return {n: {k: v for k, v in d.items() if k != "viz"} for n, d in graph.nodes(data=True)}


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_networks_read_back_with_the_same_nodes_edges_and_attributes(
    sample: KgStore, sample_location: Path, tmp_path: Path, suffix: str
) -> None:
    output = tmp_path / f"net{suffix}"
    code, out, err = kg(sample_location, "export", "--zone", "青山高新区", "-o", str(output))
    assert code == 0, err
    expected = network_of(select_subgraph(sample, zone="青山高新区"))
    assert (
        f"{expected.number_of_nodes()} entities and {expected.number_of_edges()} relations" in out
    )
    if suffix == ".graphml":
        back = nx.read_graphml(output, force_multigraph=True)
    else:
        back = nx.read_gexf(output)
        # Gephi reads the colour and size from viz
        some = next(iter(back.nodes(data=True)))[1]
        assert set(some["viz"]["color"]) >= {"r", "g", "b"} and some["viz"]["size"] > 0
    assert node_table(back) == node_table(expected)
    assert edge_table(back) == edge_table(expected)
    # labels the tools show, in Chinese; types and colours as attributes
    zone = back.nodes[iri_of(Z1).value]
    assert zone["label"] == Z1 and zone["type"] == "Zone" and zone["color"].startswith("#")
    assert isinstance(zone["articles"], int) and zone["aliases"] == "青山高新区"
    assert "新材料产值 >= 100 亿元（2025年target）" in zone["indicators"]


def test_no_attribute_is_a_list(sample: KgStore) -> None:
    graph = network_of(select_subgraph(sample))
    values = [v for _n, d in graph.nodes(data=True) for v in d.values()]
    values += [v for _u, _v, d in graph.edges(data=True) for v in d.values()]
    assert values and all(isinstance(v, (str, int, float)) for v in values)


def test_csv_writes_nodes_and_edges_for_pandas(
    sample: KgStore, sample_location: Path, tmp_path: Path
) -> None:
    out_dir = tmp_path / "tables"
    code, _, err = kg(sample_location, "export", "--format", "csv", "-o", str(out_dir))
    assert code == 0, err
    expected = network_of(select_subgraph(sample))
    with (out_dir / "nodes.csv").open(encoding="utf-8", newline="") as handle:
        nodes = {row["id"]: row for row in csv.DictReader(handle)}
    with (out_dir / "edges.csv").open(encoding="utf-8", newline="") as handle:
        edges = list(csv.DictReader(handle))
    assert nodes.keys() == set(expected.nodes())
    assert nodes[iri_of(INJECTION).value]["label"] == INJECTION  # quotes and braces survive
    assert {(e["source"], e["target"], e["predicate"]) for e in edges} == set(edge_table(expected))
    supports = next(e for e in edges if e["predicate"] == "supports")
    assert "<b>" in supports["evidence"] and supports["source_label"] == Z1
    code, _, err = kg(sample_location, "export", "--format", "csv")
    assert code == 1 and "-o DIR" in err
    named = tmp_path / "zone.csv"
    assert kg(sample_location, "export", "--zone", "青山高新区", "-o", str(named))[0] == 0
    assert (tmp_path / "zone-nodes.csv").exists() and (tmp_path / "zone-edges.csv").exists()


def test_the_dev_corpus_exports_and_reads_back_whole(tmp_path: Path) -> None:
    store = tmp_path / "dev"
    built = CliRunner().invoke(
        cli, ["--store", str(store), "build", str(need(CORPUS / "dev")), "--workers", "1"]
    )
    assert built.exit_code == 0, built.output
    output = tmp_path / "dev.trig"
    assert kg(store, "export", "-o", str(output))[0] == 0
    opened = open_store(store, read_only=True)
    try:
        quads = list(opened.quads())
    finally:
        opened.close()
    back = parsed_graphs(output, "trig")
    expected = graphs_of(quads)
    assert back.keys() == expected.keys() and len(expected) >= 18
    assert all(isomorphic(back[name], expected[name]) for name in expected)


# ---------------------------------------------------------------- dump and load


@pytest.mark.parametrize("name", ["dump.nq", "dump.nq.gz"])
def test_dump_and_load_move_a_whole_store(sample_location: Path, tmp_path: Path, name: str) -> None:
    dump_file = tmp_path / name
    code, out, _ = kg(sample_location, "dump", str(dump_file))
    assert code == 0 and "quads" in out
    copy = tmp_path / "copy"
    code, out, err = kg(copy, "load", str(dump_file))
    assert code == 0, err
    original, loaded = open_store(sample_location, read_only=True), open_store(copy, read_only=True)
    try:
        assert set(loaded.quads()) == set(original.quads())
        assert f"loaded {len(set(original.quads()))} quads" in out
    finally:
        original.close()
        loaded.close()


def test_dump_to_stdout_and_load_from_stdin(sample_location: Path, tmp_path: Path) -> None:
    code, out, _ = kg(sample_location, "dump")
    assert code == 0 and out.count("\n") > 100
    copy = tmp_path / "copy"
    code, _, err = kg(copy, "load", "-", stdin=out.encode("utf-8"))
    assert code == 0, err
    assert (
        kg(copy, "stats", "--format", "json")[1]
        == kg(sample_location, "stats", "--format", "json")[1]
    )


def test_loading_a_broken_file_names_it(sample_location: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.nq"
    broken.write_text(
        '<http://a> <http://b> "c" <http://g> .\n<http://a> <http://b> "open\n', encoding="utf-8"
    )
    code, _, err = kg(tmp_path / "target", "load", str(broken))
    assert code == 1 and "broken.nq" in err and "Traceback" not in err
    code, _, err = kg(tmp_path / "target", "load", str(tmp_path / "missing.nq"))
    assert code == 1 and "no such file" in err
    code, _, err = kg(tmp_path / "target", "load", str(tmp_path / "data.ttl"))
    assert code == 1 and "N-Quads" in err


def test_gephi_takes_the_label_and_colour_keys_of_the_graphml(
    sample_location: Path, tmp_path: Path
) -> None:
    # Gephi's GraphML importer maps key ids before names: node "d3" and edge "d7" are labels
    # (yEd's ids), and label, r, g, b, size, weight by name (ImporterGraphML).
    import xml.etree.ElementTree as ET

    output = tmp_path / "gephi.graphml"
    assert kg(sample_location, "export", "-o", str(output))[0] == 0
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    keys = {
        (k.get("for"), k.get("id")): k.get("attr.name") for k in ET.parse(output).iter(f"{ns}key")
    }
    node_labels = [name for (scope, kid), name in keys.items() if scope == "node" and kid == "d3"]
    assert node_labels == ["label"]
    assert ("edge", "d7") not in keys
    names = {(scope, name) for (scope, _kid), name in keys.items()}
    assert {("node", n) for n in ("label", "r", "g", "b")} <= names
    assert {("edge", n) for n in ("label", "weight", "r", "g", "b")} <= names

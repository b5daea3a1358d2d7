"""kg query and the SPARQL helpers: formats, errors for people, timeouts, refusals, escaping."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kg.cli import cli
from kg.errors import QueryError
from kg.query import explain_syntax_error, run_query
from kg.rdf.namespaces import ONTOLOGY
from kg.rdf.store import KgStore, open_store
from kg.sparql import keywords, literal, query_kind, undeclared_prefixes, uses_keyword

from .conftest import CORPUS, need
from .sample_graph import INJECTION, RELATIONS, TYPE_OF, iri_of, write_sample_store
from .sample_graph import Z1 as Z1_NAME

ZONES_INDUSTRIES = """SELECT DISTINCT ?zone ?industry WHERE {
  ?z a kg:Zone ; rdfs:label ?zone ; kg:developsIndustry ?i .
  ?i rdfs:label ?industry .
} ORDER BY ?zone ?industry"""

EXPECTED_PAIRS = sorted(
    {
        (s, o)
        for s, p, o, *_ in RELATIONS
        if p == "developsIndustry" and TYPE_OF[s] == "Zone" and TYPE_OF[o] == "Industry"
    }
)

EXPLODING = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="session")
def sample_location(tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("query") / "store"
    write_sample_store(str(location))
    return location


@pytest.fixture()
def sample(sample_location: Path) -> Iterator[KgStore]:
    store = open_store(sample_location, read_only=True)
    yield store
    store.close()


def kg_query(location: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--store", str(location), "query", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def all_quads(location: Path) -> set[ox.Quad]:
    store = open_store(location, read_only=True)
    try:
        return set(store.quads())
    finally:
        store.close()


# ---------------------------------------------------------------- formats


def test_csv_answer_is_the_zones_and_industries_of_the_graph(sample_location: Path) -> None:
    code, out, err = kg_query(sample_location, ZONES_INDUSTRIES, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["zone"], r["industry"]) for r in rows] == EXPECTED_PAIRS


def test_json_is_sparql_results_json(sample_location: Path) -> None:
    code, out, _ = kg_query(sample_location, ZONES_INDUSTRIES, "--format", "json")
    assert code == 0
    answer = json.loads(out)
    assert answer["head"]["vars"] == ["zone", "industry"]
    bindings = answer["results"]["bindings"]
    assert [(b["zone"]["value"], b["industry"]["value"]) for b in bindings] == EXPECTED_PAIRS
    assert bindings[0]["zone"] == {
        "type": "literal",
        "value": EXPECTED_PAIRS[0][0],
        "xml:lang": "zh",
    }


def test_tsv_md_and_table_hold_the_same_rows(sample_location: Path) -> None:
    _, tsv, _ = kg_query(sample_location, ZONES_INDUSTRIES, "--format", "tsv")
    lines = tsv.strip().split("\n")
    assert lines[0] == "?zone\t?industry"
    assert [
        tuple(v.removesuffix('"@zh').strip('"') for v in line.split("\t")) for line in lines[1:]
    ] == EXPECTED_PAIRS
    _, md, _ = kg_query(sample_location, ZONES_INDUSTRIES, "--format", "md")
    md_lines = md.strip().split("\n")
    assert md_lines[:2] == ["| zone | industry |", "|---|---|"]
    assert md_lines[2:] == [f"| {z} | {i} |" for z, i in EXPECTED_PAIRS]
    code, table, err = kg_query(sample_location, ZONES_INDUSTRIES)
    assert code == 0 and all(z in table and i in table for z, i in EXPECTED_PAIRS)
    assert f"{len(EXPECTED_PAIRS)} results" in err


def test_ask_answers_true_or_false(sample_location: Path) -> None:
    assert json.loads(kg_query(sample_location, "ASK { ?z a kg:Zone }", "--format", "json")[1]) == {
        "head": {},
        "boolean": True,
    }
    assert "false" in kg_query(sample_location, "ASK { ?z a kg:Nothing }")[1]


CONSTRUCT = """CONSTRUCT { ?z kg:developsIndustry ?i } WHERE {
  ?z a kg:Zone ; kg:developsIndustry ?i . ?i a kg:Industry }"""


def parse_graph(text: str, rdflib_format: str) -> rdflib.Graph:
    """The triples of a serialization, whatever named graph they sit in."""
    dataset = rdflib.Dataset()
    dataset.parse(data=text, format=rdflib_format)
    graph = rdflib.Graph()
    for named in dataset.graphs():
        for triple in named:
            graph.add(triple)
    return graph


def expected_construct() -> rdflib.Graph:
    graph = rdflib.Graph()
    for zone, industry in EXPECTED_PAIRS:
        graph.add(
            (
                rdflib.URIRef(iri_of(zone).value),
                rdflib.URIRef(ONTOLOGY + "developsIndustry"),
                rdflib.URIRef(iri_of(industry).value),
            )
        )
    return graph


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"),
    [("table", "turtle"), ("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")],
)
def test_construct_prints_a_graph_that_parses_back(
    sample_location: Path, fmt: str, rdflib_format: str
) -> None:
    code, out, err = kg_query(sample_location, CONSTRUCT, "--format", fmt)
    assert code == 0, err
    assert isomorphic(parse_graph(out, rdflib_format), expected_construct())


def test_a_graph_in_a_table_format_is_refused_with_the_formats_to_use(
    sample_location: Path,
) -> None:
    code, _, err = kg_query(sample_location, CONSTRUCT, "--format", "csv")
    assert code == 1 and "turtle, nt, jsonld" in err and "Traceback" not in err
    code, _, err = kg_query(sample_location, ZONES_INDUSTRIES, "--format", "nt")
    assert code == 1 and "table, csv, tsv, json, md" in err


def test_query_from_a_file_and_from_stdin(sample_location: Path, tmp_path: Path) -> None:
    query_file = tmp_path / "q.rq"
    query_file.write_text(ZONES_INDUSTRIES, encoding="utf-8")
    from_file = kg_query(sample_location, "-f", str(query_file), "--format", "csv")
    from_stdin = kg_query(sample_location, "--format", "csv", stdin=ZONES_INDUSTRIES)
    assert from_file[0] == from_stdin[0] == 0
    assert from_file[1] == from_stdin[1] and from_file[1].count("\n") == len(EXPECTED_PAIRS) + 1


def test_a_prefix_the_user_declares_again_wins(sample: KgStore) -> None:
    answer = run_query(sample, "PREFIX kg: <http://example.org/other#> SELECT (kg:x AS ?x) {}")
    assert answer.rows()[0][0] == ox.NamedNode("http://example.org/other#x")


def test_the_answer_counts_articles_of_a_dev_build(tmp_path: Path) -> None:
    store = tmp_path / "dev"
    runner = CliRunner()
    built = runner.invoke(
        cli, ["--store", str(store), "build", str(need(CORPUS / "dev")), "--workers", "1"]
    )
    assert built.exit_code == 0, built.output
    stats = json.loads(
        runner.invoke(cli, ["--store", str(store), "stats", "--format", "json"]).stdout
    )
    code, out, _ = kg_query(
        store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a kg:Article }", "--format", "csv"
    )
    assert code == 0 and out.split() == ["n", str(stats["articles"])]


# ---------------------------------------------------------------- errors for people


def test_a_syntax_error_shows_line_column_caret_and_hint(sample_location: Path) -> None:
    # a missing "." after the second line
    query = 'SELECT ?zone WHERE {\n  ?z a kg:Zone ;\n     rdfs:label "青山"\n  ?z kg:x ?y .\n}'
    code, out, err = kg_query(sample_location, query)
    assert code == 1 and out == ""
    assert "line 4, column 11" in err and "Traceback" not in err
    lines = err.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
    assert lines[caret - 1] == "    ?z kg:x ?y ."
    assert lines[caret].index("^") == 2 + 10  # two spaces of indent, then column 11
    assert "Hint:" in err


def test_an_undeclared_prefix_is_named_with_the_fix(sample_location: Path) -> None:
    code, _, err = kg_query(sample_location, "SELECT ?x WHERE {\n  ?x foo:bar ?y }")
    assert code == 1
    assert "line 2" in err and "'foo:' is not declared" in err
    assert "PREFIX foo: <http://...>" in err and "kg:" in err


def test_an_unclosed_brace_is_pointed_out(sample_location: Path) -> None:
    code, _, err = kg_query(sample_location, "SELECT * WHERE { ?s ?p ?o ")
    assert code == 1 and "'{' not closed" in err


def test_columns_count_characters_not_bytes() -> None:
    # the parser reports a byte column; 青 is three bytes in UTF-8
    error = explain_syntax_error('error at 1:9: expected "}"', '"青" .  x')
    assert "column 7" in str(error)


def test_an_empty_query_and_an_update_are_refused(sample_location: Path) -> None:
    before = all_quads(sample_location)
    code, _, err = kg_query(sample_location, "   ")
    assert code == 1 and "empty" in err
    code, _, err = kg_query(sample_location, "DROP ALL")
    assert code == 1 and "never changes the store" in err
    code, _, err = kg_query(sample_location, "DELETE WHERE { ?s ?p ?o }")
    assert code == 1
    assert all_quads(sample_location) == before


def test_service_is_refused_unless_allowed(sample: KgStore) -> None:
    with pytest.raises(QueryError, match="--allow-service"):
        run_query(sample, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")


# ---------------------------------------------------------------- timeout


def test_a_query_over_its_timeout_is_stopped_with_a_clear_error(sample_location: Path) -> None:
    started = time.monotonic()
    code, _, err = kg_query(sample_location, EXPLODING, "--timeout", "1")
    assert code == 1
    assert "did not finish within 1 s" in err and "--timeout" in err
    assert time.monotonic() - started < 30  # stopped, not run to the end (hours)


def test_a_query_within_its_timeout_answers_as_without(sample: KgStore) -> None:
    with_timeout = run_query(sample, ZONES_INDUSTRIES, timeout=30)
    without = run_query(sample, ZONES_INDUSTRIES)
    assert with_timeout == without and len(with_timeout.rows()) == len(EXPECTED_PAIRS)


def test_a_syntax_error_in_the_worker_is_explained_too(sample: KgStore) -> None:
    with pytest.raises(QueryError, match=r"line 1, column \d+"):
        run_query(sample, "SELECT * WHERE { ?s ?p }", timeout=30)


# ---------------------------------------------------------------- SPARQL text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", True),
        ("select * { service silent <http://x/> { ?s ?p ?o } }", True),
        ("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", True),
        ("SELECT * { ?s ?p ?o .SERVICE <http://x/> { ?s ?p ?o } }", True),
        ('SELECT * { ?s ?p "SERVICE <http://x/>" }', False),
        ("SELECT * { ?s ?p '''a\nSERVICE\n''' }", False),
        ("SELECT * { ?s <http://x/SERVICE> ?o }", False),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://x/>", False),
        ("PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?o }", False),
        ("SELECT ?SERVICE { ?SERVICE ?p ?o }", False),
    ],
)
def test_service_is_found_only_where_it_is_a_keyword(query: str, found: bool) -> None:
    assert uses_keyword(query, "SERVICE") is found


def test_query_kind_skips_prefixes_comments_and_strings() -> None:
    assert (
        query_kind("PREFIX select: <http://x/>\n# ASK\nCONSTRUCT { ?s ?p ?o } WHERE {}")
        == "CONSTRUCT"
    )
    assert query_kind('SELECT ("DROP" AS ?x) {}') == "SELECT"
    assert query_kind("PREFIX ex: <http://x/> INSERT DATA { ex:a ex:b ex:c }") == "UPDATE"
    assert keywords("DESCRIBE <http://x/>") == ["DESCRIBE"]


def test_undeclared_prefixes_ignore_strings_iris_and_declared_ones() -> None:
    query = 'PREFIX ex: <http://x#> SELECT * { ?s ex:p "a:b" ; foo:q <http://y:1/z> ; kg:r ?o }'
    assert undeclared_prefixes(query) == ["foo"]


def test_a_literal_can_not_close_its_string(sample: KgStore, sample_location: Path) -> None:
    before = all_quads(sample_location)
    rows = run_query(
        sample, f"SELECT ?e WHERE {{ ?e rdfs:label ?n FILTER(STR(?n) = {literal(INJECTION)}) }}"
    ).rows()
    assert {row[0] for row in rows} == {iri_of(INJECTION)}
    assert literal('a\\b\n"c"') == '"a\\\\b\\n\\"c\\""'
    assert all_quads(sample_location) == before


def test_a_missing_dot_is_suggested(sample_location: Path) -> None:
    query = "SELECT ?zone WHERE {\n  ?z a kg:Zone ; rdfs:label ?zone\n  ?z kg:p ?i .\n}"
    code, _, err = kg_query(sample_location, query)
    assert code == 1 and "'.' missing at the end of line 2" in err


def test_a_described_graph_holds_each_triple_once(sample: KgStore) -> None:
    # the zone's label is stated in two article graphs; the union would give it twice
    answer = run_query(sample, f"DESCRIBE <{iri_of(Z1_NAME).value}>")
    triples = answer.triples()
    assert len(triples) == len(set(triples)) > 0

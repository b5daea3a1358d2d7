"""kg serve: the real Oxigraph server behind kg's guard, on a free loopback port, over HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.errors import StoreBusyError
from kg.query import run_query
from kg.rdf.namespaces import ONTOLOGY, graph_iri
from kg.rdf.store import EmbeddedStore, open_store
from kg.serve import ServeOptions, SparqlServer, example_queries, negotiate, running

from .conftest import CORPUS, need
from .sample_graph import RELATIONS, TYPE_OF, write_sample_store

LIMIT = 5
TIMEOUT = 2.0
PREFIXES = "PREFIX kg: <https://w3id.org/kg-innovation/ontology#>\n"
PREFIXES += "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
ZONES_INDUSTRIES = PREFIXES + (
    "SELECT DISTINCT ?zone ?industry WHERE { ?z a kg:Zone ; rdfs:label ?zone ; "
    "kg:developsIndustry ?i . ?i rdfs:label ?industry } ORDER BY ?zone ?industry"
)
EXPECTED_PAIRS = sorted(
    {(s, o) for s, p, o, *_ in RELATIONS if p == "developsIndustry" and TYPE_OF[o] == "Industry"}
)
EXPLODING = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"

pytestmark = pytest.mark.skipif(
    shutil.which(
        "oxigraph",
        path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    is None,
    reason="the oxigraph server (kg[server]) is not installed",
)


@pytest.fixture(scope="session")
def sample_location(tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("serve") / "store"
    write_sample_store(str(location))
    return location


@pytest.fixture(scope="module")
def server(sample_location: Path) -> Iterator[SparqlServer]:
    options = ServeOptions(port=0, limit=LIMIT, timeout=TIMEOUT)
    with running(sample_location, options) as started:
        yield started


def request(
    url: str,
    *,
    data: dict[str, str] | None = None,
    accept: str | None = None,
    method: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    sent = dict(headers or {})
    if accept:
        sent["Accept"] = accept
    req = urllib.request.Request(url, data=body, headers=sent, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:  # an unclosed error response warns later, in another test
            return error.code, dict(error.headers), error.read()


def sparql(server: SparqlServer, query: str, accept: str) -> tuple[int, dict[str, str], bytes]:
    return request(server.url + "query", data={"query": query}, accept=accept)


# ---------------------------------------------------------------- answers


def test_select_answers_in_sparql_json(server: SparqlServer) -> None:
    status, headers, body = sparql(server, ZONES_INDUSTRIES, "application/sparql-results+json")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
    bindings = json.loads(body)["results"]["bindings"]
    assert [(b["zone"]["value"], b["industry"]["value"]) for b in bindings] == EXPECTED_PAIRS
    assert "X-Kg-Truncated" not in headers


def test_get_with_the_query_in_the_url(server: SparqlServer) -> None:
    url = server.url + "query?" + urllib.parse.urlencode({"query": ZONES_INDUSTRIES})
    status, _, body = request(url, accept="text/csv")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert [(r["zone"], r["industry"]) for r in rows] == EXPECTED_PAIRS


def test_content_negotiation_for_results(server: SparqlServer) -> None:
    status, headers, body = sparql(server, ZONES_INDUSTRIES, "application/sparql-results+xml")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+xml"
    names = ET.fromstring(body).findall(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert [n.text for n in names] == [v for pair in EXPECTED_PAIRS for v in pair]
    status, headers, body = sparql(server, ZONES_INDUSTRIES, "text/tab-separated-values")
    assert status == 200 and headers["Content-Type"].startswith("text/tab-separated-values")
    assert body.decode().splitlines()[0] == "?zone\t?industry"
    status, headers, body = sparql(server, ZONES_INDUSTRIES, "text/csv;q=0.9, application/json")
    assert headers["Content-Type"] == "application/json"  # the higher quality wins
    status, _, body = sparql(server, "ASK { ?s ?p ?o }", "application/sparql-results+json")
    assert json.loads(body) == {"head": {}, "boolean": True}


def test_construct_comes_as_turtle_and_equals_kg_query(
    server: SparqlServer, sample_location: Path
) -> None:
    construct = (
        PREFIXES
        + "CONSTRUCT { ?z kg:developsIndustry ?i } WHERE { ?z a kg:Zone ; kg:developsIndustry ?i }"
    )
    status, headers, body = sparql(server, construct, "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    served = rdflib.Graph().parse(data=body.decode("utf-8"), format="turtle")
    store = open_store(sample_location, read_only=True)
    try:
        local = run_query(store, construct).render("nt")
    finally:
        store.close()
    assert len(served) == len(EXPECTED_PAIRS)
    assert isomorphic(served, rdflib.Graph().parse(data=local, format="nt"))
    status, headers, body = sparql(server, construct, "application/ld+json")
    assert status == 200 and json.loads(body)


def test_an_unacceptable_type_is_406(server: SparqlServer) -> None:
    status, _, body = sparql(server, ZONES_INDUSTRIES, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body


def test_a_syntax_error_is_400_with_the_position(server: SparqlServer) -> None:
    status, _, body = sparql(server, "SELECT * WHERE { ?s ?p }", "application/json")
    assert status == 400 and b"error at 1:" in body


def test_negotiate_follows_quality_and_wildcards() -> None:
    offered = {"text/csv": 1, "application/json": 2}
    assert negotiate(None, offered, "application/json") == "application/json"
    assert negotiate("text/*", offered, "application/json") == "text/csv"
    assert negotiate("image/png, */*;q=0.1", offered, "application/json") == "application/json"
    assert negotiate("text/csv;q=0, image/png", offered, "application/json") is None


# ---------------------------------------------------------------- refusals and limits


def count_quads(server: SparqlServer) -> int:
    _, _, body = sparql(
        server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "text/csv"
    )
    return int(body.decode().split()[1])


@pytest.mark.parametrize(
    ("path", "data", "headers"),
    [
        ("update", {"update": "DROP ALL"}, None),
        ("update", {"update": "INSERT DATA { <http://a> <http://b> <http://c> }"}, None),
        ("query", {"update": "CLEAR ALL"}, None),
        ("query", {"query": "DROP ALL"}, None),
        ("sparql", {"update": "LOAD <file:///etc/hosts>"}, None),
    ],
)
def test_updates_are_refused_with_403_and_change_nothing(
    server: SparqlServer, path: str, data: dict[str, str], headers: dict[str, str] | None
) -> None:
    before = count_quads(server)
    status, _, body = request(server.url + path, data=data, headers=headers)
    assert status == 403, body
    assert count_quads(server) == before > 0


def test_a_raw_sparql_update_body_is_refused(server: SparqlServer) -> None:
    req = urllib.request.Request(
        server.url + "update",
        data=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=30)
    with refused.value:
        assert refused.value.code == 403


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { service silent <file:///etc/passwd> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(server: SparqlServer, query: str) -> None:
    status, _, body = sparql(server, query, "application/json")
    assert status == 403 and b"--allow-service" in body


def test_results_stop_at_the_limit_and_say_so(server: SparqlServer) -> None:
    status, headers, body = sparql(server, "SELECT * WHERE { ?s ?p ?o }", "application/json")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == LIMIT
    assert headers["X-Kg-Truncated"] == "true" and headers["X-Kg-Result-Limit"] == str(LIMIT)
    status, headers, body = sparql(
        server, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/n-triples"
    )
    assert len(body.decode().strip().splitlines()) == LIMIT and headers["X-Kg-Truncated"] == "true"


def test_an_exploding_query_is_stopped_at_the_timeout_and_the_server_recovers(
    server: SparqlServer,
) -> None:
    started = time.monotonic()
    status, _, body = sparql(server, EXPLODING, "application/json")
    assert status == 504 and b"did not finish within" in body
    assert time.monotonic() - started < TIMEOUT + 15  # the engine alone ran such a sort 83 s
    status, _, body = sparql(server, ZONES_INDUSTRIES, "application/json")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == len(EXPECTED_PAIRS)


def test_property_path_explosion_is_bounded_too(server: SparqlServer) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a (<>|!<>)* ?b . ?c (<>|!<>)* ?d }"
    status, _, _ = sparql(server, query, "application/json")
    assert status in (200, 504)
    assert sparql(server, "ASK { ?s ?p ?o }", "application/json")[0] == 200


def test_no_cors_headers_unless_asked(server: SparqlServer, sample_location: Path) -> None:
    status, headers, _ = sparql(server, "ASK {}", "application/json")
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    assert request(server.url + "query", method="OPTIONS")[0] == 405
    with running(sample_location, ServeOptions(port=0, cors=True)) as open_server:
        status, headers, _ = sparql(open_server, "ASK {}", "application/json")
        assert headers["Access-Control-Allow-Origin"] == "*"
        status, headers, _ = request(open_server.url + "query", method="OPTIONS")
        assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]


def test_a_foreign_host_header_is_refused(server: SparqlServer) -> None:
    # what a page on another site reaches through DNS rebinding
    status, _, _ = request(
        server.url + "query?query=ASK%7B%7D", headers={"Host": "attacker.example:7878"}
    )
    assert status == 403


def test_it_listens_on_loopback_only_by_default(server: SparqlServer) -> None:
    assert server.server_address[0] == "127.0.0.1"
    assert ServeOptions().host == "127.0.0.1" and not ServeOptions().allow_update


# ---------------------------------------------------------------- the editor page


def test_the_editor_page_loads_yasgui_from_the_server_with_the_examples(
    server: SparqlServer,
) -> None:
    status, headers, body = request(server.url)
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert (
        'src="yasgui.min.js"' in page
        and "https://" not in page.split("<body>")[1].split("kg-config")[0]
    )
    config = page.split('id="kg-config">')[1].split("</script>")[0]
    examples = json.loads(config)["examples"]
    assert [e["title"] for e in examples] == [e["title"] for e in example_queries()]
    assert len(examples) >= 1
    for asset in ("yasgui.min.js", "yasgui.min.css"):
        status, _, body = request(server.url + asset)
        assert status == 200 and len(body) > 1000


def test_a_query_text_can_not_break_out_of_the_page_script() -> None:
    from kg.serve import _editor_page

    page = _editor_page(ServeOptions()).decode("utf-8")
    config = page.split('id="kg-config">')[1].split("</script>")[0]
    assert "<" not in config  # so no "</script>" or "<!--" from a query ends the element


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.browser
def test_the_editor_runs_an_example_in_chromium_without_the_network(server: SparqlServer) -> None:
    executable = chromium()
    playwright = pytest.importorskip("playwright.sync_api")
    if executable is None:
        pytest.skip("no Chromium")
    outside: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page()

            def route(r: object) -> None:
                url = r.request.url  # type: ignore[attr-defined]
                if url.startswith(server.url):
                    r.continue_()  # type: ignore[attr-defined]
                else:
                    outside.append(url)
                    r.abort()  # type: ignore[attr-defined]

            page.route("**/*", route)
            page.goto(server.url)
            page.wait_for_selector(".CodeMirror")
            page.evaluate(
                "q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)",
                ZONES_INDUSTRIES,
            )
            page.click(".yasqe_queryButton")
            page.wait_for_selector(".yasr .dataTable tbody tr", timeout=20_000)
            text = page.inner_text(".yasr .dataTable")
            tabs = page.locator(".tabsList .tab").count()
        finally:
            browser.close()
    assert all(zone in text and industry in text for zone, industry in EXPECTED_PAIRS)
    assert tabs == len(example_queries())
    assert outside == []


# ---------------------------------------------------------------- snapshot and lifecycle


def test_a_build_can_write_while_the_snapshot_is_served(tmp_path: Path) -> None:
    location = tmp_path / "store"
    write_sample_store(str(location))
    with running(location, ServeOptions(port=0)) as served:
        before = count_quads(served)
        writer = EmbeddedStore(location)  # would fail if the server held the store (#948)
        try:
            extra = ox.Quad(
                ox.NamedNode("https://example.org/x"),
                ox.NamedNode(ONTOLOGY + "name"),
                ox.Literal("新的"),
                graph_iri("t-new"),
            )
            writer.replace_graph(graph_iri("t-new"), [extra])
        finally:
            writer.close()
        assert count_quads(served) == before  # the snapshot, as taken at start
    with running(location, ServeOptions(port=0)) as restarted:
        assert count_quads(restarted) == before + 1


def test_allow_update_serves_the_store_itself_and_holds_it(tmp_path: Path) -> None:
    location = tmp_path / "store"
    write_sample_store(str(location))
    options = ServeOptions(port=0, allow_update=True)
    with running(location, options) as served:
        before = count_quads(served)
        insert = (
            "INSERT DATA { GRAPH <https://example.org/g> "
            "{ <https://example.org/a> <https://example.org/b> 'c' } }"
        )
        status, _, _ = request(served.url + "update", data={"update": insert})
        assert status == 204
        assert count_quads(served) == before + 1
        assert request(served.url + "update", data={"update": "LOAD <file:///etc/hosts>"})[0] == 403
        with pytest.raises(StoreBusyError):
            EmbeddedStore(location)
    store = open_store(location, read_only=True)
    try:
        assert len(list(store.quads(ox.NamedNode("https://example.org/g")))) == 1
    finally:
        store.close()


def test_kg_serve_runs_until_sigterm_and_cleans_up(tmp_path: Path) -> None:
    sample_location = tmp_path / "store"
    write_sample_store(str(sample_location))
    command = [sys.executable, "-m", "kg.cli", "--store", str(sample_location)]
    command += ["serve", "--port", "0", "--quiet"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        try:
            first = process.stdout.readline()
            assert first.startswith("serving "), first + process.stderr.read()
            url = first.rsplit(" at ", 1)[1].strip()
            status, _, body = request(
                url + "query", data={"query": ZONES_INDUSTRIES}, accept="text/csv"
            )
            assert status == 200 and body.decode().count("\n") == len(EXPECTED_PAIRS) + 1
            assert len(list(sample_location.parent.glob(".kg-serve-*"))) == 1  # the snapshot
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(30)
    assert code == 0
    assert list(sample_location.parent.glob(".kg-serve-*")) == []
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=5)


def test_a_kg_serve_killed_outright_is_cleaned_up_by_the_next_one(tmp_path: Path) -> None:
    store = tmp_path / "store"
    write_sample_store(str(store))
    command = [sys.executable, "-m", "kg.cli", "--store", str(store)]
    command += ["serve", "--port", "0", "--quiet"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("serving ")
        process.kill()  # SIGKILL: no chance to stop the engine or remove the snapshot
        process.wait(30)
    (left,) = store.parent.glob(".kg-serve-*")
    engine = int((left / "engine.pid").read_text().split()[0])
    assert Path(f"/proc/{engine}").exists(), "the engine outlived kg serve"

    with running(store, ServeOptions(port=0)) as server:
        assert not left.exists()
        deadline = time.monotonic() + 10
        while Path(f"/proc/{engine}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # killed, then reaped by init
        stat = Path(f"/proc/{engine}/stat")
        assert not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
        status, _, body = request(
            server.url + "query", data={"query": ZONES_INDUSTRIES}, accept="text/csv"
        )
        assert status == 200 and body.decode().count("\n") == len(EXPECTED_PAIRS) + 1
        assert len(list(store.parent.glob(".kg-serve-*"))) == 1  # its own snapshot only
    assert list(store.parent.glob(".kg-serve-*")) == []


def test_serving_a_missing_store_or_a_url_is_a_clear_error(tmp_path: Path) -> None:
    from kg.errors import KgError
    from kg.serve import serve

    with pytest.raises(KgError, match="no kg store here yet"):
        serve(tmp_path / "nothing", ServeOptions(port=0))
    with pytest.raises(KgError, match="already a SPARQL endpoint"):
        serve("http://127.0.0.1:7878", ServeOptions(port=0))


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    from kg.build import build

    location = tmp_path_factory.mktemp("serve-dev") / "store"
    writer = open_store(location)
    try:
        build([str(need(CORPUS / "dev"))], writer, workers=1)
    finally:
        writer.close()
    with running(location, ServeOptions(port=0)) as started:
        yield started


def test_every_example_query_of_the_editor_answers_on_the_dev_corpus(
    dev_server: SparqlServer,
) -> None:
    examples = example_queries()
    assert len(examples) >= 5
    answered = 0
    for example in examples:
        status, _, body = sparql(dev_server, example["query"], "application/sparql-results+json")
        assert status == 200, (example["title"], body[:300])
        answered += bool(json.loads(body)["results"]["bindings"])
    assert answered >= len(examples) - 2  # a few may find nothing in 18 articles

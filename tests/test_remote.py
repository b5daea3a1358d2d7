"""--store URL: build, query, export, analyze, dump and load against a real Oxigraph server.

The server (`oxigraph serve`, read-write) runs on a free loopback port per test session, started
without --union-default-graph: kg asks for the union itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kg.cli import cli
from kg.errors import QueryError, StoreError
from kg.rdf.store import RemoteStore, open_store
from kg.serve import ServeOptions, free_port, running

from .conftest import CORPUS, need
from .sample_graph import write_sample_store

OXIGRAPH = shutil.which(
    "oxigraph", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
)
pytestmark = pytest.mark.skipif(OXIGRAPH is None, reason="the oxigraph server is not installed")


def kg(store: str | Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--store", str(store), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """Starts Oxigraph servers (read-write, each on its own directory and port); stops them."""
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> str:
        assert OXIGRAPH is not None
        port = free_port()
        location = tmp_path_factory.mktemp("oxigraph")
        process = subprocess.Popen(
            [OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/logo.svg", timeout=1):
                    return url
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the Oxigraph server did not start")

    yield start
    for process in processes:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="session")
def dev_pair(
    oxigraph_server: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    """The dev corpus built into a server and into an embedded store."""
    dev = str(need(CORPUS / "dev"))
    url = oxigraph_server()
    local = tmp_path_factory.mktemp("local") / "store"
    for store in (url, local):
        code, out, err = kg(store, "build", dev, "--workers", "1")
        assert code == 0, out + err
        assert "built 18" in out
    return url, local


@pytest.fixture(scope="session")
def sample_pair(
    oxigraph_server: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    """The sample graph in an embedded store and, through kg dump / kg load, in a server."""
    local = tmp_path_factory.mktemp("sample") / "store"
    write_sample_store(str(local))
    dump = local.parent / "sample.nq.gz"
    assert kg(local, "dump", str(dump))[0] == 0
    url = oxigraph_server()
    code, _, err = kg(url, "load", str(dump))
    assert code == 0, err
    return url, local


def test_build_into_a_server_gives_what_an_embedded_build_gives(dev_pair: tuple[str, Path]) -> None:
    url, local = dev_pair
    remote_stats = json.loads(kg(url, "stats", "--format", "json")[1])
    assert remote_stats == json.loads(kg(local, "stats", "--format", "json")[1])
    assert remote_stats["articles"] == 18 and remote_stats["triples"] > 0
    code, out, _ = kg(url, "build", str(need(CORPUS / "dev")), "--workers", "1")
    assert code == 0 and "built 0, unchanged 18" in out


def test_queries_answer_the_same_remotely(dev_pair: tuple[str, Path]) -> None:
    url, local = dev_pair
    query = """SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?type ; kg:mentionedIn ?a }
               GROUP BY ?type ORDER BY ?type"""
    remote = kg(url, "query", query, "--format", "csv")
    assert remote[0] == 0, remote[2]
    assert remote[1] == kg(local, "query", query, "--format", "csv")[1]
    assert remote[1].count("\n") > 3


def test_analyze_reads_a_server_too(dev_pair: tuple[str, Path]) -> None:
    url, local = dev_pair
    remote = kg(url, "analyze", "measures", "--format", "json")
    assert remote[0] == 0, remote[2]
    assert json.loads(remote[1]) == json.loads(
        kg(local, "analyze", "measures", "--format", "json")[1]
    )


def test_remove_through_a_server(oxigraph_server: Callable[[], str], tmp_path: Path) -> None:
    url = oxigraph_server()
    assert kg(url, "build", str(need(CORPUS / "dev" / "dev-01.txt")), "--workers", "1")[0] == 0
    articles = json.loads(kg(url, "articles", "--format", "json")[1])
    assert len(articles) == 1
    code, _, _ = kg(url, "remove", articles[0]["id"])
    assert code == 0 and json.loads(kg(url, "stats", "--format", "json")[1])["triples"] == 0


def test_export_from_a_server_equals_the_embedded_export(
    sample_pair: tuple[str, Path], tmp_path: Path
) -> None:
    url, local = sample_pair
    for where, name in ((url, "remote.trig"), (local, "local.trig")):
        code, _, err = kg(
            where, "export", "--zone", "青山高新区", "--since", "2022", "-o", str(tmp_path / name)
        )
        assert code == 0, err
    remote, here = rdflib.Dataset(), rdflib.Dataset()
    remote.parse(tmp_path / "remote.trig", format="trig")
    here.parse(tmp_path / "local.trig", format="trig")
    remote_graphs = {g.identifier: g for g in remote.graphs() if len(g)}
    local_graphs = {g.identifier: g for g in here.graphs() if len(g)}
    assert remote_graphs.keys() == local_graphs.keys() and len(local_graphs) == 3
    assert all(isomorphic(remote_graphs[k], local_graphs[k]) for k in local_graphs)


def test_dump_of_a_server_equals_the_store_it_was_loaded_from(
    sample_pair: tuple[str, Path], tmp_path: Path
) -> None:
    url, local = sample_pair
    assert kg(url, "dump", str(tmp_path / "remote.nq"))[0] == 0
    remote = set(ox.parse(path=str(tmp_path / "remote.nq"), format=ox.RdfFormat.N_QUADS))
    store = open_store(local, read_only=True)
    try:
        assert remote == set(store.quads())
    finally:
        store.close()


def test_a_syntax_error_from_the_server_points_at_the_users_line(
    sample_pair: tuple[str, Path],
) -> None:
    url, _ = sample_pair
    code, _, err = kg(url, "query", "SELECT ?x WHERE {\n  ?x a kg:Zone\n  ?x kg:y ?z . }")
    assert code == 1 and "line 3, column" in err and "Traceback" not in err


def test_a_remote_query_over_its_timeout_is_a_clear_error(sample_pair: tuple[str, Path]) -> None:
    url, _ = sample_pair
    store = RemoteStore(url)
    from kg.query import run_query

    started = time.monotonic()
    with pytest.raises(QueryError, match="within 1 s"):
        run_query(
            store,
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
            timeout=1,
        )
    assert time.monotonic() - started < 30


def test_an_endpoint_that_is_down_or_read_only_is_named(
    sample_pair: tuple[str, Path], tmp_path: Path
) -> None:
    port = free_port()
    code, _, err = kg(f"http://127.0.0.1:{port}", "stats")
    assert code == 1 and "cannot reach the SPARQL endpoint" in err and "Traceback" not in err
    _, local = sample_pair
    with running(local, ServeOptions(port=0)) as read_only:
        store = RemoteStore(read_only.url.rstrip("/"))
        with pytest.raises(StoreError, match="403"):
            store.remove_graph(ox.NamedNode("https://w3id.org/kg-innovation/graph/t-1"))
        assert len(store.named_graphs()) == 3  # reading works through kg serve

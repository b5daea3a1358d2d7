"""The embedded store: one writer or many readers, told apart by a lock; clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import StoreBusyError, StoreError
from kg.rdf.store import EmbeddedStore, open_store

G = ox.NamedNode("https://example.org/g")
QUAD = ox.Quad(
    ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"), ox.Literal("o"), G
)


def kg_in_subprocess(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", "--store", str(store), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_reader_is_told_the_store_is_busy_while_another_process_writes(tmp_path: Path) -> None:
    writer = open_store(tmp_path / "s")
    writer.replace_graph(G, [QUAD])
    try:
        result = kg_in_subprocess(tmp_path / "s", "stats")
        assert result.returncode == 4
        assert "busy" in result.stderr and "retry" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        writer.close()
    result = kg_in_subprocess(tmp_path / "s", "stats", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert '"graphs": 1' in result.stdout


def test_a_second_writer_in_the_same_process_is_refused(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path / "s")
    try:
        with pytest.raises(StoreBusyError, match="busy"):
            EmbeddedStore(tmp_path / "s")
    finally:
        first.close()
    EmbeddedStore(tmp_path / "s").close()


def test_readers_share_the_store(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path / "s").close()
    one = EmbeddedStore(tmp_path / "s", read_only=True)
    two = EmbeddedStore(tmp_path / "s", read_only=True)
    one.close()
    two.close()


def test_reading_a_store_that_does_not_exist_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="kg build"):
        EmbeddedStore(tmp_path / "none", read_only=True)


def test_replace_graph_replaces_the_whole_graph(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    other = ox.Quad(QUAD.subject, QUAD.predicate, ox.Literal("new"), G)
    store.replace_graph(G, [QUAD])
    store.replace_graph(G, [other])
    assert [q.object for q in store.quads(G)] == [ox.Literal("new")]
    store.close()

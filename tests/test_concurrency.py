"""Concurrent use of one store: what readers, servers and a second build meet while a build
writes, and what a build meets while a reader reads.

What kg does (README, "limits and safety"): the embedded store has one writer or any number of
readers at a time. While `kg build` writes, `kg query`, `kg stats`, `kg export`, `kg viz`,
`kg analyze` and `kg serve` stop at once with "the store is busy ... retry when it has finished"
and exit code 4, and a second `kg build` is refused the same way, so it cannot corrupt the store.
`kg serve` started before the build answers from the snapshot it took, throughout the build.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

REPO = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli"]
BUSY = re.compile(r"the store is busy, another kg process is (writing to|using) it; retry when")


def generate(count: int, seed: int, out: Path) -> Path:
    command = [sys.executable, str(REPO / "bench" / "generate.py"), "--count", str(count)]
    subprocess.run([*command, "--seed", str(seed), "-o", str(out)], check=True)
    return out


def writer_holds(store: Path) -> bool:
    """True while another process holds the store's lock for writing."""
    try:
        handle = (store / "kg.lock").open("rb")
    except FileNotFoundError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(300, 17, tmp_path_factory.mktemp("concurrent") / "articles.jsonl")


@pytest.fixture
def building(corpus: Path, tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A store with a build writing into it (yielded once the build holds the store)."""
    store = tmp_path / "store"
    first = corpus.parent / "first.jsonl"
    if not first.exists():
        first.write_text(corpus.read_text("utf-8").split("\n", 1)[0] + "\n", "utf-8")
    # a store with one article in it already, so that readers find a store, not nothing
    done = subprocess.run([*KG, "--store", str(store), "build", str(first)], capture_output=True)
    assert done.returncode == 0, done.stderr
    process = subprocess.Popen(
        [*KG, "--store", str(store), "build", str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not writer_holds(store):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build did not take the store"
        time.sleep(0.05)
    try:
        yield store, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


READERS = [
    ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
    ["query", "--timeout", "10", "ASK { ?s ?p ?o }"],
    ["stats"],
    ["articles"],
    ["entities", "--type", "Zone"],
    ["export", "--format", "nt"],
    ["viz", "-o", "PAGE"],
    ["analyze", "measures"],
    ["validate"],
    ["dump"],
    ["serve", "--port", "0"],
    ["serve", "--port", "0", "--allow-update"],
    ["build", "CORPUS"],
    ["remove", "syn-0000001"],
]


@pytest.mark.slow
def test_everything_else_is_told_the_store_is_busy_while_a_build_writes(
    building: tuple[Path, subprocess.Popen[str]], corpus: Path, tmp_path: Path
) -> None:
    store, process = building
    page = tmp_path / "page.html"
    for args in READERS:
        args = [{"PAGE": str(page), "CORPUS": str(corpus)}.get(a, a) for a in args]
        result = CliRunner().invoke(cli, ["--store", str(store), *args])
        assert result.exit_code == 4, (args, result.output, result.exception)
        assert BUSY.search(result.stderr), (args, result.stderr)
        assert "Traceback" not in result.output
    assert not page.exists()
    # a real process says the same
    done = subprocess.run(
        [*KG, "--store", str(store), "query", "ASK { ?s ?p ?o }"], capture_output=True, text=True
    )
    assert done.returncode == 4 and BUSY.search(done.stderr), done.stderr
    assert process.poll() is None, "the build ended before every reader was tried: not a test"

    # the build was not disturbed: it ends well, and everything it wrote is there
    out, errors = process.communicate(timeout=1200)
    assert process.returncode == 0, errors
    assert "built 300," in out or "built 299, unchanged 1" in out, out
    again = subprocess.run(
        [*KG, "--store", str(store), "build", str(corpus)], capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert "built 0, unchanged 300" in again.stdout, again.stdout


@pytest.mark.slow
def test_two_builds_at_once_the_second_is_refused_in_a_real_process(
    building: tuple[Path, subprocess.Popen[str]], corpus: Path
) -> None:
    store, process = building
    second = subprocess.run(
        [*KG, "--store", str(store), "build", str(corpus)], capture_output=True, text=True
    )
    assert second.returncode == 4, second.stderr
    assert BUSY.search(second.stderr)
    assert "Traceback" not in second.stderr
    assert process.poll() is None
    process.communicate(timeout=1200)
    assert process.returncode == 0
    stats = subprocess.run(
        [*KG, "--store", str(store), "stats", "--format", "json"], capture_output=True, text=True
    )
    assert json.loads(stats.stdout)["articles"] == 300


def test_a_build_is_refused_while_a_reader_reads(tmp_path: Path) -> None:
    articles = tmp_path / "a.jsonl"
    articles.write_text(
        json.dumps({"id": "r1", "text": "包头稀土高新区发展稀土新材料产业。"}, ensure_ascii=False)
        + "\n",
        "utf-8",
    )
    store = tmp_path / "store"
    assert CliRunner().invoke(cli, ["--store", str(store), "build", str(articles)]).exit_code == 0
    # a query that runs for long: a cross product of every triple with itself, three times
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    reader = subprocess.Popen(
        [*KG, "--store", str(store), "query", "--timeout", "60", slow],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not _reader_holds(store):
            assert time.monotonic() < deadline and reader.poll() is None
            time.sleep(0.05)
        result = CliRunner().invoke(cli, ["--store", str(store), "build", str(articles)])
        assert result.exit_code == 4, result.output
        assert BUSY.search(result.stderr)
    finally:
        os.killpg(reader.pid, signal.SIGKILL)
        reader.wait()


def _reader_holds(store: Path) -> bool:
    with (store / "kg.lock").open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


@pytest.mark.slow
def test_kg_serve_started_before_a_build_answers_from_its_snapshot_throughout(
    corpus: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    first = tmp_path / "first.jsonl"
    first.write_text(corpus.read_text("utf-8").split("\n", 1)[0] + "\n", "utf-8")
    assert subprocess.run([*KG, "--store", str(store), "build", str(first)]).returncode == 0
    server = subprocess.Popen(
        [*KG, "--store", str(store), "serve", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert url, line + (server.stderr.read() if server.poll() is not None else "")
        count = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a kg:Article }"

        def articles_served() -> int:
            body = urllib.parse.urlencode(
                {"query": "PREFIX kg: <https://w3id.org/kg-innovation/ontology#>\n" + count}
            ).encode()
            request = urllib.request.Request(
                url.group(1) + "query", data=body, headers={"Accept": "text/csv"}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.read().decode().split()[1])

        assert articles_served() == 1
        build = subprocess.Popen(
            [*KG, "--store", str(store), "build", str(corpus)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        answers = []
        while build.poll() is None:
            answers.append(articles_served())
            time.sleep(0.2)
        _, build_errors = build.communicate()
        assert build.returncode == 0, build_errors
        assert len(answers) >= 3 and set(answers) == {1}
        assert articles_served() == 1  # until restarted, the snapshot it took
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    assert server.returncode == 0
    done = subprocess.run(
        [*KG, "--store", str(store), "stats", "--format", "json"], capture_output=True, text=True
    )
    assert json.loads(done.stdout)["articles"] == 300

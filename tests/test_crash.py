"""Crashes and failing storage: a build killed at any moment, a full disk, a read-only store.

A build killed with SIGKILL (power cut, OOM killer) leaves a store that opens, holds every
article either whole or not at all, and that the next build completes to exactly what a clean
build gives. Each build runs in a process group of its own, killed whole, workers included.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import closing
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.rdf.store import open_store

REPO = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli"]
# The same command with small write batches (8 articles), so that kills land between and inside
# many more transactions than the default batch of 256 allows.
KG_SMALL_BATCHES = [
    sys.executable,
    "-c",
    "import sys, kg.build, kg.cli; kg.build.BATCH_ARTICLES = 8; sys.argv[0] = 'kg'; kg.cli.main()",
]
SEED = int(os.environ.get("KG_CRASH_SEED", "20261127"))

Graphs = dict[str, frozenset[ox.Quad]]


def generate(count: int, seed: int, out: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "generate.py"),
            "--count",
            str(count),
            "--seed",
            str(seed),
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


def run_build(store: Path, inputs: Path, *, command: list[str] = KG) -> float:
    """Build `inputs` into `store`; how many seconds the build took."""
    started = time.monotonic()
    done = subprocess.run(
        [*command, "--store", str(store), "build", str(inputs)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return time.monotonic() - started


def graphs_of(store_path: Path) -> Graphs:
    """Every named graph of the store and its quads."""
    graphs: dict[str, set[ox.Quad]] = defaultdict(set)
    with closing(open_store(store_path, read_only=True)) as store:
        for quad in store.quads():
            assert isinstance(quad.graph_name, ox.NamedNode), f"a quad outside an article: {quad}"
            graphs[quad.graph_name.value].add(quad)
    return {g: frozenset(q) for g, q in graphs.items()}


def kill_build_after(store: Path, inputs: Path, seconds: float, command: list[str]) -> bool:
    """Start a build, SIGKILL its whole process group after `seconds`; False if it finished."""
    process = subprocess.Popen(
        [*command, "--store", str(store), "build", str(inputs)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        process.stderr.close()  # type: ignore[union-attr]
        return True
    errors = process.stderr.read().decode()  # type: ignore[union-attr]
    process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == 0, errors
    return False


def assert_only_whole_articles(store: Path, *versions: Graphs) -> int:
    """Each graph in the store equals one version of that article exactly; how many there are."""
    found = graphs_of(store)
    for graph, quads in found.items():
        assert any(quads == version.get(graph) for version in versions), (
            f"{graph} is half-written: {len(quads)} quads, whole versions have "
            f"{[len(v.get(graph, ())) for v in versions]}"
        )
    return len(found)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(300, 11, tmp_path_factory.mktemp("crash") / "articles.jsonl")


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Graphs, float]:
    """The graphs of a clean build of the corpus, and how long that build took."""
    store = tmp_path_factory.mktemp("clean") / "store"
    seconds = run_build(store, corpus)
    return graphs_of(store), seconds


@pytest.mark.slow
def test_a_build_killed_at_random_points_completes_to_the_clean_result(
    corpus: Path, clean: tuple[Graphs, float], tmp_path: Path
) -> None:
    expected, seconds = clean
    assert len(expected) == 300
    store = tmp_path / "store"
    rng = random.Random(SEED)
    kills = 0
    for attempt in range(5):
        command = KG_SMALL_BATCHES if attempt % 2 else KG
        # anywhere from the pipeline loading to the last batches being written
        delay = rng.uniform(0.3, seconds * 0.9)
        if kill_build_after(store, corpus, delay, command):
            kills += 1
        # it opens, answers, and every article in it is whole
        assert_only_whole_articles(store, expected)
        stats = subprocess.run(
            [*KG, "--store", str(store), "stats", "--format", "json"],
            capture_output=True,
            text=True,
        )
        assert stats.returncode == 0, stats.stderr
    assert kills >= 3, f"only {kills} of 5 builds were killed before they finished (seed {SEED})"
    run_build(store, corpus)
    assert graphs_of(store) == expected


@pytest.mark.slow
def test_a_rebuild_of_changed_articles_killed_leaves_each_old_new_or_absent(
    tmp_path: Path,
) -> None:
    # both versions are read from the same path: the source file is part of an article's graph
    articles = tmp_path / "articles.jsonl"
    old_text = generate(80, 5, tmp_path / "old.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in old_text.splitlines()]
    for row in rows[::2]:
        row["text"] += "\n同日，该区新增高新技术企业12家。"
    new_text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)

    versions = []
    for name, text in (("old", old_text), ("new", new_text)):
        articles.write_text(text, "utf-8")
        run_build(tmp_path / f"clean-{name}", articles)
        versions.append(graphs_of(tmp_path / f"clean-{name}"))
    old_graphs, new_graphs = versions
    assert old_graphs.keys() == new_graphs.keys()
    assert sum(old_graphs[g] != new_graphs[g] for g in old_graphs) == 40

    store = tmp_path / "store"
    articles.write_text(old_text, "utf-8")
    run_build(store, articles)
    # how long the rebuild takes on this machine, timed on a copy, so the kills land inside it
    shutil.copytree(store, tmp_path / "timing")
    articles.write_text(new_text, "utf-8")
    seconds = run_build(tmp_path / "timing", articles, command=KG_SMALL_BATCHES)
    rng = random.Random(SEED + 1)
    kills = 0
    for _ in range(4):
        if kill_build_after(store, articles, rng.uniform(0.3, 0.95) * seconds, KG_SMALL_BATCHES):
            kills += 1
            assert_only_whole_articles(store, old_graphs, new_graphs)
    assert kills, f"every rebuild finished before it could be killed (they take {seconds:.1f} s)"
    run_build(store, articles)
    assert graphs_of(store) == new_graphs


@pytest.mark.slow
def test_a_killed_build_leaves_a_store_that_validates(tmp_path: Path) -> None:
    corpus = generate(24, 3, tmp_path / "few.jsonl")
    # how long a build takes on this machine: the kills land in its second half, once the
    # store exists and batches are being written
    seconds = run_build(tmp_path / "timing", corpus, command=KG_SMALL_BATCHES)
    store = tmp_path / "store"
    rng = random.Random(SEED + 2)
    killed = False
    for _ in range(6):
        delay = rng.uniform(0.5, 0.95) * seconds
        killed = kill_build_after(store, corpus, delay, KG_SMALL_BATCHES)
        if killed and (store / "CURRENT").exists():
            break
        if not killed:  # start again from nothing, or the next build has nothing left to do
            shutil.rmtree(store)
    assert killed, f"every build finished before it could be killed (they take {seconds:.1f} s)"
    done = subprocess.run([*KG, "--store", str(store), "validate"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms" in done.stdout
    run_build(store, corpus)
    done = subprocess.run([*KG, "--store", str(store), "validate"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------- failing storage


def can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = Path(f"/tmp/kg-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True
        )
        if done.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], check=True)
        return True
    finally:
        probe.rmdir()


MOUNT = pytest.mark.skipif(
    not can_mount(),
    reason="needs root and mount (tmpfs, bind mounts); the error paths are also tested "
    "without mounting in test_a_file_where_the_store_should_be_is_a_clear_error",
)


@pytest.fixture
def small_disk(tmp_path: Path) -> Path:
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@MOUNT
@pytest.mark.slow
def test_a_full_disk_is_a_clear_error_and_nothing_is_lost(
    small_disk: Path, corpus: Path, clean: tuple[Graphs, float], tmp_path: Path
) -> None:
    # the articles are read from a path of the small disk's test, not the clean build's
    expected = without_source_file(clean[0])
    store = small_disk / "store"
    articles = tmp_path / "articles.jsonl"
    lines = corpus.read_text("utf-8").splitlines(keepends=True)
    articles.write_text("".join(lines[:5]), "utf-8")
    run_build(store, articles)
    before = graphs_of(store)
    assert len(before) == 5
    articles.write_text("".join(lines), "utf-8")
    done = subprocess.run(
        [*KG_SMALL_BATCHES, "--store", str(store), "build", str(articles)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert re.search(r"the disk is full; free space and run the build again", done.stderr), (
        done.stderr
    )
    # nothing stored before is lost, what was added is whole
    after = graphs_of(store)
    assert {g: after[g] for g in before} == before
    for graph, quads in without_source_file(after).items():
        assert quads == expected[graph], graph
    # after making room, the next build completes it
    subprocess.run(["mount", "-o", "remount,size=400m", str(small_disk)], check=True)
    run_build(store, articles)
    assert without_source_file(graphs_of(store)) == expected


def without_source_file(graphs: Graphs) -> Graphs:
    """The graphs without the path of the file each article was read from."""
    return {
        g: frozenset(q for q in quads if not q.predicate.value.endswith("#sourceFile"))
        for g, quads in graphs.items()
    }


@pytest.fixture
def read_only_store(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    articles = tmp_path / "a.jsonl"
    articles.write_text(
        json.dumps({"id": "ro-1", "text": "包头稀土高新区发展稀土新材料产业。"}, ensure_ascii=False)
        + "\n",
        "utf-8",
    )
    run_build(source / "store", articles)
    view = tmp_path / "view"
    view.mkdir()
    subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(view)], check=True)
    try:
        yield view / "store"
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)


@MOUNT
def test_a_read_only_store_can_be_queried_but_not_built_into(
    read_only_store: Path, tmp_path: Path
) -> None:
    before = graphs_of(read_only_store)
    articles = tmp_path / "b.jsonl"
    articles.write_text(json.dumps({"id": "ro-2", "text": "新文章。"}) + "\n", "utf-8")
    done = subprocess.run(
        [*KG, "--store", str(read_only_store), "build", str(articles)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert re.search(r"cannot (use|be written).*Read-only file system.*--store", done.stderr)
    query = subprocess.run(
        [
            *KG,
            "--store",
            str(read_only_store),
            "query",
            "--format",
            "csv",
            "SELECT ?id WHERE { ?a dcterms:identifier ?id }",
        ],
        capture_output=True,
        text=True,
    )
    assert query.returncode == 0, query.stderr
    assert query.stdout.split() == ["id", "ro-1"]
    assert graphs_of(read_only_store) == before


def test_a_file_where_the_store_should_be_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "store"
    blocker.write_text("not a store")
    articles = tmp_path / "a.jsonl"
    articles.write_text(json.dumps({"id": "x", "text": "文章。"}) + "\n", "utf-8")
    for args in (["build", str(articles)], ["stats"], ["query", "ASK { ?s ?p ?o }"]):
        done = subprocess.run([*KG, "--store", str(blocker), *args], capture_output=True, text=True)
        assert done.returncode == 1, (args, done.stderr)
        assert "Traceback" not in done.stderr
        assert re.search(rf"{re.escape(str(blocker))}: .*(--store|kg build)", done.stderr), (
            args,
            done.stderr,
        )
    assert blocker.read_text() == "not a store"


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").exists(), reason="finds the workers through /proc")
def test_a_build_whose_extraction_worker_dies_ends_with_a_clear_error(
    corpus: Path, clean: tuple[Graphs, float], tmp_path: Path
) -> None:
    # what the OOM killer does to a worker: before, the build waited for it forever
    store = tmp_path / "store"
    process = subprocess.Popen(
        [*KG, "--store", str(store), "build", "--workers", "2", str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline and process.poll() is None:
            workers = [
                child
                for child in children_of(process.pid)
                if "spawn_main" in Path(f"/proc/{child}/cmdline").read_text(errors="replace")
            ]
            if workers:
                break
            time.sleep(0.1)
        if not workers:
            out, errors = process.communicate(timeout=600)
            raise AssertionError(f"no extraction worker appeared: {out}{errors}")
        time.sleep(1.0)
        os.kill(workers[0], signal.SIGKILL)
        out, errors = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 1, out + errors
    assert "Traceback" not in errors
    assert re.search(r"extraction worker .*(died|killed).*--workers 1", errors), errors
    # what was written before is whole, and the next build completes the store
    if (store / "CURRENT").exists():
        assert_only_whole_articles(store, clean[0])
    run_build(store, corpus)
    assert graphs_of(store) == clean[0]

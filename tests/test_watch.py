"""`kg build --watch`: one process that builds, then builds again each time an input changes,
with the store free for queries in between (a rebuild waits for a reader), until Ctrl-C."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from click.testing import CliRunner

from kg.cli import cli
from kg.rdf.store import EmbeddedStore

KG = [sys.executable, "-m", "kg.cli"]
WAIT = 120  # seconds; a loaded machine takes a few to load the pipeline


def lines_of(stream: IO[str]) -> queue.Queue[str]:
    """The lines of a child's stream as they come, read in a thread."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        with stream:
            for line in stream:
                lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def next_line(lines: queue.Queue[str], starting: str) -> str:
    while True:
        line = lines.get(timeout=WAIT)
        if line.startswith(starting):
            return line


def article_ids(store: Path) -> set[str]:
    done = subprocess.run(
        [*KG, "--store", str(store), "articles", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=True,
    )
    return {row["id"] for row in json.loads(done.stdout)}


def test_watch_builds_a_new_file_and_leaves_the_store_free_between_builds(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("青梧高新区大力发展氢能产业，力争2027年产值达到30亿元。", "utf-8")
    store = tmp_path / "store"
    watcher = subprocess.Popen(
        [*KG, "--store", str(store), "build", str(news), "--watch", "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert watcher.stdout is not None and watcher.stderr is not None
        out, err = lines_of(watcher.stdout), lines_of(watcher.stderr)
        assert next_line(out, "built").startswith("built 1, unchanged 0")
        next_line(err, "watching")
        first = article_ids(store)  # another process reads the store while it watches
        assert len(first) == 1

        # a change while another process reads the store waits for it, and is not lost
        reader = EmbeddedStore(store, read_only=True)
        (news / "b.txt").write_text("白鹭湾经开区引进储能电池项目，总投资12亿元。", "utf-8")
        assert "the store is busy" in next_line(err, "waiting")
        reader.close()
        assert next_line(out, "built").startswith("built 1, unchanged 1")
        assert len(article_ids(store) - first) == 1

        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(timeout=WAIT) == 0
    finally:
        watcher.kill()
        watcher.wait()


def test_watch_cannot_watch_standard_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "s"), "build", "-", "--watch"])
    assert result.exit_code == 2
    assert "cannot watch stdin" in result.output

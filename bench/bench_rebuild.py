"""Incremental rebuild: the time of `kg build` after one article changed in a large store.

Uses a store built by bench/bench_build.py from one synthetic JSON Lines file (100,000 articles
by default) and rebuilds it as a user would, `kg build FILE --workers 2` in a subprocess:
(a) nothing changed; (b) one article in the middle of the file changed (its line rewritten);
(c) the same article changed back; (d) the file touched, content unchanged. Then changes (b)
and (c) seen by one long-lived `kg build FILE --watch`: the seconds from the file written (its
write returned) to the rebuild's summary line, kg being started and its pipeline loaded
already. The baseline, in the same script, is the one-shot command building a one-article file
into an empty store: the fixed cost of starting kg, loading the pipeline and writing one
article, which no one-shot rebuild can beat.

    .venv/bin/python bench/bench_rebuild.py --count 100000
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import REPO, append_rows, commit, load, today

KG = REPO / ".venv" / "bin" / "kg"
TARGET_SECONDS = 2.0
HEADING = "Incremental rebuild after one changed article (bench/bench_rebuild.py)"
INTRO = (
    "`kg build FILE --workers 2` (subprocess, wall seconds and CPU seconds of the process "
    "tree) on the store bench/bench_build.py built from one synthetic JSON Lines file. "
    "Baseline: the same command building a one-article file into an empty store (starting kg, "
    "loading the pipeline, writing one article); ratio = rebuild / baseline. Target: < 2 s for "
    "one changed article in 100k."
)
HEADER = [
    "date",
    "commit",
    "store articles",
    "change",
    "built / unchanged",
    "rebuild s (CPU s)",
    "baseline s (CPU s)",
    "ratio",
    "target < 2 s",
    "load",
]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def kg_build(store: Path, inputs: Path, workers: int) -> tuple[float, float, dict[str, object]]:
    with tempfile.TemporaryDirectory() as scratch:
        report_file = Path(scratch) / "report.json"
        command = [str(KG), "--store", str(store), "build", str(inputs)]
        command += ["--workers", str(workers), "--report", str(report_file)]
        cpu = children_cpu()
        clock = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - clock
        if done.returncode not in (0, 3):
            raise SystemExit(f"kg build failed: {done.stderr}")
        report = json.loads(report_file.read_text(encoding="utf-8"))
    return seconds, children_cpu() - cpu, report


def built_by_this_version(store: Path, inputs: Path) -> bool:
    """Whether the store holds the first article with the fingerprint this code gives it."""
    from kg.build import fingerprint
    from kg.ingest import read_jsonl_lines
    from kg.model import Article
    from kg.rdf.namespaces import ONTOLOGY, article_iri
    from kg.rdf.store import open_store

    with inputs.open("rb") as handle:
        first = next(a for a in read_jsonl_lines(handle, str(inputs)) if isinstance(a, Article))
    opened = open_store(store, read_only=True)
    try:
        sparql = f"SELECT ?f WHERE {{ {article_iri(first.id)} <{ONTOLOGY}fingerprint> ?f }}"
        rows = list(opened.query(sparql))
    finally:
        opened.close()
    return bool(rows) and rows[0]["f"].value == fingerprint(first)


def rewrite_line(path: Path, index: int, change: bool) -> None:
    """Change (or restore) the text of the article on line `index`, in place."""
    lines = path.read_bytes().splitlines(keepends=True)
    item = json.loads(lines[index])
    marker = "（本报讯，有更新。）"
    item["text"] = item["text"] + marker if change else item["text"].removesuffix(marker)
    lines[index] = (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8")
    path.write_bytes(b"".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kg-bench"))
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    store = args.workdir / f"store-{args.count}"
    inputs = args.workdir / f"articles-{args.count}-s{args.seed}.jsonl"
    if not (store.exists() and inputs.exists()):
        raise SystemExit(
            f"{store} or {inputs} is missing: run bench/bench_build.py --counts {args.count}"
        )
    at = commit()
    middle = args.count // 2
    if not built_by_this_version(store, inputs):
        raise SystemExit(
            f"{store} was built by another version of kg or its extractor: a rebuild would "
            f"extract every article again; rebuild the store first (bench_build.py --counts "
            f"{args.count})"
        )

    with tempfile.TemporaryDirectory() as scratch:
        one = Path(scratch) / "one.jsonl"
        one.write_bytes(inputs.read_bytes().split(b"\n", 1)[0] + b"\n")
        empty = Path(scratch) / "store"
        base_seconds, base_cpu, _ = kg_build(empty, one, args.workers)
        shutil.rmtree(empty)

    def touch() -> None:
        stat = inputs.stat()
        os.utime(inputs, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    steps = [
        ("none", None),
        ("one article changed (line rewritten)", lambda: rewrite_line(inputs, middle, True)),
        ("the same article changed back", lambda: rewrite_line(inputs, middle, False)),
        ("file touched, content unchanged", touch),
    ]
    rows: list[list[str]] = []

    def record(label: str, built: str, seconds: float, cpu: str) -> None:
        row = [
            today(),
            at,
            f"{args.count:,}",
            label,
            built,
            f"{seconds:.2f} ({cpu})",
            f"{base_seconds:.2f} ({base_cpu:.2f})",
            f"{seconds / base_seconds:.1f}×",
            "met" if seconds < TARGET_SECONDS else "missed",
            load(),
        ]
        rows.append(row)
        print(" | ".join(row), flush=True)

    for label, change in steps:
        if change:
            change()
        seconds, cpu, report = kg_build(store, inputs, args.workers)
        record(label, f"{report['built']} / {report['unchanged']:,}", seconds, f"{cpu:.2f}")
    for label, seconds in watched(store, inputs, args.workers, middle):
        record(f"with --watch: {label}", "1 / –", seconds, "–")
    if not args.no_record:
        append_rows(HEADING, INTRO, HEADER, rows)


def forward(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def watched(store: Path, inputs: Path, workers: int, middle: int) -> list[tuple[str, float]]:
    """Seconds from one line rewritten to the summary line of `kg build --watch` (changed, then
    changed back), in one watching process started beforehand."""
    command = [str(KG), "--store", str(store), "build", str(inputs), "--watch"]
    command += ["--workers", str(workers)]
    watcher = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out: queue.Queue[str] = queue.Queue()
    err: queue.Queue[str] = queue.Queue()
    for stream, lines in ((watcher.stdout, out), (watcher.stderr, err)):
        threading.Thread(
            target=lambda s=stream, q=lines: [q.put(x) for x in s], daemon=True
        ).start()

    def wait_for(lines: queue.Queue[str], start: str) -> str:
        while not (line := lines.get(timeout=600)).startswith(start):
            pass
        return line

    try:
        wait_for(out, "built")  # the first build, which finds nothing changed
        wait_for(err, "watching")
        timed = []
        for label, change in (("one article changed", True), ("changed back", False)):
            rewrite_line(inputs, middle, change)
            clock = time.perf_counter()
            # The watcher may start a rebuild while the file is still being written (and find
            # nothing new in the part written so far); the time is that of the rebuild that
            # writes the changed article.
            while not (summary := wait_for(out, "built")).startswith("built 1,"):
                print(f"  (watched rebuild: {summary.strip()})", flush=True)
            timed.append((label, time.perf_counter() - clock))
        return timed
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=60)


if __name__ == "__main__":
    main()

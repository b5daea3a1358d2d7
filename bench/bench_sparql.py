"""SPARQL latency of the example queries (examples/queries/*.rq) on a built store: p50 and p95.

Each query runs `--runs` times (after one unmeasured warm-up run) through kg's own store
(`open_store(..., read_only=True).query`, the union of the article graphs as default graph, as
`kg query` and `kg serve` ask), every result row read. The baseline, in the same script, is the
same queries on a smaller store built from the first articles of the same synthetic set: the
ratio says how latency grows with the store. Stores come from bench/bench_build.py.

    .venv/bin/python bench/bench_sparql.py --store /tmp/kg-bench/store-100000 \\
        --baseline-store /tmp/kg-bench/store-10000 --runs 20

--queries FILE... times other queries instead, e.g. bench/queries/*.rq: one bench version of
each example query, the same joins with constants that name entities of the synthetic set (an
example naming an entity the synthetic articles lack would time an empty answer). Rows of queries
from outside examples/queries are named with their directory (`bench/queries/07-...`).

    .venv/bin/python bench/bench_sparql.py --queries bench/queries/*.rq --runs 20
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import REPO, append_rows, commit, load, today

QUERIES = REPO / "examples" / "queries"
TARGET_P50 = 0.050
TARGET_P95 = 0.500
HEADING = "SPARQL latency of examples/queries (bench/bench_sparql.py)"
INTRO = (
    "Each query of examples/queries run N times after a warm-up, in-process through kg's "
    "store (`open_store(..., read_only=True).query`, union default graph), every row read. "
    "Baseline: the same queries on a store of the first articles of the same synthetic set; "
    "ratio = p50 here / p50 there. Targets on 100k articles: p50 < 50 ms, p95 < 500 ms "
    "(the `all` row pools every run of every query). A query whose runs did not end within "
    "the cap is stopped and shows `> t`, t = cap / (runs + 1) (a lower bound of its mean, "
    "used for each of its runs in `all`)."
)
HEADER = [
    "date",
    "commit",
    "store articles",
    "query",
    "rows",
    "p50 ms",
    "p95 ms",
    "baseline articles",
    "baseline p50 ms",
    "ratio",
    "load",
]


def article_count(store: Any) -> int:
    rows = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a a "
        "<https://w3id.org/kg-innovation/ontology#Article> } }"
    )
    return int(next(iter(rows))["n"].value)


def time_one(location: Path, query: Path, runs: int) -> None:
    """Child process: time one query, print the row count and the seconds of each run as JSON."""
    from kg.rdf.store import open_store

    store = open_store(location, read_only=True)
    sparql = query.read_text(encoding="utf-8")
    seconds, count = [], 0
    for run in range(runs + 1):
        clock = time.perf_counter()
        count = sum(1 for _ in store.query(sparql))
        if run:
            seconds.append(time.perf_counter() - clock)
    store.close()
    print(json.dumps({"rows": count, "seconds": seconds}))


def time_queries(location: Path, queries: list[Path], runs: int, cap: float) -> dict[str, Any]:
    """Each query timed in a process of its own, stopped after `cap` seconds in all."""
    from kg.rdf.store import open_store

    store = open_store(location, read_only=True)
    try:
        articles = article_count(store)
    finally:
        store.close()
    timings: dict[str, list[float]] = {}
    rows: dict[str, int | str] = {}
    for path in queries:
        command = [sys.executable, __file__, "--one", str(location), str(path), str(runs)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=cap, check=True)
        except subprocess.TimeoutExpired:
            # the runs (warm-up included) did not end within the cap: each counts as an equal
            # share of it, a lower bound of their mean
            timings[label(path)] = [cap / (runs + 1)] * runs
            rows[label(path)] = "?"
            print(f"  {label(path)}: stopped after {cap:.0f} s", flush=True)
            continue
        result = json.loads(done.stdout)
        timings[label(path)] = result["seconds"]
        rows[label(path)] = result["rows"]
        p50 = 1000 * statistics.median(result["seconds"])
        print(f"  {label(path)}: {result['rows']} rows, p50 {p50:.1f} ms", flush=True)
    return {"articles": articles, "timings": timings, "rows": rows}


def label(query: Path) -> str:
    """The name of a query in the rows: its stem, with its directory when not examples/queries."""
    folder = query.resolve().parent
    if folder == QUERIES.resolve():
        return query.stem
    if folder.is_relative_to(REPO):
        folder = folder.relative_to(REPO)
    return f"{folder}/{query.stem}"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--store", type=Path, default=Path("/tmp/kg-bench/store-100000"))
    parser.add_argument("--baseline-store", type=Path, default=Path("/tmp/kg-bench/store-10000"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--queries",
        type=Path,
        nargs="*",
        help="query files to time (default: examples/queries/*.rq; bench/queries/*.rq holds "
        "versions of them for the synthetic set)",
    )
    parser.add_argument(
        "--cap",
        type=float,
        default=600,
        help="seconds one query may take for all its runs; past it, it is stopped and each run "
        "counts as the cap (a lower bound)",
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument(
        "--one", nargs=3, metavar=("STORE", "QUERY", "RUNS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        time_one(Path(args.one[0]), Path(args.one[1]), int(args.one[2]))
        return
    queries = args.queries or sorted(QUERIES.glob("*.rq"))
    at, before = commit(), load()
    print(f"{args.store}:", flush=True)
    main_run = time_queries(args.store, queries, args.runs, args.cap)
    base_run = None
    if (
        args.baseline_store
        and str(args.baseline_store) not in ("", ".")
        and args.baseline_store.exists()
    ):
        print(f"{args.baseline_store} (baseline):", flush=True)
        base_run = time_queries(args.baseline_store, queries, args.runs, args.cap)
    seen_load = f"{before}→{load()}"

    timings = main_run["timings"]
    assert isinstance(timings, dict)
    base_timings = base_run["timings"] if base_run else {}
    assert isinstance(base_timings, dict)
    rows_out = []
    names = [label(q) for q in queries]
    pooled = [t for name in names for t in timings[name]]
    base_pooled = [t for name in names for t in base_timings.get(name, [])]
    capped = {n for n in names if main_run["rows"][n] == "?"}
    base_capped = {n for n in names if base_run and base_run["rows"].get(n) == "?"}
    for name, values, base_values, count in [
        *((n, timings[n], base_timings.get(n, []), main_run["rows"][n]) for n in names),  # type: ignore[index]
        ("all", pooled, base_pooled, "–"),
    ]:
        p50 = statistics.median(values)
        base_p50 = statistics.median(base_values) if base_values else 0.0
        # a query stopped at the cap has a lower bound, shown as "> t"; a ratio against a
        # stopped baseline says nothing
        lower = "> " if name in capped or (name == "all" and capped) else ""
        base_lower = name in base_capped or (name == "all" and bool(base_capped))
        ratio = "–" if not base_p50 or base_lower else f"{lower}{p50 / base_p50:.1f}×"
        rows_out.append(
            [
                today(),
                at,
                f"{main_run['articles']:,}",
                f"`{name}`" if name != "all" else "**all**",
                count,
                f"{lower}{1000 * p50:.1f}",
                f"{lower}{1000 * p95(values):.1f}",
                f"{base_run['articles']:,}" if base_run else "–",
                f"{'> ' if base_lower else ''}{1000 * base_p50:.1f}" if base_values else "–",
                ratio,
                seen_load,
            ]
        )
    all_p50, all_p95 = statistics.median(pooled), p95(pooled)
    for row in rows_out:
        print(" | ".join(str(c) for c in row))
    print(
        f"all queries: p50 {1000 * all_p50:.1f} ms (target < 50: "
        f"{'met' if all_p50 < TARGET_P50 else 'missed'}), p95 {1000 * all_p95:.1f} ms "
        f"(target < 500: {'met' if all_p95 < TARGET_P95 else 'missed'})"
    )
    if not args.no_record:
        append_rows(HEADING, INTRO, HEADER, rows_out)


if __name__ == "__main__":
    main()

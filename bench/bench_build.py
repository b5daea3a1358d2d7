"""Build throughput into the embedded store, and peak memory, at several article counts.

For each count, synthetic articles (bench/generate.py, seed 7) are built into a fresh store by
`kg build --workers N` run as a user runs it, in a subprocess whose whole process tree (the writer
and its extraction workers) is sampled for resident memory. The baseline, run in the same script,
is a raw Oxigraph bulk load of the very quads that build wrote (`oxigraph dump` of the built store
piped into `oxigraph load` of a fresh one): the cost of storing kg's output and nothing else.

    .venv/bin/python bench/bench_build.py --counts 10000 30000 100000 --workers 2
    .venv/bin/python bench/bench_build.py --counts 2000 --no-record   # a quick look

The stores are left in --workdir (the last one is what bench_rebuild.py and bench_sparql.py
use); --clean deletes all but the largest.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import REPO, TreeSample, append_rows, commit, today

KG = REPO / ".venv" / "bin" / "kg"
PYTHON = REPO / ".venv" / "bin" / "python"
TARGET_RATE = 500
TARGET_MEMORY = 2**30
HEADING = "Build throughput into the embedded store (bench/bench_build.py)"
INTRO = (
    "`kg build --workers N` of synthetic articles (bench/generate.py, seed 7) into a fresh "
    "embedded store, run as a subprocess; peak memory is the resident memory of the whole "
    "process tree (writer and extraction workers) sampled every 0.2 s. Baseline: the same "
    "quads streamed from the built store into a fresh one by Oxigraph alone (`oxigraph dump | "
    "oxigraph load`, its bulk loader, no Python): the cost of storing kg's output and nothing "
    "else; ratio = build seconds / baseline seconds (measured up to --baseline-max articles). "
    "Targets: >= 500 articles/s; peak memory < 1 GiB and flat as the count grows."
)
HEADER = [
    "date",
    "commit",
    "articles",
    "workers",
    "build s (CPU s)",
    "articles/s",
    "peak memory MiB",
    "quads",
    "quads/article",
    "store MiB",
    "baseline s (CPU s)",
    "baseline articles/s",
    "ratio",
    "stage seconds",
    "load",
]


def articles_file(workdir: Path, count: int, seed: int) -> Path:
    path = workdir / f"articles-{count}-s{seed}.jsonl"
    if not path.exists():
        subprocess.run(
            [
                PYTHON,
                REPO / "bench" / "generate.py",
                "--count",
                str(count),
                "--seed",
                str(seed),
                "-o",
                str(path),
            ],
            check=True,
        )
    return path


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_build(inputs: Path, store: Path, workers: int) -> dict[str, object]:
    shutil.rmtree(store, ignore_errors=True)
    report_file = store.with_suffix(".report.json")
    command = [str(KG), "--store", str(store), "build", str(inputs)]
    command += ["--workers", str(workers), "--report", str(report_file)]
    cpu = children_cpu()
    clock = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    with TreeSample(process.pid) as sample:
        out, _ = process.communicate()
    seconds = time.perf_counter() - clock
    if process.returncode != 0:
        raise SystemExit(f"kg build failed ({process.returncode}): {out.decode()}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "cpu": children_cpu() - cpu,
        "peak": sample.peak_bytes,
        "peak_root": sample.peak_root_bytes,
        "load": sample.mean_load,
        "report": report,
    }


OXIGRAPH = REPO / ".venv" / "bin" / "oxigraph"


def run_baseline(store: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of streaming the built store's quads into a fresh one, and their count.

    Pure Rust: `oxigraph dump` piped into `oxigraph load` (its bulk loader), no Python at all.
    """
    target = store.with_name(store.name + "-baseline")
    shutil.rmtree(target, ignore_errors=True)
    pipeline = (
        f"{OXIGRAPH} dump --location {store} --format nq | "
        f"{OXIGRAPH} load --location {target} --format nq --lenient"
    )
    cpu = children_cpu()
    clock = time.perf_counter()
    subprocess.run(["bash", "-o", "pipefail", "-c", pipeline], check=True, capture_output=True)
    seconds = time.perf_counter() - clock
    cpu = children_cpu() - cpu
    import pyoxigraph as ox

    loaded = ox.Store.read_only(str(target))
    quads = len(loaded)
    del loaded
    shutil.rmtree(target, ignore_errors=True)
    return seconds, cpu, quads


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kg-bench"))
    parser.add_argument(
        "--baseline-max",
        type=int,
        default=30_000,
        help="run the baseline only up to this many articles (it takes about as long as the build)",
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--clean", action="store_true", help="delete all stores but the largest")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    rows = []
    for count in args.counts:
        inputs = articles_file(args.workdir, count, args.seed)
        store = args.workdir / f"store-{count}"
        at = commit()
        result = run_build(inputs, store, args.workers)
        report = result["report"]
        assert isinstance(report, dict)
        built = report["built"] + report["unchanged"]
        seconds = float(result["seconds"])  # type: ignore[arg-type]
        rate = built / seconds
        size = directory_bytes(store)
        skip = count > args.baseline_max
        base_seconds, base_cpu, quads = (0.0, 0.0, 0) if skip else run_baseline(store)
        if skip:
            import pyoxigraph as ox

            opened = ox.Store.read_only(str(store))
            quads = len(opened)
            del opened
        peak = int(result["peak"])  # type: ignore[call-overload]
        stages = ", ".join(f"{k} {v:.0f}" for k, v in sorted(report["stage_seconds"].items()))
        row = [
            today(),
            at,
            f"{built:,}",
            args.workers,
            f"{seconds:.1f} ({float(result['cpu']):.0f})",  # type: ignore[arg-type]
            f"{rate:.1f}",
            # the writing process alone in brackets (the store's memory), apart from the workers
            f"{peak / 2**20:,.0f} (writer {int(result['peak_root']) / 2**20:,.0f})",  # type: ignore[call-overload]
            f"{quads:,}",
            f"{quads / max(built, 1):.0f}",
            f"{size / 2**20:,.0f}",
            f"{base_seconds:.1f} ({base_cpu:.0f})" if base_seconds else "–",
            f"{built / base_seconds:.0f}" if base_seconds else "–",
            f"{seconds / base_seconds:.1f}×" if base_seconds else "–",
            stages,
            result["load"],
        ]
        rows.append(row)
        print(" | ".join(str(c) for c in row), flush=True)
        print(
            f"  articles/s {rate:.1f} (target >= {TARGET_RATE}: "
            f"{'met' if rate >= TARGET_RATE else 'missed'}); peak {peak / 2**20:.0f} MiB "
            f"(the writing process alone {int(result['peak_root']) / 2**20:.0f} MiB) "
            f"(target < 1024: {'met' if peak < TARGET_MEMORY else 'missed'})",
            flush=True,
        )
    if not args.no_record:
        append_rows(HEADING, INTRO, HEADER, rows)
    if args.clean:
        largest = max(args.counts)
        for count in args.counts:
            if count != largest:
                shutil.rmtree(args.workdir / f"store-{count}", ignore_errors=True)


if __name__ == "__main__":
    main()

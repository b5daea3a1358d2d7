"""Speed of kg's statistical recogniser (characters/s, one core) against tokenisation alone.

Both read the same texts: the articles of the shared corpus (seed, dev, real) when they sit
beside the repo, else synthetic ones from bench/generate.py. The baseline is
`spacy.blank("zh")` with its default character segmenter and nothing else, the floor any
spaCy component on these tokens starts from; kg's figure is `kg.extract.statistical.recognise`
(sentence pieces, character n-gram and rjieba word features, CNN, transition-based NER).

    .venv/bin/python bench/bench_ner.py --rounds 5 --append
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "## Statistical NER speed (bench/bench_ner.py, one core)"
HEADER = (
    "| date | texts | characters | kg NER chars/s (per CPU s) | baseline chars/s (per CPU s) "
    "| ratio | machine |\n"
    "|---|---|---|---|---|---|---|\n"
)


def corpus_texts() -> list[str]:
    from kg.ingest import read_inputs
    from kg.model import Article
    from kg.normalize import normalize_text

    dirs = [CORPUS / "seed", CORPUS / "dev", CORPUS / "real"]
    if all(d.exists() for d in dirs):
        articles = [a for a in read_inputs([str(d) for d in dirs]) if isinstance(a, Article)]
        return [normalize_text(a.full_text).text for a in articles]
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    return [f"{a['title']}\n{a['text']}" for a in generate(40, 7)]


def best_seconds(run: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Wall and CPU seconds of the fastest of `rounds` runs (the least disturbed by others).

    CPU seconds are given too because the machine may be shared: they change less with load.
    """
    walls, cpus = [], []
    for _ in range(rounds):
        clock, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - clock)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--append", action="store_true", help=f"add a row to {RESULTS}")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    import spacy

    from kg.extract.statistical import load_model, recognise

    texts = corpus_texts()
    characters = sum(len(t) for t in texts)
    baseline = spacy.blank("zh")
    load_model()
    recognise(texts[0][:200])

    def run_baseline() -> None:
        for _ in baseline.pipe(texts):
            pass

    def run_kg() -> None:
        for text in texts:
            recognise(text)

    base, base_cpu = (characters / s for s in best_seconds(run_baseline, args.rounds))
    ours, ours_cpu = (characters / s for s in best_seconds(run_kg, args.rounds))
    ratio = ours / base
    print(f"texts: {len(texts)} ({characters:,} characters)")
    print(
        f"baseline spacy.blank('zh') tokenisation: {base:,.0f} characters/s "
        f"({base_cpu:,.0f} per CPU second)"
    )
    print(
        f"kg statistical NER (recognise):          {ours:,.0f} characters/s "
        f"({ours_cpu:,.0f} per CPU second), {ratio:.3f}x the baseline"
    )
    if args.append:
        if not RESULTS.exists():
            RESULTS.write_text("# Benchmark results\n\n", encoding="utf-8")
        text = RESULTS.read_text(encoding="utf-8")
        if SECTION not in text:
            text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{HEADER}"
        machine = (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        row = (
            f"| {date.today()} | {len(texts)} | {characters:,} | {ours:,.0f} ({ours_cpu:,.0f}) "
            f"| {base:,.0f} ({base_cpu:,.0f}) | {ratio:.3f}x | {machine} |\n"
        )
        # The row goes at the end of this section's table, wherever the section is.
        head, _, tail = text.partition(SECTION)
        lines = tail.split("\n")
        end = next(
            (i for i, line in enumerate(lines) if i > 2 and line.startswith("## ")), len(lines)
        )
        while end > 0 and not lines[end - 1].startswith("|"):
            end -= 1
        lines.insert(end, row.rstrip("\n"))
        RESULTS.write_text(head + SECTION + "\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()

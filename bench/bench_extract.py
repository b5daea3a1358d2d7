"""Extraction speed on one core: kg's pipeline against spaCy's blank Chinese with jieba.

Both read the same normalized texts (the seed and dev articles of the shared corpus, or
synthetic ones from bench/generate.py when the corpus is not beside the repo). The baseline is
what a user gets from `spacy.blank("zh")` with jieba as its segmenter and nothing else; kg's
figure is its whole extraction pipeline (segmentation, every recogniser, aliases, subject,
relations, indicators). `--end-to-end` also times `kg.extract.extract_many` from articles
(normalization and evidence in original offsets included). `--stages` prints the CPU time of
each stage (normalize, tokenizer, every component, evidence mapping) per article instead.

    .venv/bin/python bench/bench_extract.py --rounds 20 --append
    .venv/bin/python bench/bench_extract.py --stages
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "## Extraction speed (bench/bench_extract.py)"
INTRO = (
    "Articles per CPU second on one core (the fastest of the rounds), seed and dev articles of "
    "the shared corpus, normalized: kg's whole pipeline (`nlp.pipe`, every component incl. "
    'relations and indicators) against `spacy.blank("zh")` with jieba as its segmenter and '
    "nothing else; end to end is `kg.extract.extract_many` from articles (normalization and "
    "evidence in original offsets included). Target: at least 1,500 articles/s and 5x the "
    "baseline."
)
HEADER = (
    "| date | articles | mean chars | kg articles/s | baseline articles/s "
    "| ratio | end-to-end articles/s | rjieba / jieba alone | load | machine |\n"
    "|---|---|---|---|---|---|---|---|---|---|\n"
)


def corpus_articles() -> list[object]:
    from kg.ingest import Skipped, read_inputs

    dirs = [CORPUS / "seed", CORPUS / "dev"]
    if all(d.exists() for d in dirs):
        return [a for a in read_inputs([str(d) for d in dirs]) if not isinstance(a, Skipped)]
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate  # type: ignore[import-not-found]

    from kg.model import Article

    return [
        Article(id=str(i), title=a["title"], text=a["text"], date=a.get("date"))
        for i, a in enumerate(generate(40, 7))
    ]


def best_rate(run: Callable[[], int], rounds: int) -> float:
    """Articles per CPU second of the fastest of `rounds` runs.

    CPU time of this process, not wall time: on a shared machine other processes take the core
    away, which wall time would count against kg.
    """
    rates = []
    for _ in range(rounds):
        clock = time.process_time()
        count = run()
        rates.append(count / max(time.process_time() - clock, 1e-9))
    return max(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5, help="texts per round = corpus x this")
    parser.add_argument("--append", action="store_true", help=f"add a row to {RESULTS}")
    parser.add_argument("--end-to-end", action="store_true", default=True)
    parser.add_argument("--stages", action="store_true", help="CPU ms of each stage instead")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    import spacy

    from kg.extract import extract_many
    from kg.extract.pipeline import default_pipeline
    from kg.normalize import normalize_text

    articles = corpus_articles() * args.repeat
    texts = [normalize_text(a.full_text).text for a in articles]  # type: ignore[attr-defined]
    mean_chars = statistics.mean(len(t) for t in texts)

    if args.stages:
        print_stages(articles, args.rounds)
        return
    baseline = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp = default_pipeline()
    for warm in (baseline, nlp):
        for _ in warm.pipe(texts[:20]):
            pass

    def run_baseline() -> int:
        return sum(1 for _ in baseline.pipe(texts))

    def run_kg() -> int:
        return sum(1 for _ in nlp.pipe(texts))

    def run_end_to_end() -> int:
        return sum(1 for _ in extract_many(articles))  # type: ignore[arg-type]

    import jieba
    import rjieba

    jieba.lcut(texts[0])
    seg_rjieba = best_rate(lambda: sum(1 for t in texts if rjieba.cut(t)), args.rounds)
    seg_jieba = best_rate(lambda: sum(1 for t in texts if jieba.lcut(t)), 2)
    same = sum(rjieba.cut(t) == jieba.lcut(t) for t in texts)
    print(
        f"segmenters alone: rjieba {seg_rjieba:,.0f} articles/s, jieba {seg_jieba:,.0f} "
        f"articles/s ({seg_rjieba / seg_jieba:.0f}x); same words in {same} of {len(texts)} texts"
    )
    base = best_rate(run_baseline, max(2, args.rounds // 4))
    ours = best_rate(run_kg, args.rounds)
    e2e = best_rate(run_end_to_end, max(2, args.rounds // 2)) if args.end_to_end else 0.0
    ratio = ours / base
    print(f"texts: {len(texts)} (mean {mean_chars:.0f} characters)")
    print(f"baseline spacy.blank('zh') + jieba: {base:,.0f} articles/s")
    print(f"kg pipeline:                       {ours:,.0f} articles/s  ({ratio:.1f}x baseline)")
    print(f"kg extract_many end to end:        {e2e:,.0f} articles/s")
    if args.append:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        row = (
            f"| {date.today()} | {len(texts)} | {mean_chars:.0f} | {ours:,.0f} | {base:,.0f} "
            f"| {ratio:.1f}x | {e2e:,.0f} | {seg_rjieba:,.0f} / {seg_jieba:,.0f} "
            f"| {load:.1f}/{os.cpu_count()} | {platform.machine()}, Python "
            f"{platform.python_version()} |"
        )
        append_row(row)


def print_stages(articles: list[object], rounds: int) -> None:
    """CPU ms per article of each stage, the fastest of `rounds`, one stage over all the texts
    at a time (as `nlp.pipe` runs a batch)."""
    from kg.extract.pipeline import default_pipeline, to_extraction
    from kg.normalize import normalize_text

    nlp = default_pipeline()
    best: dict[str, float] = {}
    for _ in range(rounds):
        seconds: dict[str, float] = {}
        clock = time.process_time()
        normalized = [normalize_text(a.full_text) for a in articles]  # type: ignore[attr-defined]
        seconds["normalize"] = time.process_time() - clock
        clock = time.process_time()
        docs = [nlp.make_doc(n.text) for n in normalized]
        seconds["tokenizer (rjieba + Doc)"] = time.process_time() - clock
        for name, component in nlp.pipeline:
            clock = time.process_time()
            docs = [component(doc) for doc in docs]
            seconds[name] = time.process_time() - clock
        clock = time.process_time()
        for article, norm, doc in zip(articles, normalized, docs, strict=True):
            to_extraction(article, norm, doc)  # type: ignore[arg-type]
        seconds["to_extraction (evidence)"] = time.process_time() - clock
        for stage, spent in seconds.items():
            best[stage] = min(best.get(stage, spent), spent)
    total = sum(best.values())
    for stage, spent in best.items():
        print(f"{stage:28s} {1000 * spent / len(articles):6.3f} ms  {100 * spent / total:5.1f}%")
    print(f"{'all':28s} {1000 * total / len(articles):6.3f} ms")


def append_row(row: str) -> None:
    """Add `row` to the extraction-speed table of RESULTS.md (made if missing), re-read first
    because others append their own sections."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    lines = text.splitlines()
    if SECTION not in lines:
        lines += ["", SECTION, "", INTRO, "", *HEADER.splitlines(), row]
    else:
        at = lines.index(SECTION) + 1
        while at < len(lines) and not lines[at].startswith("|"):
            at += 1
        while at < len(lines) and lines[at].startswith("|"):
            at += 1
        lines.insert(at, row)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

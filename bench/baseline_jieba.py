"""The plain baseline a user might reach for, scored like `kg eval`, beside kg itself.

jieba's part-of-speech tagger (`jieba.posseg`) over each gold article's normalized text, with
person names (nr) as Person, place names (ns) as Place and organisation names (nt) as
Organization, and nothing else: no other types, no relations, no indicators. kg is scored on the
same gold files in the same run (`kg.evaluate.evaluate`). Prints both tables and writes them to
the "Extraction accuracy" section of bench/RESULTS.md (other sections are left as they are).

    .venv/bin/python bench/baseline_jieba.py            # seed, dev, real; updates RESULTS.md
    .venv/bin/python bench/baseline_jieba.py --no-write # print only
"""

from __future__ import annotations

import argparse
import logging
import re
import time
import warnings
from pathlib import Path
from typing import Any

from kg.evaluate import EvalResult, Score, evaluate, gold_articles, score_document
from kg.normalize import normalize_text

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT.parent / "shared" / "corpus" / "gold"
RESULTS = ROOT / "bench" / "RESULTS.md"
SETS = ("seed", "dev", "real")
SECTION = "## Extraction accuracy"
JIEBA_TYPES = {"nr": "Person", "ns": "Place", "nt": "Organization"}
TYPES = ("Zone", "Enterprise", "Organization", "Programme", "TalentPolicy", "Industry", "Place")
TYPES += ("Person", "PolicyDocument")
SUMMARY_HEADERS = ["system", "gold set", "articles", "entities P", "entities R", "entities F1"]
SUMMARY_HEADERS += ["relations F1", "indicators F1"]


def _posseg() -> Any:
    with warnings.catch_warnings():
        # jieba imports pkg_resources, which warns on new setuptools.
        warnings.simplefilter("ignore")
        import jieba
        import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def jieba_entities(text: str, posseg: Any) -> list[dict[str, Any]]:
    """Each distinct nr/ns/nt word of text as an entity of the gold format."""
    seen: dict[tuple[str, str], None] = {}
    for pair in posseg.cut(text):
        etype = JIEBA_TYPES.get(pair.flag)
        word = pair.word.strip()
        if etype and len(word) > 1:
            seen.setdefault((etype, word), None)
    return [{"type": t, "name": n, "aliases": []} for t, n in seen]


def baseline(gold_path: Path, posseg: Any) -> EvalResult:
    result = EvalResult()
    for gold, article in gold_articles(gold_path):
        text = normalize_text(article.full_text).text
        predicted = {"entities": jieba_entities(text, posseg), "relations": [], "indicators": []}
        result.docs.append(score_document(gold, predicted))
    return result


def _f1(score: Score) -> str:
    return f"{score.f1:.3f}" if score.gold or score.predicted else "–"


def rows(system: str, name: str, result: EvalResult) -> tuple[list[str], list[str]]:
    """A summary row (P/R/F1 of entities, F1 of relations and indicators) and a per-type row."""
    ents = result.total("entities")
    summary = [
        system,
        name,
        str(len(result.docs)),
        f"{ents.precision:.3f}",
        f"{ents.recall:.3f}",
        f"{ents.f1:.3f}",
        _f1(result.total("relations")),
        _f1(result.total("indicators")),
    ]
    by_type = result.breakdown("by_type")
    per_type = [system, name] + [_f1(by_type.get(t, Score())) for t in TYPES]
    return summary, per_type


def markdown(headers: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def section(summary: list[list[str]], per_type: list[list[str]], seconds: float) -> str:
    return "\n\n".join(
        [
            SECTION,
            "Written by `bench/baseline_jieba.py` (one run, "
            f"{time.strftime('%Y-%m-%d')}, {seconds:.0f} s): kg's pipeline "
            "(`kg.evaluate.evaluate`, the numbers `kg eval --gold` prints) and the plain "
            "baseline a user might reach for "
            "instead, jieba's part-of-speech tags nr/ns/nt mapped to Person/Place/Organization "
            "(no other types, no relations, no indicators). Matching as in ANNOTATION.md.",
            markdown(SUMMARY_HEADERS, summary),
            "Entities F1 per type (– where neither gold nor prediction has the type):",
            markdown(["system", "gold set", *TYPES], per_type),
        ]
    )


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace this script's section of RESULTS.md (or add it), leaving the others untouched."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: text + "\n\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("sets", nargs="*", default=list(SETS), help="gold sets (seed dev real)")
    args = parser.parse_args()
    posseg = _posseg()
    clock = time.perf_counter()
    summary, per_type = [], []
    for name in args.sets:
        path = GOLD / f"{name}.jsonl"
        for system, result in (("kg", evaluate(path)), ("jieba nr/ns/nt", baseline(path, posseg))):
            s, t = rows(system, name, result)
            summary.append(s)
            per_type.append(t)
    text = section(summary, per_type, time.perf_counter() - clock)
    print(text)
    if not args.no_write:
        write_section(text)
        print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()

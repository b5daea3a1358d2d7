"""Develop indicator rules on gold entities: precision, recall and F1 of indicators per gold set.

Entities are the gold ones (found in the text by `kg.evaluate.gold_mentions`), so the figures are
scored apart from entity recognition. Run from the repo root:

    .venv/bin/python bench/dev_indicators.py            # seed, dev, real
    .venv/bin/python bench/dev_indicators.py --errors   # and every miss and false positive
    .venv/bin/python bench/dev_indicators.py --speed    # articles a second on one core
    .venv/bin/python bench/dev_indicators.py --pipeline # entities from the full pipeline
"""

from __future__ import annotations

import argparse
import timeit
from collections import Counter
from pathlib import Path
from typing import Any

from kg.evaluate import Score, gold_articles, gold_mentions, score_document
from kg.extract.indicators import find_indicators
from kg.extract.sentences import sentence_spans
from kg.model import Mention
from kg.normalize import normalize_text

GOLD = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "gold"
SETS = ("seed", "dev", "real")


def article_subject(title: str, mentions: list[Mention]) -> str | None:
    """The pipeline's subject rule when it is there; else the zone in the title, else the most
    frequent zone, else the most frequent place."""
    try:
        from kg.extract.subject import article_subject as pipeline_subject
    except ImportError:
        pass
    else:
        return pipeline_subject(title, mentions)
    for etype in ("Zone", "Place"):
        in_title = [m for m in mentions if m.type == etype and m.end <= len(title)]
        if in_title:
            return in_title[0].name
        counts = Counter(m.name for m in mentions if m.type == etype)
        if counts:
            return counts.most_common(1)[0][0]
    return None


def run(name: str, *, errors: bool, pipeline: bool = False) -> Score:
    total = Score()
    for gold, article in gold_articles(GOLD / f"{name}.jsonl"):
        if pipeline:
            from kg.extract import extract_article

            extraction = extract_article(article)
            found = list(extraction.indicators)
            predicted: dict[str, Any] = extraction.to_json()
        else:
            text = normalize_text(article.full_text).text
            mentions = gold_mentions(text, gold)
            subject = article_subject(article.title, mentions)
            found = find_indicators(text, sentence_spans(text), mentions, subject, article.date)
            predicted = {
                "entities": gold.get("entities") or [],
                "indicators": [i.to_json() for i in found],
            }
        doc = score_document(gold, predicted)
        total.add(doc.indicators)
        if errors:
            for error in doc.errors:
                # An indicator's own "kind" (target/actual) overwrites the error's kind field.
                if "value" not in error:
                    continue
                sentence = ""
                if error["error"] == "false positive":
                    for ind in found:
                        if (ind.value, ind.unit, ind.comparator, ind.subject) == (
                            error["value"],
                            error["unit"],
                            error["comparator"],
                            error["subject"],
                        ):
                            sentence = ind.evidence[0].sentence[:90]
                            break
                print(
                    f"  {doc.id:9} {error['error']:14} {error['subject']}|{error['name']}|"
                    f"{error['value']} {error['unit']} {error['comparator']}  {sentence}"
                )
    return total


def speed() -> None:
    """Articles a second of find_indicators alone on the seed article (best of 7 runs, so that
    other processes on the machine count less)."""
    gold, article = next(iter(gold_articles(GOLD / "seed.jsonl")))
    text = normalize_text(article.full_text).text
    sentences = sentence_spans(text)
    mentions = gold_mentions(text, gold)
    timer = timeit.Timer(lambda: find_indicators(text, sentences, mentions, None, article.date))
    best = min(timer.repeat(repeat=7, number=200)) / 200
    print(f"find_indicators on the seed article: {1 / best:.0f}/s ({best * 1000:.3f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list misses and false positives")
    parser.add_argument("--speed", action="store_true", help="measure articles a second")
    parser.add_argument(
        "--pipeline", action="store_true", help="entities from the full pipeline, not the gold"
    )
    parser.add_argument("sets", nargs="*", default=list(SETS), help="gold sets (seed dev real)")
    args = parser.parse_args()
    print(f"{'set':6} {'P':>6} {'R':>6} {'F1':>6}  tp/pred/gold")
    for name in args.sets:
        score = run(name, errors=args.errors, pipeline=args.pipeline)
        print(
            f"{name:6} {score.precision:6.3f} {score.recall:6.3f} {score.f1:6.3f}  "
            f"{score.tp}/{score.predicted}/{score.gold}"
        )
    if args.speed:
        speed()


if __name__ == "__main__":
    main()

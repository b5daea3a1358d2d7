"""Develop relation rules on gold entities: precision, recall and F1 of relations per gold set.

Entities are the gold ones (found in the normalized text by `kg.evaluate.gold_mentions`), so the
figures measure relation rules apart from entity recognition. Gold names written with full-width
brackets (杭州高新区（滨江）) are folded to the half-width forms the normalized text uses, on both
sides of the comparison, so that those entities are found in the text at all. Run from the repo
root:

    .venv/bin/python bench/dev_relations.py            # seed, dev, real: overall, per predicate
    .venv/bin/python bench/dev_relations.py --errors   # and every miss and false positive
    .venv/bin/python bench/dev_relations.py --speed    # articles a second on one core
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path
from typing import Any

from kg.evaluate import Score, gold_articles, gold_mentions, score_document
from kg.extract.relations import find_relations
from kg.extract.sentences import sentence_spans
from kg.model import Mention, Relation
from kg.normalize import normalize_text

GOLD = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "gold"
SETS = ("seed", "dev", "real")


def article_subject(title: str, mentions: list[Mention]) -> str | None:
    """The pipeline's subject rule when it is there; else the zone in the title, else the most
    frequent zone."""
    try:
        from kg.extract.subject import article_subject as pipeline_subject
    except ImportError:
        pass
    else:
        return pipeline_subject(title, mentions)
    in_title = [m for m in mentions if m.type == "Zone" and m.end <= len(title)]
    if in_title:
        return in_title[0].name
    counts = Counter(m.name for m in mentions if m.type == "Zone")
    return counts.most_common(1)[0][0] if counts else None


_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _fold(name: str) -> str:
    return name.translate(_FOLD)


def folded_gold(gold: dict[str, Any]) -> dict[str, Any]:
    """The gold line with full-width forms folded in entity names and relation ends."""
    out = dict(gold)
    out["entities"] = [
        {**e, "name": _fold(e["name"]), "aliases": [_fold(a) for a in e.get("aliases") or ()]}
        for e in gold.get("entities") or []
    ]
    out["relations"] = [
        {**r, "subject": _fold(r["subject"]), "object": _fold(r["object"])}
        for r in gold.get("relations") or []
    ]
    return out


def prepared(
    name: str,
) -> list[tuple[dict[str, Any], str, list[tuple[int, int]], list[Mention], str | None]]:
    items = []
    for gold, article in gold_articles(GOLD / f"{name}.jsonl"):
        gold = folded_gold(gold)
        text = normalize_text(article.full_text).text
        mentions = gold_mentions(text, gold)
        subject = article_subject(article.title, mentions)
        items.append((gold, text, sentence_spans(text), mentions, subject))
    return items


def _find(found: list[Relation], error: dict[str, Any]) -> str:
    for rel in found:
        if (rel.subject, rel.predicate, rel.object) == (
            error["subject"],
            error["predicate"],
            error["object"],
        ):
            ev = rel.evidence[0]
            return f"[{ev.component.split(':', 1)[1]}] {ev.sentence[:80]}"
    return ""


def run(name: str, *, errors: bool) -> tuple[Score, dict[str, Score]]:
    total = Score()
    by_predicate: dict[str, Score] = {}
    for gold, text, sentences, mentions, subject in prepared(name):
        found = find_relations(text, sentences, mentions, subject)
        predicted: dict[str, Any] = {
            "entities": gold.get("entities") or [],
            "relations": [r.to_json() for r in found],
        }
        doc = score_document(gold, predicted)
        total.add(doc.relations)
        for pred, score in doc.by_predicate.items():
            by_predicate.setdefault(pred, Score()).add(score)
        if errors:
            print(f"  -- {doc.id} subject={subject}")
            for error in doc.errors:
                if error["part"] != "relation":
                    continue
                where = _find(found, error) if error["error"] == "false positive" else ""
                print(
                    f"  {doc.id:8} {error['error'][:5]:5} {error['predicate']:18} "
                    f"{error['subject']} -> {error['object']}  {where}"
                )
    return total, by_predicate


def speed(name: str, seconds: float = 3.0) -> float:
    items = prepared(name)
    # CPU time of this process, so that other work on the machine does not count
    count, started = 0, time.process_time()
    while time.process_time() - started < seconds:
        for _, text, sentences, mentions, subject in items:
            find_relations(text, sentences, mentions, subject)
            count += 1
    return count / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=[], help="seed, dev, real (default: all)")
    parser.add_argument("--errors", action="store_true", help="list misses and false positives")
    parser.add_argument("--speed", action="store_true", help="articles a second on one core")
    args = parser.parse_args()
    for name in args.sets or SETS:
        if args.speed:
            print(f"{name:5} {speed(name):8.0f} articles/s")
            continue
        total, by_predicate = run(name, errors=args.errors)
        print(
            f"{name:5} relations P {total.precision:.3f} R {total.recall:.3f} "
            f"F1 {total.f1:.3f}  (tp {total.tp}, predicted {total.predicted}, gold {total.gold})"
        )
        for pred, score in sorted(by_predicate.items()):
            print(
                f"      {pred:18} P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f}"
                f"  ({score.tp}/{score.predicted}/{score.gold})"
            )


if __name__ == "__main__":
    main()

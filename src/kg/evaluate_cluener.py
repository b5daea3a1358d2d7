"""Scoring the statistical recogniser on CLUENER2020: a labelled JSON Lines file in; P/R/F1 out.

Spans match exactly, by character offsets and label. Scores are given for each CLUENER label,
for each kg type that a label maps to (company → Enterprise, government and organization →
Organization, name → Person, address → Place), and as the micro average over the spans of
company, government, organization and name, compared after mapping: a government predicted as
an organization counts as right, since both are kg Organizations.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import InputError

Span = tuple[int, int, str]
Recogniser = Callable[[Sequence[str]], list[list[Span]]]

# The labels of the headline figure and the kg types they map to.
HEADLINE_LABELS = {
    "company": "Enterprise",
    "government": "Organization",
    "organization": "Organization",
    "name": "Person",
}
LABEL_TO_KG = {**HEADLINE_LABELS, "address": "Place"}


@dataclass(frozen=True)
class Score:
    """Counts of one label (or of a group of labels) and the measures derived from them."""

    label: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        gold = self.true_positives + self.false_negatives
        return self.true_positives / gold if gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "gold": self.true_positives + self.false_negatives,
        }


@dataclass(frozen=True)
class ClueNerReport:
    """The scores of one CLUENER file: per label, per kg type, and the headline micro average."""

    file: str
    texts: int
    characters: int
    seconds: float
    labels: tuple[Score, ...]
    types: tuple[Score, ...]
    micro: Score

    @property
    def characters_per_second(self) -> float:
        return self.characters / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "texts": self.texts,
            "characters": self.characters,
            "seconds": round(self.seconds, 3),
            "characters_per_second": round(self.characters_per_second),
            "micro": {
                **self.micro.to_json(),
                "labels": sorted(HEADLINE_LABELS),
            },
            "labels": [score.to_json() for score in self.labels],
            "types": [score.to_json() for score in self.types],
        }


def read_cluener(path: Path) -> list[tuple[str, list[Span]]]:
    """(text, gold spans with end exclusive) of each line of a CLUENER JSON Lines file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; pass a CLUENER JSON Lines file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it as UTF-8 text ({exc})") from exc
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
            spans = [
                (int(start), int(end) + 1, str(label))
                for label, surfaces in (record.get("label") or {}).items()
                for offsets in surfaces.values()
                for start, end in offsets
            ]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"{path}, line {number}: not a CLUENER record ({exc!r}); each line must be "
                '{"text": ..., "label": {label: {surface: [[start, end], ...]}}}'
            ) from exc
        if not isinstance(text, str):
            raise InputError(f"{path}, line {number}: 'text' must be a string")
        for start, end, label in spans:
            if not 0 <= start < end <= len(text):
                raise InputError(
                    f"{path}, line {number}: span [{start}, {end - 1}] of {label} lies outside "
                    f"the text of {len(text)} characters"
                )
        records.append((text, sorted(spans)))
    return records


def score_spans(
    gold: Iterable[Iterable[Span]],
    predicted: Iterable[Iterable[Span]],
    mapping: dict[str, str] | None = None,
) -> dict[str, Score]:
    """Exact-match scores per label of parallel gold and predicted span lists.

    With `mapping`, labels are renamed by it first and labels not in it are left out.
    """
    counts: dict[str, Counter[str]] = {}
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        gold_set = _relabel(gold_spans, mapping)
        predicted_set = _relabel(predicted_spans, mapping)
        for span in gold_set | predicted_set:
            outcome = (
                "tp"
                if span in gold_set and span in predicted_set
                else "fn"
                if span in gold_set
                else "fp"
            )
            counts.setdefault(span[2], Counter())[outcome] += 1
    return {label: Score(label, c["tp"], c["fp"], c["fn"]) for label, c in sorted(counts.items())}


def micro_average(scores: Iterable[Score], label: str) -> Score:
    """One score over all the spans of `scores`."""
    scores = list(scores)
    return Score(
        label,
        sum(s.true_positives for s in scores),
        sum(s.false_positives for s in scores),
        sum(s.false_negatives for s in scores),
    )


def _relabel(spans: Iterable[Span], mapping: dict[str, str] | None) -> set[Span]:
    if mapping is None:
        return set(spans)
    return {(start, end, mapping[label]) for start, end, label in spans if label in mapping}


def evaluate_cluener(path: Path, recogniser: Recogniser | None = None) -> ClueNerReport:
    """Run the recogniser (by default the shipped statistical model) over a CLUENER file."""
    if recogniser is None:
        from kg.extract.statistical import recognise_cluener

        recogniser = recognise_cluener
    records = read_cluener(path)
    texts = [text for text, _ in records]
    recogniser([])  # loads the model, so that the time below is the recogniser's alone
    clock = time.perf_counter()
    predicted = recogniser(texts)
    seconds = time.perf_counter() - clock
    gold = [spans for _, spans in records]
    by_label = score_spans(gold, predicted)
    by_type = score_spans(gold, predicted, LABEL_TO_KG)
    headline = score_spans(gold, predicted, HEADLINE_LABELS)
    return ClueNerReport(
        file=str(path),
        texts=len(texts),
        characters=sum(len(text) for text in texts),
        seconds=seconds,
        labels=tuple(by_label.values()),
        types=tuple(by_type.values()),
        micro=micro_average(headline.values(), "micro"),
    )

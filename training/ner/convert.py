"""Convert CLUENER2020 JSON Lines into spaCy DocBins for `spacy train`.

Takes the shared, third-party `train.json` and `dev.json` (read in place, never copied into the
repo) and gives `train.spacy` and `dev.spacy` in a git-ignored folder. Documents are tokenised
one token a character, as `spacy.blank("zh")` does, so every CLUENER span aligns with tokens.

Usage: python training/ner/convert.py [--source DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = REPO.parent / "shared" / "benchmarks" / "cluener2020"
DEFAULT_OUT = REPO / "training" / "ner" / "corpus"


def cluener_spans(record: dict[str, object]) -> list[tuple[int, int, str]]:
    """(start, end exclusive, label) of one CLUENER record, sorted by start."""
    spans: list[tuple[int, int, str]] = []
    labels = record.get("label") or {}
    assert isinstance(labels, dict)
    for label, surfaces in labels.items():
        for offsets in surfaces.values():
            for start, end_inclusive in offsets:
                spans.append((start, end_inclusive + 1, label))
    return sorted(spans)


def convert(path: Path, nlp: spacy.language.Language) -> tuple[DocBin, int]:
    """A DocBin of the records in `path`, and how many overlapping spans were dropped."""
    docbin = DocBin(store_user_data=False)
    dropped = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        doc: Doc = nlp.make_doc(record["text"])
        ents = []
        last_end = 0
        for start, end, label in cluener_spans(record):
            span = doc.char_span(start, end, label=label)
            # spaCy's ner predicts no overlapping spans; CLUENER has one overlap in train.
            if span is None or start < last_end:
                dropped += 1
                continue
            ents.append(span)
            last_end = end
        doc.ents = ents
        docbin.add(doc)
    return docbin, dropped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    nlp = spacy.blank("zh")
    args.out.mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev"):
        source = args.source / f"{split}.json"
        if not source.exists():
            print(f"{source}: not found; pass --source DIR holding CLUENER2020", file=sys.stderr)
            return 1
        docbin, dropped = convert(source, nlp)
        target = args.out / f"{split}.spacy"
        docbin.to_disk(target)
        print(f"{source} -> {target}: {len(docbin)} docs, {dropped} overlapping spans dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fuzz target (atheris): bytes in; ingest, normalize and extract must read them or say why not.

The first byte picks how the bytes arrive (a .txt, .md, .html or .jsonl file, or stdin, which is
sniffed); the rest is the file. Every article that ingest gives is normalized (its offset map
checked) and extracted. Anything other than an `Article`, `Skipped` or `Notice` from ingest, or
an exception from any stage, is a crash that atheris reports with the input that caused it.

    .venv/bin/python fuzz/fuzz_ingest.py -atheris_runs=20000 fuzz/corpus
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from kg.extract import extract_article
    from kg.ingest import Article, Notice, Skipped, read_bytes
    from kg.normalize import normalize_text

SUFFIXES = (".txt", ".md", ".html", ".jsonl", None)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    suffix = SUFFIXES[data[0] % len(SUFFIXES)]
    for item in read_bytes(data[1:], "fuzz", suffix=suffix):
        if isinstance(item, Skipped | Notice):
            if not str(item).startswith("fuzz"):
                raise AssertionError(f"a message that does not name the input: {item}")
            continue
        if not isinstance(item, Article):
            raise AssertionError(f"ingest gave {type(item).__name__}")
        normalized = normalize_text(item.full_text)
        if normalize_text(normalized.text).text != normalized.text:
            raise AssertionError("normalize is not idempotent")
        for i, origin in enumerate(normalized.offsets):
            if not 0 <= origin < len(item.full_text):
                raise AssertionError(f"offset {i} maps outside the text")
        extraction = extract_article(item)
        for entity in extraction.entities:
            for evidence in entity.evidence:
                if evidence.sentence not in item.full_text:
                    raise AssertionError("evidence that is not in the article")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

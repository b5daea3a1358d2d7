"""A JSON Lines file read before: what changed is found whatever the line endings are, and
messages still name the right line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.build import build
from kg.rdf.store import KgStore, open_store


def line(n: int, extra: str = "", end: str = "\n") -> str:
    text = f"芜湖高新区大力发展氢能产业，力争2026年产值达到{n + 1}亿元。{extra}"
    item = {"id": f"a{n}", "title": "芜湖高新区动态", "text": text}
    return json.dumps(item, ensure_ascii=False) + end


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KgStore]:
    opened = open_store(tmp_path / "store")
    yield opened
    opened.close()


def test_a_changed_last_line_without_a_line_ending_is_the_only_article_built_again(
    tmp_path: Path, store: KgStore
) -> None:
    news = tmp_path / "news.jsonl"
    lines = [line(0, end="\r\n"), "\n", line(1), line(2, end="")]
    news.write_text("".join(lines), encoding="utf-8")
    assert build([str(news)], store).built == 3

    lines[3] = line(2, "新增一句。", end="")
    news.write_text("".join(lines), encoding="utf-8")
    report = build([str(news)], store)
    assert (report.built, report.unchanged) == (1, 2)

    lines[1] = "{broken\n"
    lines.append("\n" + line(3))
    news.write_text("".join(lines), encoding="utf-8")
    report = build([str(news)], store)
    assert (report.built, report.unchanged) == (1, 3)  # the last line now ends, a3 is new
    assert [s.where for s in report.skipped] == [f"{news}:2"]

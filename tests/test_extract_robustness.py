"""An unexpected error while extracting one article skips that article, names it, and lets the
run go on: `extract_many`, `kg build` and `kg extract`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kg.extract.pipeline
from kg.build import build
from kg.cli import cli
from kg.extract import extract_many, extract_or_skip
from kg.ingest import Skipped
from kg.model import Article, Extraction
from kg.rdf.store import open_store

# Articles of our own; the one whose title holds the marker makes the extractor fail.
MARKER = "故障"
TEXTS = {
    "a1.txt": "青川高新区发展氢能产业\n青川高新区大力发展氢能产业，力争年产值达到5亿元。",
    "a2.txt": f"{MARKER}：白溪经开区培育新材料产业\n白溪经开区聚焦新材料产业，新增企业12家。",
    "a3.txt": "南屏高新区举办创新大赛\n南屏高新区举办第三届“星火杯”创新创业大赛。",
}


@pytest.fixture
def failing_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last step of extraction raises for the marked article, as a bug would."""
    real = kg.extract.pipeline.to_extraction

    def to_extraction(article: Article, *args: Any) -> Extraction:
        if MARKER in article.title:
            raise IndexError("string index out of range")
        return real(article, *args)

    monkeypatch.setattr(kg.extract.pipeline, "to_extraction", to_extraction)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def articles(folder: Path) -> list[Article]:
    found = []
    for name, text in sorted(TEXTS.items()):
        title, body = text.split("\n", 1)
        found.append(Article(id=name, title=title, text=body, file=str(folder / name)))
    return found


@pytest.mark.usefixtures("failing_extractor")
def test_extract_many_skips_the_failing_article_and_goes_on(inputs: Path) -> None:
    results = list(extract_many(articles(inputs)))
    assert [type(r).__name__ for r in results] == ["Extraction", "Skipped", "Extraction"]
    skipped = results[1]
    assert isinstance(skipped, Skipped)
    assert skipped.where == str(inputs / "a2.txt")
    assert "internal error while extracting" in skipped.reason
    assert "IndexError: string index out of range" in skipped.reason
    assert "please report it with this file" in skipped.reason
    ok = results[2]
    assert isinstance(ok, Extraction) and ok.article.id == "a3.txt"
    assert any(e.name == "南屏高新区" for e in ok.entities)


@pytest.mark.usefixtures("failing_extractor")
def test_extract_or_skip_names_a_json_lines_article_by_file_and_id() -> None:
    article = Article(
        id="n-7", title=f"{MARKER}新闻", text="正文。", file="news.jsonl:7", id_given=True
    )
    skipped = extract_or_skip(article)
    assert isinstance(skipped, Skipped)
    assert skipped.where == "news.jsonl:7 (id n-7)"


def test_build_reports_the_failing_article_stores_the_rest_and_retries_it_later(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path / "store")
    try:
        with monkeypatch.context() as patched:
            real = kg.extract.pipeline.to_extraction

            def failing(article: Article, *args: Any) -> Extraction:
                if MARKER in article.title:
                    raise ValueError("bad offset")
                return real(article, *args)

            patched.setattr(kg.extract.pipeline, "to_extraction", failing)
            first = build([str(inputs)], store)
        assert first.built == 2
        assert [Path(s.where).name for s in first.skipped] == ["a2.txt"]
        assert "internal error while extracting (ValueError: bad offset)" in first.skipped[0].reason
        # Fixed (here: the fault is gone), the next build extracts the article it skipped.
        again = build([str(inputs)], store)
        assert (again.built, again.unchanged, again.skipped) == (1, 2, [])
    finally:
        store.close()


@pytest.mark.usefixtures("failing_extractor")
def test_kg_extract_prints_the_others_and_exits_3(inputs: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", str(inputs)])
    assert result.exit_code == 3, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 2
    assert "a2.txt" in result.stderr and "internal error while extracting" in result.stderr

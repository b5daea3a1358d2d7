"""`kg extract` and `kg eval` end to end on the shared corpus (skipped when it is not beside)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import CORPUS, need


def _extract(*args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["extract", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def test_whole_broadcasts_extract_without_error() -> None:
    real = need(CORPUS / "real")
    files = sorted(real.glob("*.md"))[:3]
    found = _extract(*map(str, files))
    assert len(found) > len(files)  # a broadcast holds many stories
    assert any(doc["entities"] for doc in found)
    for doc in found:
        for entity in doc["entities"]:
            for ev in entity["evidence"]:
                assert 0 <= ev["start"] < ev["end"]


def test_workers_give_the_same_lines_as_one_process() -> None:
    dev = need(CORPUS / "dev")
    files = [str(p) for p in sorted(dev.glob("dev-0*.txt"))]
    assert _extract(*files, "--workers", "2") == _extract(*files)


def test_eval_on_the_seed_scores_entities_relations_and_indicators() -> None:
    gold = need(CORPUS / "gold" / "seed.jsonl")
    result = CliRunner().invoke(cli, ["eval", "--gold", str(gold), "--format", "json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    # Floors well under the measured figures (bench/RESULTS.md), so that a regression shows.
    assert scores["entities"]["f1"] >= 0.85
    assert scores["relations"]["f1"] >= 0.6
    assert scores["indicators"]["f1"] >= 0.8
    assert set(scores["entities_by_type"]) >= {"Zone", "Industry", "Person", "TalentPolicy"}


def test_eval_on_dev_stays_above_its_floor() -> None:
    gold = need(CORPUS / "gold" / "dev.jsonl")
    result = CliRunner().invoke(cli, ["eval", "--gold", str(gold), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["entities"]["f1"] >= 0.8


def test_extract_of_a_text_file_of_our_own(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(
        "青梧高新区举办人才周\n来源:测试 日期:2024-03-01\n"
        "青梧高新区管委会主任林晓东表示，园区采取“双向飞地”等方式引进人才，"
        "重点发展集成电路、生物医药等产业。\n",
        encoding="utf-8",
    )
    (doc,) = _extract(str(article))
    found = {(e["type"], e["name"]) for e in doc["entities"]}  # type: ignore[union-attr]
    assert ("TalentPolicy", "双向飞地") in found
    assert ("Industry", "集成电路") in found or ("Industry", "集成电路产业") in found

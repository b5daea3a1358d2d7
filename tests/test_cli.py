from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg.cli import cli

from .conftest import CORPUS, EXAMPLES, need


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("command", all_commands(cli), ids=" ".join)
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_top_level_help_lists_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("build", "stats", "articles", "extract"):
        assert name in result.output


def run(store: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--store", str(store), *args])
    return result.exit_code, result.stdout, result.stderr


def test_build_dev_and_seed_gives_19_articles_and_a_rebuild_adds_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    dev, seed = need(CORPUS / "dev"), need(CORPUS / "seed")
    code, out, err = run(store, "build", str(dev), str(seed), "--workers", "1")
    assert code == 0, out + err
    assert "built 19" in out
    code, out, _ = run(store, "stats", "--format", "json")
    first = json.loads(out)
    assert first["articles"] == 19 and first["graphs"] == 19 and first["triples"] > 0
    code, out, _ = run(store, "build", str(dev), str(seed), "--workers", "1")
    assert "built 0, unchanged 19" in out
    assert json.loads(run(store, "stats", "--format", "json")[1]) == first


def test_one_undecodable_file_is_named_and_the_others_are_built(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text("甲文\n正文甲", encoding="utf-8")
    (inputs / "b.txt").write_text("乙文\n正文乙", encoding="utf-8")
    (inputs / "broken.txt").write_bytes(b"\x81\x30" * 3 + b"\xff")
    code, out, err = run(
        tmp_path / "store", "build", str(inputs), "--report", str(tmp_path / "r.json")
    )
    assert code == 3
    assert "broken.txt" in err and "--encoding" in err
    assert "Traceback" not in out + err
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["built"] == 2 and len(report["skipped"]) == 1


def test_articles_lists_what_was_built(tmp_path: Path) -> None:
    store = tmp_path / "store"
    run(store, "build", str(EXAMPLES / "articles"))
    code, out, _ = run(store, "articles", "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert {"dev-17", "dev-18"} <= {r["id"] for r in rows}
    assert all(r["title"] and r["date"] for r in rows)


def test_a_missing_input_is_an_error_without_traceback(tmp_path: Path) -> None:
    code, out, err = run(tmp_path / "store", "build", str(tmp_path / "nope.txt"))
    assert code == 1
    assert "nope.txt: no such file" in err
    assert "Traceback" not in out + err


def test_stats_on_a_missing_store_says_how_to_make_one(tmp_path: Path) -> None:
    code, _, err = run(tmp_path / "none", "stats")
    assert code == 1
    assert "kg build" in err

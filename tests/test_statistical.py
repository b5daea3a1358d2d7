"""The statistical recogniser shipped in the package, its CLUENER scorer and `kg eval --cluener`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import InputError
from kg.evaluate_cluener import Score, evaluate_cluener, read_cluener, score_spans
from kg.extract.candidates import candidates
from kg.extract.statistical import (
    COMPONENT,
    MODEL_DIR,
    load_model,
    recognise,
    recognise_cluener,
    text_pieces,
)

# Short sentences of our own, with the spans a reader expects (start, end exclusive, type).
SENTENCES = [
    ("王建国在会上说，明年要扩大出口。", (0, 3, "Person")),
    ("李晓梅表示，这项工作已经完成。", (0, 3, "Person")),
    ("百度公司宣布裁员一千人。", (0, 4, "Enterprise")),
    ("据联想集团介绍，今年的销量有所增长。", (1, 5, "Enterprise")),
    ("教育部近日发布新规。", (0, 3, "Organization")),
    ("北京市人民政府召开了新闻发布会。", (0, 7, "Organization")),
]


@pytest.fixture(scope="session")
def model() -> spacy.language.Language:
    return load_model()


def test_model_ships_inside_the_package(model: spacy.language.Language) -> None:
    package = Path(__import__("kg").__file__).resolve().parent
    assert MODEL_DIR.is_relative_to(package)
    assert model.pipe_names == ["tok2vec", "ner"]
    labels = set(model.get_pipe("ner").labels)
    assert {"company", "government", "organization", "name", "address"} <= labels
    size = sum(f.stat().st_size for f in MODEL_DIR.rglob("*") if f.is_file())
    assert size < 40 * 2**20


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_recognises_people_enterprises_and_organisations(
    model: spacy.language.Language, text: str, expected: tuple[int, int, str]
) -> None:
    assert expected in recognise(text)


def test_spans_of_a_long_text_keep_their_offsets(model: spacy.language.Language) -> None:
    sentence = "王建国在会上说，明年要扩大出口。"
    text = "今天天气很好。" * 40 + sentence
    offset = len(text) - len(sentence)
    assert (offset, offset + 3, "Person") in recognise(text)
    assert recognise("") == []


def test_text_pieces_cover_the_text_at_sentence_and_clause_ends() -> None:
    text = "第一句。第二句！" + "很长的分句，" * 40 + "\n末句"
    pieces = text_pieces(text, max_length=50)
    assert pieces[:2] == [(0, 4), (4, 8)]
    assert all(end - start <= 50 for start, end in pieces)
    assert "".join(text[a:b] for a, b in pieces) == text.replace("\n", "")
    assert all(text[end - 1] in "。！，句" for _, end in pieces)


def test_pipeline_component_adds_candidates(model: spacy.language.Language) -> None:
    nlp = spacy.blank("zh")
    nlp.add_pipe(COMPONENT)
    doc = nlp("百度公司宣布裁员一千人。")
    found = [(c.start, c.end, c.type, c.component) for c in candidates(doc)]
    assert (0, 4, "Enterprise", COMPONENT) in found
    assert all(c.priority < 0 for c in candidates(doc))


def test_scorer_counts_exact_spans_per_label_and_after_mapping(tmp_path: Path) -> None:
    def record(text: str, **labels: tuple[str, int, int]) -> dict[str, object]:
        spans = {
            label: {surface: [[start, end]]} for label, (surface, start, end) in labels.items()
        }
        return {"text": text, "label": spans}

    gold_lines = [
        record("张三在甲乙公司上班", name=("张三", 0, 1), company=("甲乙公司", 3, 6)),
        record("丙丁政府位于戊己", government=("丙丁政府", 0, 3), address=("戊己", 6, 7)),
    ]
    path = tmp_path / "tiny.json"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in gold_lines) + "\n")
    predictions = [
        # right name; company span one character short (a miss and a false positive)
        [(0, 2, "name"), (3, 6, "company")],
        # government called organization: wrong label, right after mapping; a wrong extra name
        [(0, 4, "organization"), (4, 6, "name"), (6, 8, "address")],
    ]
    report = evaluate_cluener(path, lambda texts: predictions[: len(texts)])
    by_label = {s.label: s for s in report.labels}
    assert by_label["name"] == Score("name", 1, 1, 0)
    assert by_label["company"] == Score("company", 0, 1, 1)
    assert by_label["government"] == Score("government", 0, 0, 1)
    assert by_label["organization"] == Score("organization", 0, 1, 0)
    assert by_label["address"].f1 == 1.0
    by_type = {s.label: s for s in report.types}
    assert by_type["Organization"] == Score("Organization", 1, 0, 0)
    # Headline: gold {name, company, government} = 3; predicted mapped {name, company, org,
    # name} = 4; right: name and organization-for-government = 2.
    micro = report.micro
    assert (micro.true_positives, micro.false_positives, micro.false_negatives) == (2, 2, 1)
    assert micro.precision == pytest.approx(0.5)
    assert micro.recall == pytest.approx(2 / 3)
    assert micro.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert report.texts == 2 and report.characters == 17


def test_score_of_nothing_is_zero_not_an_error() -> None:
    scores = score_spans([[(0, 1, "name")]], [[]])
    assert scores["name"].precision == 0.0 and scores["name"].f1 == 0.0


def test_bad_cluener_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"text": "好", "label": {}}\n{"txt": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.json, line 2"):
        read_cluener(path)
    path.write_text('{"text": "好", "label": {"name": {"好": [[0, 5]]}}}\n', encoding="utf-8")
    with pytest.raises(InputError, match="outside the text"):
        read_cluener(path)


def write_sample(path: Path) -> int:
    """A small CLUENER-format file of our own sentences; returns its number of gold spans."""
    label_of = {"Person": "name", "Enterprise": "company", "Organization": "government"}
    lines = []
    for text, (start, end, kg_type) in SENTENCES:
        label = {label_of[kg_type]: {text[start:end]: [[start, end - 1]]}}
        lines.append(json.dumps({"text": text, "label": label}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def test_kg_eval_cluener_end_to_end(tmp_path: Path) -> None:
    sample = tmp_path / "sample.json"
    gold = write_sample(sample)
    result = CliRunner().invoke(cli, ["eval", "--cluener", str(sample), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["texts"] == len(SENTENCES)
    assert report["micro"]["gold"] == gold
    predicted = recognise_cluener([text for text, _ in SENTENCES])
    assert report["micro"]["f1"] > 0.5
    assert sum(len(p) for p in predicted) >= report["micro"]["true_positives"]

    table = CliRunner().invoke(cli, ["eval", "--cluener", str(sample)])
    assert table.exit_code == 0, table.output
    assert "micro" in table.output and "company+government+organization+name" in table.output
    assert "Enterprise" in table.output and "government" in table.output


def test_kg_eval_cluener_bad_file_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    sample = tmp_path / "broken.json"
    sample.write_text("not json\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--cluener", str(sample)])
    assert result.exit_code == 1
    assert "broken.json, line 1" in result.output
    assert "Traceback" not in result.output

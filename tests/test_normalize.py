from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from kg.normalize import normalize_text, strip_pinyin

from .conftest import CORPUS, need

PINYIN_LEFT = re.compile(r"\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+)\)")


def test_pinyin_is_removed_and_real_parentheses_stay() -> None:
    assert strip_pinyin("高新區(qū)發(fā)展(2023)(試行)(含)") == "高新區發展(2023)(試行)(含)"
    assert normalize_text("高新區(qū)“產(chǎn)業(yè)”").text == "高新区“产业”"


def test_the_seed_normalizes_to_simplified_without_pinyin_and_nothing_else_removed() -> None:
    original = need(CORPUS / "seed" / "baotou-rare-earth-zone.txt").read_text(encoding="utf-8")
    normalized = normalize_text(original)
    assert not PINYIN_LEFT.search(normalized.text)
    assert "稀土高新区党工委书记邬军军" in normalized.text
    assert "(R&D)" in normalized.text
    # every character that is left maps back to the same character (modulo script) in the original
    kept = "".join(original[i] for i in normalized.offsets)
    assert len(kept) == len(normalized.text)
    assert re.sub(r"\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+)\)", "", original).replace("\r", "") == kept


def test_dev_articles_in_traditional_script_lose_all_pinyin() -> None:
    for name in ("dev-11.txt", "dev-12.txt", "dev-13.txt"):
        text = need(CORPUS / "dev" / name).read_text(encoding="utf-8")
        assert not PINYIN_LEFT.search(normalize_text(text).text), name


def test_full_width_forms_are_folded() -> None:
    assert normalize_text("ＡＢＣ１２３，（试行）").text == "ABC123,(试行)"


def test_evidence_is_quoted_as_the_article_wrote_it() -> None:
    original = "稀土高新區(qū)黨(dǎng)工委書(shū)記"
    normalized = normalize_text(original)
    start = normalized.text.index("党工委")
    assert normalized.original_text(start, start + 3) == "黨(dǎng)工委"


@given(st.text())
def test_the_offset_map_always_points_back_to_the_same_characters(text: str) -> None:
    normalized = normalize_text(text)
    assert len(normalized.offsets) == len(normalized.text)
    assert list(normalized.offsets) == sorted(set(normalized.offsets))
    assert all(0 <= i < len(text) for i in normalized.offsets)


@given(st.text(alphabet=st.sampled_from("高新區区(qū)（）2023ＡA，, 產产業业")))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_text(text).text
    assert normalize_text(once).text == once

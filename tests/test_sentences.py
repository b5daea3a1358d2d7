from __future__ import annotations

from kg.extract.sentences import sentence_spans


def pieces(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def test_quoted_speech_stays_in_its_sentence() -> None:
    text = "甲说:“今年要发展光伏。明年更好!”乙区举办创新杯。\n第二行(含。)结束"
    assert pieces(text) == ["甲说:“今年要发展光伏。明年更好!”乙区举办创新杯。", "第二行(含。)结束"]


def test_an_unclosed_quote_does_not_swallow_the_article() -> None:
    text = "“" + "很长的句子。" * 80 + "最后一句。"
    assert len(pieces(text)) > 10

"""Properties that hold for any text (hypothesis): normalize keeps its offset map honest and is
idempotent; ingest and extract never raise on any input, they read it or say why they skip it.

Example counts stay modest so that the suite stays fast; `fuzz/` runs the same stages for as long
as one likes.
"""

from __future__ import annotations

import json
import unicodedata
from itertools import pairwise

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.extract import extract_article
from kg.ingest import (
    Article,
    Notice,
    Skipped,
    make_article,
    parse_date,
    parse_jsonl_line,
    read_bytes,
)
from kg.normalize import normalize_text, pinyin_spans, to_simplified

# Pieces the normalizer has rules for, mixed with any character at all.
PIECES = [
    "區",
    "(qū)",
    "產(chǎn)",
    "（yè）",
    "(qu)",
    "(2023)",
    "(试行)",
    "發展",
    "後臺",
    "乾淨",
    "於",
    "ＡＢＣ１２３，",
    "\u3000",
    "\r\n",
    "\r",
    "\n",
    "高新区",
    "稀土",
    "()",
    "(",
    ")",
]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.characters()), max_size=40).map("".join)

# Pieces extraction has rules for: zone heads, enterprise heads, quotes, figures, years, cues.
EXTRACT_PIECES = [
    "包头稀土高新区",
    "高新区",
    "经开区",
    "有限公司",
    "集团",
    "管委会",
    "主任",
    "张三",
    "“",
    "”",
    "《",
    "》",
    "计划",
    "大赛",
    "发展",
    "支持",
    "落户",
    "位于",
    "产业",
    "新材料",
    "8亿元",
    "12.5%",
    "2025年",
    "达到",
    "以上",
    "，",
    "。",
    "、",
    "；",
    "\n",
    "(",
    ")",
    "2",
    "万",
]
ARTICLE_TEXT = st.lists(
    st.one_of(st.sampled_from(EXTRACT_PIECES), st.characters()), max_size=60
).map("".join)

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def same_modulo_script(original: str, normalized: str) -> bool:
    """True when the normalized character is the original one, folded and perhaps simplified."""
    folded = original.translate(_FOLD)
    return normalized == folded or to_simplified(folded) == to_simplified(normalized)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_every_normalized_character_points_back_to_its_original(text: str) -> None:
    normalized = normalize_text(text)
    offsets = normalized.offsets
    assert len(offsets) == len(normalized.text)
    assert all(a < b for a, b in pairwise(offsets))
    for i, origin in enumerate(offsets):
        assert 0 <= origin < len(text)
        assert same_modulo_script(text[origin], normalized.text[i]), (i, text[origin])


def removed_by_reference(text: str) -> set[int]:
    """Indexes removed by stripping pinyin and carriage returns until none is left, done the slow
    and obvious way on a list of (index, character)."""
    chars = list(enumerate(text.translate(_FOLD)))
    while True:
        current = "".join(c for _, c in chars)
        spans = [*pinyin_spans(current), *((i, i + 1) for i, c in enumerate(current) if c == "\r")]
        if not spans:
            return set(range(len(text))) - {i for i, _ in chars}
        dropped = {k for start, end in spans for k in range(start, end)}
        chars = [item for k, item in enumerate(chars) if k not in dropped]


@settings(max_examples=300, deadline=None)
@given(TEXT)
@example("区(qu)(qu)")
@example("区\r(qu)")
def test_only_pinyin_and_carriage_returns_are_removed(text: str) -> None:
    normalized = normalize_text(text)
    removed = set(range(len(text))) - set(normalized.offsets)
    assert removed == removed_by_reference(text)
    assert all(
        text[i] == "\r"
        or text[i].translate(_FOLD) in "()（）"
        or text[i].isalpha()
        or unicodedata.combining(text[i])
        for i in removed
    )


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(0, 60), st.integers(0, 60))
def test_spans_map_back_inside_the_original(text: str, start: int, length: int) -> None:
    normalized = normalize_text(text)
    end = min(start + length, len(normalized.text))
    a, b = normalized.original_span(start, end)
    assert 0 <= a <= b <= len(text)
    assert normalized.original_text(start, end) == text[a:b]


@settings(max_examples=300, deadline=None)
@given(TEXT)
# each of these once needed a second pass (fixed: removal repeats, folding comes first)
@example("区(qu)(qu)")
@example("区\r(qu)")
@example("區(ｑū)")
@example("区（qu）(qu)")
@example("\ud800區(qū)")
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_text(text).text
    assert normalize_text(once).text == once


# ---------------------------------------------------------------- ingest never raises


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from([".txt", ".md", ".html", ".jsonl", None]))
def test_ingest_reads_or_skips_any_bytes(data: bytes, suffix: str | None) -> None:
    items = list(read_bytes(data, "fuzz", suffix=suffix))
    assert all(isinstance(i, Article | Skipped | Notice) for i in items)
    for item in items:
        if isinstance(item, Skipped | Notice):
            assert str(item).startswith("fuzz")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.sampled_from([".txt", ".html", None]))
def test_ingest_reads_or_skips_any_text(text: str, suffix: str | None) -> None:
    for encoding in ("utf-8", "gb18030"):
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        items = list(read_bytes(data, "page", suffix=suffix))
        assert all(isinstance(i, Article | Skipped | Notice) for i in items)
        for article in (i for i in items if isinstance(i, Article)):
            assert article.text or article.title


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["id", "title", "text", "html", "date", "source", "url", "x"]),
        JSON_VALUES,
    )
)
def test_any_json_lines_object_is_read_or_skipped_with_its_line(obj: dict[str, object]) -> None:
    line = json.dumps(obj, ensure_ascii=False)
    items = list(parse_jsonl_line(line, "a.jsonl:7"))
    assert items, "a line is read, skipped or noted, never dropped silently"
    for item in items:
        if isinstance(item, Skipped | Notice):
            assert item.where == "a.jsonl:7"
        else:
            assert isinstance(item, Article) and item.text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.from_regex(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"))
def test_parse_date_gives_an_iso_date_or_none(text: str) -> None:
    date = parse_date(text)
    assert date is None or (len(date) == 10 and date[4] == "-" and date[7] == "-")


# ---------------------------------------------------------------- extract never raises


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARTICLE_TEXT, st.text(max_size=10))
def test_extract_never_raises_and_evidence_quotes_the_article(body: str, title: str) -> None:
    article = make_article(
        title=title.strip(), text=body, date=None, source=None, url=None, file="x.txt"
    )
    extraction = extract_article(article)
    full = article.full_text
    evidence = [
        e
        for items in (extraction.entities, extraction.relations, extraction.indicators)
        for item in items
        for e in item.evidence
    ]
    for e in evidence:
        assert 0 <= e.start <= e.end <= len(full)
        assert e.sentence and e.sentence in full

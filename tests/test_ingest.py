from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest import Skipped, content_id, decode, parse_date, read_inputs
from kg.model import Article
from kg.normalize import to_simplified

from .conftest import CORPUS, load_gold, need


def articles_of(*inputs: str | Path) -> list[Article]:
    items = list(read_inputs([str(i) for i in inputs]))
    assert all(isinstance(i, Article) for i in items), [i for i in items if isinstance(i, Skipped)]
    return [i for i in items if isinstance(i, Article)]


def test_every_dev_and_seed_article_has_the_gold_title_and_date() -> None:
    gold = load_gold("dev.jsonl") + load_gold("seed.jsonl")
    by_file: dict[tuple[str, str], dict[str, str]] = {}
    for g in gold:
        by_file[((CORPUS / "gold" / g["file"]).resolve().name, g["id"])] = g
    read = articles_of(need(CORPUS / "dev"), need(CORPUS / "seed"))
    assert len(read) == 19
    for article in read:
        assert article.file
        name = Path(article.file).name
        match = [
            g
            for (f, i), g in by_file.items()
            if f == name and (not article.id_given or i == article.id)
        ]
        assert len(match) == 1, name
        assert to_simplified(article.title) == match[0]["title"], name
        assert article.date == match[0]["date"], name


def test_the_seed_header_gives_source_and_date_and_the_menu_is_dropped() -> None:
    (seed,) = articles_of(need(CORPUS / "seed"))
    assert seed.source == "高新院 achie.org"
    assert seed.date == "2023-01-18"
    assert "政策解讀" not in seed.text
    assert seed.text.startswith("“目標")


def test_gbk_and_big5_files_are_decoded(tmp_path: Path) -> None:
    text = "包头稀土高新区推动产业发展"
    (tmp_path / "a.txt").write_bytes(f"标题\n{text}".encode("gbk"))
    (tmp_path / "b.txt").write_bytes("標題\n包頭稀土高新區推動產業發展".encode("big5"))
    a, b = articles_of(tmp_path / "a.txt", tmp_path / "b.txt")
    assert a.text == text
    assert b.text == "包頭稀土高新區推動產業發展"


def test_an_undecodable_file_is_skipped_with_its_name_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("标题\n正文", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\xfa" * 10 + b"\x81")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    items = list(read_inputs([str(tmp_path)]))
    skipped = [i for i in items if isinstance(i, Skipped)]
    good = [i for i in items if isinstance(i, Article)]
    assert [a.title for a in good] == ["标题"]
    assert {Path(s.where).name for s in skipped} == {"bad.txt", "bin.txt"}


def test_jsonl_bad_lines_are_skipped_with_their_line_number(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"id": "x1", "title": "甲", "text": "正文一"}\n'
        "{not json\n"
        '{"id": "x2", "title": "乙"}\n'
        '{"id": "x3", "title": "丙", "text": "正文三", "date": "2023年1月18日"}\n',
        encoding="utf-8",
    )
    items = list(read_inputs([str(path)]))
    assert [i.id for i in items if isinstance(i, Article)] == ["x1", "x3"]
    assert [i.where for i in items if isinstance(i, Skipped)] == [f"{path}:2", f"{path}:3"]
    assert [i.date for i in items if isinstance(i, Article)] == [None, "2023-01-18"]


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2023-01-18", "2023-01-18"),
        ("2023年1月18日", "2023-01-18"),
        ("2023/1/18", "2023-01-18"),
        ("20230118", "2023-01-18"),
        ("2023-02-30", None),
        ("明天", None),
    ],
)
def test_dates_in_common_chinese_forms(raw: str, iso: str | None) -> None:
    assert parse_date(raw) == iso


def test_the_same_article_twice_has_one_id() -> None:
    assert content_id("题", "文") == content_id("题", "文")
    assert content_id("题", "文") != content_id("题", "文。")


def test_decode_names_the_file_and_the_fix() -> None:
    from kg.errors import InputError

    with pytest.raises(InputError, match=r"x\.txt: .*pass another --encoding"):
        decode("中文".encode(), "x.txt", encoding="ascii")


def test_a_broadcast_transcript_becomes_one_article_per_story() -> None:
    day = need(CORPUS / "real" / "20221225.md")
    stories = articles_of(day)
    assert len(stories) == 12
    assert all(s.date == "2022-12-25" for s in stories)
    assert any("昆山" in s.title for s in stories)
    assert all(s.url and s.url.startswith("https://tv.cctv.com/") for s in stories)


def test_an_invalid_date_is_a_notice_and_the_article_is_kept(tmp_path: Path) -> None:
    from kg.ingest import Notice

    (tmp_path / "a.txt").write_text("标题\n来源:某报 日期:2023-02-30\n正文", encoding="utf-8")
    items = list(read_inputs([str(tmp_path / "a.txt")]))
    notices = [i for i in items if isinstance(i, Notice)]
    (article,) = [i for i in items if isinstance(i, Article)]
    assert article.date is None and article.text == "正文"
    assert len(notices) == 1 and "2023-02-30" in notices[0].message


def test_jsonl_is_streamed_and_a_line_in_another_encoding_is_named(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    good = '{"id": "g", "title": "甲", "text": "正文\\u0007一"}\n'.encode()
    bad = '{"id": "b", "title": "乙", "text": "正文"}\n'.encode("gbk")
    path.write_bytes(b"\xef\xbb\xbf" + good + bad)
    items = list(read_inputs([str(path)]))
    (article,) = [i for i in items if isinstance(i, Article)]
    assert article.id == "g" and article.text == "正文一"
    (skipped,) = [i for i in items if isinstance(i, Skipped)]
    assert skipped.where == f"{path}:2" and "UTF-8" in skipped.reason


def test_a_file_too_large_for_one_article_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.ingest

    monkeypatch.setattr(kg.ingest, "MAX_ARTICLE_BYTES", 1000)
    (tmp_path / "big.txt").write_text("标题\n" + "字" * 2000, encoding="utf-8")
    (skipped,) = list(read_inputs([str(tmp_path / "big.txt")]))
    assert isinstance(skipped, Skipped) and "split it" in skipped.reason

"""Bad input, tried on purpose, through the command line as a user runs it.

Each bad file (or JSON Lines line) is named on stderr with the reason and what to do; everything
valid in the same run is built; the exit code is 3; no traceback, in-process (CliRunner) or in a
real process. Names with characters that IRIs forbid reach the store, SPARQL and every export.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner, Result

from kg.build import write_extraction
from kg.cli import cli
from kg.extract.sentences import sentence_spans
from kg.ingest import Article, Notice, make_article, parse_date
from kg.model import Entity as ExtractedEntity
from kg.model import Evidence, Extraction, Relation
from kg.rdf.store import open_store

KG = [sys.executable, "-m", "kg.cli"]
SENTENCE = "包头稀土高新区发展稀土新材料产业，支持企业开展技术攻关。"


def kg(store: Path, *args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, ["--store", str(store), *args], input=input)


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def jsonl(*objects: Any) -> str:
    return "\n".join(
        o if isinstance(o, str) else json.dumps(o, ensure_ascii=False) for o in objects
    )


# ---------------------------------------------------------------- one run of every bad input

GOOD_TITLES = {
    "好文一",  # good.txt
    "繁體文章",  # gbk.txt (GB18030 bytes)
    "被截断的文章",  # truncated.txt: kept without its cut-off last character
    "控制字符",  # control.txt: control characters dropped
    "公文日期",  # cn-date.txt: 二〇二三年一月十八日
    "坏日期",  # bad-date.txt: built without a date
    "J1",
    "J6",
    "J12",
    "J13",
    "J14",
}


def write_bad_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "good.txt").write_text(f"好文一\n来源：某报 日期：2023-01-18\n{SENTENCE}", "utf-8")
    (root / "gbk.txt").write_bytes(f"繁體文章\n{SENTENCE}".encode("gb18030"))
    cut = f"被截断的文章\n{SENTENCE}包头".encode()
    (root / "truncated.txt").write_bytes(cut[:-1])
    (root / "control.txt").write_text(
        "控制\x01字符\x7f\n来源：某\x1b报 日期：2023/1/18\n包头稀土\x00\x0c高新区\x08发展新材料。",
        "utf-8",
    )
    (root / "cn-date.txt").write_text(
        f"公文日期\n来源：某市人民政府 日期：二〇二三年一月十八日\n{SENTENCE}", "utf-8"
    )
    (root / "bad-date.txt").write_text(
        f"坏日期\n来源：某报 日期：2023年2月30日\n{SENTENCE}", "utf-8"
    )
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.md").write_text("\n  \n\t\n", "utf-8")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (root / "mixed.txt").write_bytes(
        "混合编码\n第一行是UTF-8。\n".encode() + "第二行是Big5編碼。".encode("big5") + b"\n"
    )
    (root / "no-body.html").write_text("<html><head><title>空</title></head></html>", "utf-8")
    (root / "scripts.html").write_text(
        "<!doctype html><html><body><script>alert(1)</script><script>var x = 2;</script>"
        "</body></html>",
        "utf-8",
    )
    lines = [
        {"id": "j1", "title": "J1", "text": SENTENCE, "date": "2023年1月18日"},  # 1 good
        '{"id": "j2", "title": "J2", "text": "未闭合',  # 2 bad JSON
        "[1, 2, 3]",  # 3 not an object
        {"id": "j4", "title": "J4"},  # 4 no text
        {"id": {"x": 1}, "title": "J5", "text": SENTENCE},  # 5 id of the wrong type
        {"id": "j6", "title": "J6", "text": SENTENCE + "再说一遍。", "date": "2023-13-45"},  # 6
        {"id": "j1", "title": "J1 again", "text": "另一篇不同的正文。"},  # 7 same id, other text
        {"id": "j1", "title": "J1", "text": SENTENCE, "date": "2023年1月18日"},  # 8 repeat
        "",  # 9 blank: ignored
        {"id": "j10", "html": "<html><body><script>alert(1)</script></body></html>"},  # 10
        None,  # 11: a GB18030 line, written below
        {"id": " j12 ", "title": "J12\x07", "text": "控制\x1b字符" + SENTENCE},  # 12
        # 13: lone surrogates, which only JSON escapes can make (a traceback once)
        '{"id": "j13", "title": "J13\\ud800", "text": "\\udc00' + SENTENCE + '"}',
        {"id": "j14", "title": "J14", "text": SENTENCE, "url": "javascript:alert(1)"},  # 14
    ]
    body = b""
    for line in lines:
        if line is None:
            body += json.dumps({"id": "j11", "text": "国标编码"}, ensure_ascii=False).encode(
                "gb18030"
            )
        else:
            body += jsonl(line).encode()
        body += b"\n"
    (root / "articles.jsonl").write_bytes(body)
    return root


# (where, what the message says, what it tells the user to do)
EXPECTED_SKIPS = [
    ("empty.txt", "empty, no article text", "leave it out"),
    ("blank.md", "empty, no article text", "leave it out"),
    ("binary.txt", "a binary file", "leave it out"),
    ("mixed.txt", "first bad byte at .*line 3.*mixed encodings", "save it as UTF-8"),
    ("no-body.html", "an HTML page with no main text", "check that it is an article"),
    ("scripts.html", "an HTML page with no main text", "check that it is an article"),
    ("articles.jsonl:2", "not valid JSON", "fix the line"),
    ("articles.jsonl:3", "not a JSON object", "write one article object a line"),
    ("articles.jsonl:4", "has no 'text' or 'html' field", "add the article's text"),
    ("articles.jsonl:5", "its 'id' is not a string or number", "give a plain id"),
    ("articles.jsonl", "id 'j1' was already given to another article", "its own id"),
    ("articles.jsonl:10", "an HTML page with no main text", "check that it is an article"),
    ("articles.jsonl:11", "not UTF-8", "re-encode the file"),
]
EXPECTED_NOTES = [
    ("truncated.txt", "ends in the middle of a UTF-8 character", "check that the file is"),
    ("bad-date.txt", "'2023年2月30日' is not a valid date", "built without a date"),
    ("articles.jsonl:6", "'2023-13-45' is not a valid date", "built without a date"),
    ("articles.jsonl:14", "url 'javascript:alert\\(1\\)' is not an http", "built without it"),
]


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    tmp = tmp_path_factory.mktemp("bad")
    corpus = write_bad_corpus(tmp / "in")
    store = tmp / "store"
    result = kg(store, "build", "--workers", "1", str(corpus))
    return corpus, store, result


def test_a_run_with_bad_inputs_exits_3_without_traceback(
    bad_run: tuple[Path, Path, Result],
) -> None:
    _, _, result = bad_run
    no_traceback(result)
    assert result.exit_code == 3, result.output + result.stderr
    assert re.search(rf"skipped {len(EXPECTED_SKIPS)} articles", result.stdout), result.stdout


@pytest.mark.parametrize(("where", "reason", "fix"), EXPECTED_SKIPS, ids=lambda v: str(v)[:24])
def test_each_bad_input_is_named_with_the_reason_and_the_fix(
    bad_run: tuple[Path, Path, Result], where: str, reason: str, fix: str
) -> None:
    corpus, _, result = bad_run
    pattern = rf"^skipped {re.escape(str(corpus / where))}: .*{reason}.*; .*{fix}"
    assert re.search(pattern, result.stderr, re.M), result.stderr


@pytest.mark.parametrize(("where", "message", "consequence"), EXPECTED_NOTES)
def test_inputs_read_all_the_same_come_with_a_note(
    bad_run: tuple[Path, Path, Result], where: str, message: str, consequence: str
) -> None:
    corpus, _, result = bad_run
    pattern = rf"^note: {re.escape(str(corpus / where))}: .*{message}.*{consequence}"
    assert re.search(pattern, result.stderr, re.M), result.stderr


def test_nothing_valid_in_the_same_run_is_lost(bad_run: tuple[Path, Path, Result]) -> None:
    _, store, _ = bad_run
    result = kg(store, "articles", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert {r["title"] for r in rows} == GOOD_TITLES
    dates = {r["title"]: r["date"] for r in rows}
    assert dates["好文一"] == "2023-01-18"
    assert dates["公文日期"] == "2023-01-18"
    assert dates["控制字符"] == "2023-01-18"
    assert dates["坏日期"] is None
    assert dates["J6"] is None
    # the first article with id j1 is kept, the one that reused the id is not
    assert {r["id"] for r in rows} >= {"j1", "j6", "j12"}


def test_control_characters_never_reach_the_store(bad_run: tuple[Path, Path, Result]) -> None:
    _, store, _ = bad_run
    result = kg(store, "export", "--format", "nquads")
    assert result.exit_code == 0
    control = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
    with closing(open_store(store, read_only=True)) as opened:
        for quad in opened.quads():
            if isinstance(quad.object, ox.Literal):
                assert not control.search(quad.object.value), quad
    # and the exports parse back as RDF, with pyoxigraph and with rdflib
    assert len(list(ox.parse(result.stdout.encode(), format=ox.RdfFormat.N_QUADS))) > 0
    triples = kg(store, "export", "--format", "nt")
    assert len(rdflib.Graph().parse(data=triples.stdout, format="nt")) > 0


def test_the_truncated_file_keeps_all_but_its_cut_off_character(
    bad_run: tuple[Path, Path, Result],
) -> None:
    _, store, _ = bad_run
    result = kg(
        store,
        "query",
        "--format",
        "tsv",
        'SELECT ?t WHERE { ?a dcterms:title "被截断的文章" ; kg:text ?t }',
    )
    assert result.exit_code == 0, result.stderr
    assert SENTENCE + "包" in result.output.replace("\\n", "")


def test_the_same_run_again_changes_nothing_and_says_the_same(
    bad_run: tuple[Path, Path, Result],
) -> None:
    corpus, store, first = bad_run
    again = kg(store, "build", "--workers", "1", str(corpus))
    no_traceback(again)
    assert again.exit_code == 3
    assert re.search(r"built 0, unchanged \d+", again.output)
    assert sorted(again.stderr.splitlines()) == sorted(first.stderr.splitlines())


def test_a_real_process_shows_messages_and_no_traceback(tmp_path: Path) -> None:
    corpus = write_bad_corpus(tmp_path / "in")
    done = subprocess.run(
        [*KG, "--store", str(tmp_path / "s"), "build", "--workers", "1", str(corpus)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.count("skipped ") == len(EXPECTED_SKIPS)


# ---------------------------------------------------------------- large inputs

MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(done.stdout)
sys.stderr.write(done.stderr)
print("maxrss-kib", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(done.returncode)
"""


def kg_measured(*args: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """kg run in a process of its own; its result and its peak resident memory in MiB."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *KG, *args], capture_output=True, text=True, timeout=900
    )
    peak = int(re.findall(r"maxrss-kib (\d+)", done.stdout)[-1]) // 1024
    return done, peak


def test_50_mb_files_are_skipped_or_streamed_and_the_rest_is_built(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "good.txt").write_text(f"小文章\n{SENTENCE}", "utf-8")
    block = (SENTENCE * 2000).encode()
    with (corpus / "big.txt").open("wb") as out:
        out.write("大文件\n".encode())
        while out.tell() < 50 * 2**20:
            out.write(block + b"\n")
    repeats = 26 * 2**20 // len(SENTENCE.encode()) + 1
    big_line = json.dumps({"id": "huge", "text": SENTENCE * repeats}, ensure_ascii=False)
    with (corpus / "big.jsonl").open("w", encoding="utf-8") as out:
        out.write(jsonl({"id": "first", "title": "第一", "text": SENTENCE}) + "\n")
        out.write(big_line + "\n" + big_line.replace('"huge"', '"huge2"') + "\n")
        out.write(jsonl({"id": "last", "title": "最后", "text": SENTENCE + "完。"}) + "\n")
    assert (corpus / "big.jsonl").stat().st_size > 50 * 2**20

    done, peak = kg_measured("--store", str(tmp_path / "s"), "build", "--workers", "1", str(corpus))
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    big = re.escape(str(corpus / "big.txt"))
    assert re.search(rf"skipped {big}: 5\d MiB is larger than the 16 MiB .*; split it", done.stderr)
    for line in (2, 3):
        where = re.escape(f"{corpus / 'big.jsonl'}:{line}")
        assert re.search(rf"skipped {where}: a line of 2\d MiB .*; split the article", done.stderr)
    assert "built 3," in done.stdout
    # JSON Lines are streamed: memory does not grow with the file
    assert peak < 2048, f"{peak} MiB"


def test_a_single_1_mb_line_is_built_in_bounded_memory(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    # No end marks at all: before sentences were bounded, one 1 MB sentence quoted as evidence
    # by every mention took 21 GB in an extraction worker and the build never ended.
    run_on = SENTENCE.replace("。", "，")
    line = run_on * (2**20 // len(run_on.encode()) + 1)
    (corpus / "one-line.txt").write_text("一行\n" + line, "utf-8")
    (corpus / "one-line.jsonl").write_text(jsonl({"id": "long", "text": line}) + "\n", "utf-8")
    assert len(line.encode()) > 2**20
    done, peak = kg_measured("--store", str(tmp_path / "s"), "build", "--workers", "1", str(corpus))
    assert done.returncode == 0, done.stderr
    assert "built 2," in done.stdout
    assert peak < 2048, f"{peak} MiB"


def test_sentences_of_text_without_end_marks_are_bounded() -> None:
    text = "发展新材料产业，" * 2000 + "无标点" * 1000
    spans = sentence_spans(text)
    assert max(end - start for start, end in spans) <= 1000
    # pieces are cut after a clause mark where there is one, and cover the text
    assert all(text[end - 1] == "，" for _, end in spans if end <= 16000)
    assert "".join(text[a:b] for a, b in spans) == text


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2023-01-18", "2023-01-18"),
        ("2023年1月18日", "2023-01-18"),
        ("2023年01月18日 10:30", "2023-01-18"),
        ("2023 年 1 月 18 日", "2023-01-18"),
        ("2023/1/18", "2023-01-18"),
        ("2023.1.18", "2023-01-18"),
        ("20230118", "2023-01-18"),
        ("2023-01-18T08:00:00+08:00", "2023-01-18"),
        ("２０２３年１月１８日", "2023-01-18"),
        ("二〇二三年一月十八日", "2023-01-18"),
        ("二〇二三年十二月三十一日", "2023-12-31"),
        ("二零二四年二月二十九日", "2024-02-29"),
        ("2023-02-30", None),
        ("2023年13月1日", None),
        ("二〇二三年二月三十日", None),
        ("2023年1月", None),
        ("0000-00-00", None),
        ("昨天", None),
        ("", None),
    ],
)
def test_dates_in_every_common_chinese_form(written: str, iso: str | None) -> None:
    assert parse_date(written) == iso
    # the same through a JSON Lines article: an invalid date is a note, never a skip
    line = jsonl({"id": "d", "text": SENTENCE, "date": written})
    items = list(read_inputs_of_text(line))
    articles = [i for i in items if isinstance(i, Article)]
    assert [a.date for a in articles] == [iso]
    notes = [i for i in items if isinstance(i, Notice)]
    assert bool(notes) == (iso is None and bool(written)), notes


def read_inputs_of_text(line: str) -> list[Any]:
    from kg.ingest import parse_jsonl

    return list(parse_jsonl(line, "dates.jsonl"))


# ---------------------------------------------------------------- names unsafe in IRIs

UNSAFE_NAMES = {
    "Zone": 'A区 <b> "c" {d}|e\\f^g`h',
    "Industry": "新 材料 <x>",
    "Programme": '“引才{计划}”|^\\"',
    "Enterprise": "某 某<公司>#1?x=/y%20",
}


def unsafe_extraction(article_id: str) -> Extraction:
    text = "，".join(UNSAFE_NAMES.values()) + "。"
    article = make_article(
        title='标题 <script>alert("x")</script>',
        text=text,
        date="2023-01-18",
        source='某 "报" <社>',
        url="https://example.org/a b?<x>",
        file="unsafe.jsonl",
        article_id=article_id,
    )
    evidence = (Evidence(sentence=text, start=0, end=len(text), component="test", confidence=1.0),)
    entities = tuple(
        ExtractedEntity(type=t, name=n, aliases=(n + " 别名",), evidence=evidence)
        for t, n in UNSAFE_NAMES.items()
    )
    zone = UNSAFE_NAMES["Zone"]
    relations = (
        Relation(zone, "developsIndustry", UNSAFE_NAMES["Industry"], evidence=evidence),
        Relation(zone, "hostsProgramme", UNSAFE_NAMES["Programme"], evidence=evidence),
        Relation(UNSAFE_NAMES["Enterprise"], "operatesIn", zone, evidence=evidence),
    )
    return Extraction(article=article, entities=entities, relations=relations)


@pytest.fixture(scope="module")
def unsafe_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("unsafe") / "store"
    store = open_store(path)
    try:
        write_extraction(store, unsafe_extraction('id <with> "quotes" {and} |^\\` spaces'))
    finally:
        store.close()
    return path


def test_names_with_characters_illegal_in_iris_are_stored_as_written(unsafe_store: Path) -> None:
    result = kg(unsafe_store, "entities", "--format", "json")
    assert result.exit_code == 0, result.stderr

    # linking drops spaces and quotes from names; every other character stays as written
    def plain(name: str) -> str:
        return re.sub(r"[\s\"“”]", "", name)

    labels = {plain(row["name"]) for row in json.loads(result.stdout)}
    assert {plain(name) for name in UNSAFE_NAMES.values()} <= labels
    with closing(open_store(unsafe_store, read_only=True)) as store:
        for quad in store.quads():
            for term in (quad.subject, quad.object, quad.graph_name):
                if isinstance(term, ox.NamedNode):
                    assert not re.search(r"[\x00-\x20<>\"{}|\\^`]", term.value), term


def test_sparql_finds_them_by_their_labels(unsafe_store: Path) -> None:
    from kg.sparql import literal

    for name in UNSAFE_NAMES.values():
        query = (
            "SELECT ?e WHERE { ?e rdfs:label|skos:altLabel ?l "
            f"FILTER(STR(?l) = {literal(name)}) }}"
        )
        result = kg(unsafe_store, "query", "--format", "csv", query)
        assert result.exit_code == 0, result.stderr
        assert len(result.stdout.strip().splitlines()) >= 2, (name, result.stdout)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig", "jsonld"])
def test_every_rdf_export_of_them_parses_back(unsafe_store: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"x.{fmt}"
    result = kg(unsafe_store, "export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    with closing(open_store(unsafe_store, read_only=True)) as store:
        stored = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()}
    formats = {
        "turtle": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "trig": ox.RdfFormat.TRIG,
        "jsonld": ox.RdfFormat.JSON_LD,
    }
    parsed = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(path=str(out), format=formats[fmt])
    }
    assert parsed == stored
    rdflib_format = {"turtle": "turtle", "nt": "nt", "nquads": "nquads", "trig": "trig"}
    if fmt in rdflib_format:
        graph = rdflib.Dataset() if fmt in ("nquads", "trig") else rdflib.Graph()
        graph.parse(str(out), format=rdflib_format[fmt])


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
def test_network_exports_and_the_page_hold_them_too(
    unsafe_store: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / (f"x.{fmt}" if fmt != "csv" else "csv")
    result = kg(unsafe_store, "export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    written = "".join(p.read_text("utf-8") for p in ([out] if out.is_file() else out.iterdir()))
    assert "A区" in written and "某 某" in written
    page = tmp_path / "page.html"
    assert kg(unsafe_store, "viz", "-o", str(page)).exit_code == 0
    assert '<script>alert("x")</script>' not in page.read_text("utf-8")


def test_kg_validate_and_remove_work_on_them(unsafe_store: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(unsafe_store, copy)
    result = kg(copy, "validate")
    no_traceback(result)
    assert "Traceback" not in result.output
    removed = kg(copy, "remove", 'id <with> "quotes" {and} |^\\` spaces')
    assert removed.exit_code == 0, removed.stderr
    stats = kg(copy, "stats", "--format", "json")
    assert json.loads(stats.stdout)["triples"] == 0


# ---------------------------------------------------------------- other ways in


def test_binary_on_stdin_is_named_as_stdin(tmp_path: Path) -> None:
    result = kg(tmp_path / "s", "build", "--workers", "1", "-", input=bytes(range(256)) * 8)
    no_traceback(result)
    assert result.exit_code == 3
    assert "skipped <stdin>: a binary file" in result.stderr


def test_kg_extract_reports_bad_input_the_same_way(tmp_path: Path) -> None:
    corpus = write_bad_corpus(tmp_path / "in")
    result = CliRunner().invoke(cli, ["extract", "--workers", "1", str(corpus)])
    no_traceback(result)
    assert result.exit_code == 3
    # a reused id is a conflict in the store, so kg build finds it, not kg extract
    assert result.stderr.count("skipped ") == len(EXPECTED_SKIPS) - 1
    titles = {json.loads(line)["title"] for line in result.stdout.splitlines()}
    assert {t.rstrip("\x07") for t in titles} >= GOOD_TITLES - {"J1"}


def test_a_file_given_by_name_with_an_unknown_suffix_is_sniffed(tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (tmp_path / "notes.dat").write_text(f"备注\n{SENTENCE}", "utf-8")
    result = kg(
        tmp_path / "s",
        "build",
        "--workers",
        "1",
        str(tmp_path / "photo.png"),
        str(tmp_path / "notes.dat"),
    )
    assert result.exit_code == 3
    assert "photo.png: a binary file" in result.stderr
    assert "built 1," in result.stdout

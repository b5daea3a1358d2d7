"""What makes builds fast keeps them right: the manifest of unchanged inputs, batched bulk
writes that stay atomic, bounded memory between reading and writing, and parallel extraction
that gives the same store as one process."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kg.build
from kg.build import build
from kg.cli import cli
from kg.manifest import FILENAME
from kg.model import Article, Extraction
from kg.rdf.namespaces import ONTOLOGY, graph_iri
from kg.rdf.store import EmbeddedStore, KgStore, open_store

CITIES = ("绵阳", "东莞", "芜湖", "襄阳", "株洲", "柳州", "洛阳", "宝鸡")


def sentence(n: int, extra: str = "") -> str:
    city = CITIES[n % len(CITIES)]
    return f"{city}高新区大力发展氢能产业，力争2026年产值达到{n + 1}亿元。{extra}"


def jsonl_line(n: int, extra: str = "") -> str:
    item = {
        "id": f"a{n}",
        "title": f"{CITIES[n % len(CITIES)]}高新区动态",
        "text": sentence(n, extra),
    }
    return json.dumps(item, ensure_ascii=False) + "\n"


class Counting:
    """Counts what the build extracts and which files it reads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.extracted: list[str] = []
        self.read: list[str] = []
        self.parsed_lines = 0
        real_extract_many = kg.build.extract_many
        real_read_file = kg.build.read_file
        real_read_jsonl_lines = kg.build.read_jsonl_lines

        def extract_many(articles: Iterable[Article], **options: Any) -> Iterator[Extraction]:
            for extraction in real_extract_many(articles, **options):
                self.extracted.append(extraction.article.id)
                yield extraction

        def read_file(path: Path, **options: Any) -> Any:
            self.read.append(path.name)
            return real_read_file(path, **options)

        def read_jsonl_lines(handle: Iterable[bytes], name: str, **options: Any) -> Any:
            self.read.append(Path(name).name)

            def lines() -> Iterator[bytes]:
                for raw in handle:
                    self.parsed_lines += bool(raw.strip())
                    yield raw

            return real_read_jsonl_lines(lines(), name, **options)

        monkeypatch.setattr(kg.build, "extract_many", extract_many)
        monkeypatch.setattr(kg.build, "read_file", read_file)
        monkeypatch.setattr(kg.build, "read_jsonl_lines", read_jsonl_lines)

    def reset(self) -> None:
        self.extracted.clear()
        self.read.clear()
        self.parsed_lines = 0


def graphs(store: KgStore) -> dict[ox.NamedNode, set[ox.Quad]]:
    return {g: set(store.quads(g)) for g in store.named_graphs()}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KgStore]:
    opened = open_store(tmp_path / "store")
    yield opened
    opened.close()


def test_one_changed_line_of_a_jsonl_file_is_all_that_is_parsed_and_extracted(
    tmp_path: Path, store: KgStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news.jsonl"
    news.write_text("".join(jsonl_line(n) for n in range(5)), encoding="utf-8")
    counting = Counting(monkeypatch)
    first = build([str(news)], store)
    assert (first.built, len(counting.extracted)) == (5, 5)
    assert store.location and Path(store.location, FILENAME).exists()
    before = graphs(store)

    lines = news.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = jsonl_line(2, "新增一句。")
    news.write_text("".join(lines), encoding="utf-8")
    counting.reset()
    second = build([str(news)], store)
    assert (second.built, second.unchanged) == (1, 4)
    assert counting.extracted == ["a2"]
    assert counting.parsed_lines == 1  # the four unchanged lines were hashed, not parsed
    after = graphs(store)
    assert {g for g in after if after[g] != before.get(g)} == {graph_iri("a2")}

    counting.reset()
    third = build([str(news)], store)
    assert (third.built, third.unchanged, counting.read, counting.extracted) == (0, 5, [], [])
    assert graphs(store) == after


def test_a_file_appended_to_while_it_is_read_is_read_again_by_the_next_build(
    tmp_path: Path, store: KgStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news.jsonl"
    news.write_text("".join(jsonl_line(n) for n in range(5)), encoding="utf-8")
    assert build([str(news)], store).built == 5
    lines = news.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = jsonl_line(2, "新增一句。")
    news.write_text("".join(lines), encoding="utf-8")
    size = news.stat().st_size
    real_read_jsonl_lines = kg.build.read_jsonl_lines

    def read_while_a_feed_appends(handle: Iterable[bytes], name: str, **options: Any) -> Any:
        if news.stat().st_size == size:  # once, when the changed line is read
            with news.open("a", encoding="utf-8") as feed:
                feed.write(jsonl_line(5))
        return real_read_jsonl_lines(handle, name, **options)

    with monkeypatch.context() as appending:
        appending.setattr(kg.build, "read_jsonl_lines", read_while_a_feed_appends)
        second = build([str(news)], store)
    assert (second.built, second.unchanged) == (2, 4)  # the changed line and the new one
    assert [str(n) for n in second.notices] == [
        f"{news}: changed while it was read; the next build reads it again"
    ]

    # the next build reads the file again, and knows every line either read saw
    counting = Counting(monkeypatch)
    third = build([str(news)], store)
    assert (third.built, third.unchanged, third.notices) == (0, 6, [])
    assert (counting.parsed_lines, counting.extracted) == (0, [])
    assert build([str(news)], store).unchanged == 6


def test_a_file_read_half_written_costs_the_next_build_no_parsing(
    tmp_path: Path, store: KgStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news.jsonl"
    whole = "".join(jsonl_line(n) for n in range(5))
    news.write_text(whole, encoding="utf-8")
    assert build([str(news)], store).built == 5
    # a build that comes while the file is being saved again sees half of it, the last line cut
    news.write_text(whole[: len(whole) // 2], encoding="utf-8")
    half = build([str(news)], store)
    assert (half.built, len(half.skipped)) == (0, 1)
    news.write_text(whole, encoding="utf-8")
    counting = Counting(monkeypatch)
    after = build([str(news)], store)
    assert (after.built, after.unchanged, after.skipped) == (0, 5, [])
    assert counting.parsed_lines == 0  # every line is one a read before knew


def test_unchanged_text_files_are_not_read_and_a_touched_one_is_not_extracted(
    tmp_path: Path, store: KgStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n in range(3):
        (inputs / f"n{n}.txt").write_text(f"标题{n}\n{sentence(n)}", encoding="utf-8")
    counting = Counting(monkeypatch)
    assert build([str(inputs)], store).built == 3
    before = graphs(store)

    counting.reset()
    again = build([str(inputs)], store)
    assert (again.built, again.unchanged, counting.read) == (0, 3, [])

    touched = inputs / "n1.txt"
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    counting.reset()
    after_touch = build([str(inputs)], store)
    assert (after_touch.built, after_touch.unchanged) == (0, 3)
    assert (counting.read, counting.extracted) == (["n1.txt"], [])
    counting.reset()
    assert build([str(inputs)], store).unchanged == 3 and counting.read == []

    changed = inputs / "n2.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "新增一句。", encoding="utf-8")
    counting.reset()
    third = build([str(inputs)], store)
    assert (third.built, third.unchanged, counting.read) == (1, 2, ["n2.txt"])
    assert len(counting.extracted) == 1
    after = graphs(store)
    # A text file's article id comes from its content: the new version is a new graph, and the
    # old one stays, as when a file is deleted.
    assert set(before) < set(after) and all(after[g] == before[g] for g in before)


def test_a_deleted_file_keeps_its_articles_and_kg_remove_makes_the_next_build_add_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = tmp_path / "store"
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text(jsonl_line(0) + jsonl_line(1), encoding="utf-8")
    two.write_text(jsonl_line(2), encoding="utf-8")
    store = open_store(location)
    try:
        assert build([str(one), str(two)], store).built == 3
        two.unlink()
        report = build([str(one)], store)
        assert (report.built, report.unchanged) == (0, 2)
        assert graph_iri("a2") in store.named_graphs()
    finally:
        store.close()

    result = CliRunner().invoke(cli, ["--store", str(location), "remove", "a1"])
    assert result.exit_code == 0, result.output
    counting = Counting(monkeypatch)
    store = open_store(location)
    try:
        # The manifest still lists a1 as built from one.jsonl, but the store no longer holds
        # it: the store decides, and a1 comes back.
        report = build([str(one)], store)
        assert (report.built, report.unchanged, counting.extracted) == (1, 1, ["a1"])
        assert graph_iri("a1") in store.named_graphs()
    finally:
        store.close()


def test_a_lost_or_broken_manifest_costs_time_not_correctness(
    tmp_path: Path, store: KgStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news.jsonl"
    news.write_text("".join(jsonl_line(n) for n in range(3)), encoding="utf-8")
    build([str(news)], store)
    manifest = Path(store.location) / FILENAME
    manifest.write_bytes(b"not a database at all")
    counting = Counting(monkeypatch)
    report = build([str(news)], store)
    assert (report.built, report.unchanged, counting.extracted) == (0, 3, [])
    counting.reset()
    assert build([str(news)], store).unchanged == 3 and counting.read == []


def test_a_line_with_a_notice_or_a_bad_line_is_reported_on_every_build(
    tmp_path: Path, store: KgStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news.jsonl"
    dated = {"id": "d1", "title": "t", "text": sentence(1), "date": "2023-02-30"}
    news.write_text(
        jsonl_line(0) + json.dumps(dated, ensure_ascii=False) + "\n{broken\n", encoding="utf-8"
    )
    counting = Counting(monkeypatch)
    for _ in range(2):
        report = build([str(news)], store)
        assert [n.where for n in report.notices] == [f"{news}:2"]
        assert [s.where for s in report.skipped] == [f"{news}:3"]
    assert report.unchanged == 2
    # the second build parsed the two lines it reports again, not the good one
    assert counting.parsed_lines == 3 + 2


def test_an_id_given_twice_is_reported_on_every_build(tmp_path: Path, store: KgStore) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text(jsonl_line(0), encoding="utf-8")
    two.write_text(jsonl_line(0, "另一篇。"), encoding="utf-8")
    for _ in range(2):
        report = build([str(one), str(two)], store)
        assert [s.where for s in report.skipped] == [str(two)]
        assert "already given to another article" in report.skipped[0].reason


class FailingQuads(list[ox.Quad]):
    """Quads whose iteration breaks halfway, as a crash while writing would."""

    def __iter__(self) -> Iterator[ox.Quad]:
        for n, quad in enumerate(super().__iter__()):
            if n == len(self) // 2:
                raise OSError("disk gone")
            yield quad


def test_a_batch_that_fails_halfway_leaves_no_article_half_written(store: KgStore) -> None:
    def article_quads(article_id: str, count: int) -> list[ox.Quad]:
        node, graph = ox.NamedNode(f"https://example.org/{article_id}"), graph_iri(article_id)
        return [
            ox.Quad(node, ox.NamedNode(f"{ONTOLOGY}n{i}"), ox.Literal(str(i)), graph)
            for i in range(count)
        ]

    store.replace_graphs([(graph_iri("kept"), article_quads("kept", 10))])
    broken = FailingQuads(article_quads("b", 40))
    with pytest.raises(Exception, match=r"disk gone|write failed"):
        store.replace_graphs([(graph_iri("a"), article_quads("a", 30)), (graph_iri("b"), broken)])
    assert store.named_graphs() == [graph_iri("kept")]
    assert len(list(store.quads())) == 10


@pytest.mark.slow
def test_a_parallel_build_equals_the_serial_build_and_reads_only_as_workers_take(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news.jsonl"
    count = kg.build.SMALL_BUILD + 8 * kg.build.CHUNK  # enough to start the worker processes
    news.write_text("".join(jsonl_line(n) for n in range(count)), encoding="utf-8")
    read, received, ahead = [0], [0], []
    real_articles, real_mapped = kg.build._Reader.articles, kg.build._mapped_locally

    def reading(self: Any, inputs: Any) -> Iterator[Article]:
        for article in real_articles(self, inputs):
            read[0] += 1
            ahead.append(read[0] - received[0])
            yield article

    def receiving(*args: Any) -> Iterator[Any]:
        for mapped in real_mapped(*args):
            received[0] += 1
            yield mapped

    monkeypatch.setattr(kg.build._Reader, "articles", reading)
    monkeypatch.setattr(kg.build, "_mapped_locally", receiving)
    serial = EmbeddedStore(tmp_path / "serial")
    parallel = EmbeddedStore(tmp_path / "parallel")
    try:
        assert build([str(news)], serial, workers=1).built == count
        ahead.clear()
        read[0] = received[0] = 0
        assert build([str(news)], parallel, workers=2).built == count
        assert {str(q) for q in parallel.quads()} == {str(q) for q in serial.quads()}
    finally:
        serial.close()
        parallel.close()
    # Read ahead of the workers: the articles that decide on processes, then two chunks a worker.
    assert max(ahead) <= kg.build.SMALL_BUILD + 2 * 2 * kg.build.CHUNK


@pytest.mark.parametrize("blank", [False, True], ids=["literals", "with a blank node"])
def test_the_bulk_write_stores_exactly_the_quads_given(store: KgStore, blank: bool) -> None:
    graph = graph_iri("tricky")
    node = ox.NamedNode("https://example.org/x%20y/包头")
    objects: list[ox.NamedNode | ox.BlankNode | ox.Literal] = [
        ox.Literal('一行\n两行\t"引号" \\ 反斜杠'),
        ox.Literal("稀土", language="zh"),
        ox.Literal("12.50", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        ox.Literal("2024-02-29", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        ox.Literal("\U0001f680 𠀀"),
        ox.NamedNode("urn:x-kg:other"),
    ]
    if blank:
        objects.append(ox.BlankNode("b1"))
    quads = [
        ox.Quad(node, ox.NamedNode(f"{ONTOLOGY}p{i}"), obj, graph) for i, obj in enumerate(objects)
    ]
    store.replace_graphs([(graph, quads)])
    in_one_transaction = ox.Store()  # canonical forms (12.50 -> 12.5) as any write makes them
    in_one_transaction.extend(quads)
    assert set(store.quads(graph)) == set(in_one_transaction)


def test_a_store_that_fails_to_write_fails_the_build(tmp_path: Path, store: KgStore) -> None:
    class Failing:
        def __init__(self, inner: KgStore) -> None:
            self.inner = inner
            self.location = inner.location

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def replace_graphs(self, batch: Any) -> None:
            from kg.errors import StoreError

            raise StoreError(f"{self.location}: the disk is full; free space and run again")

    news = tmp_path / "news.jsonl"
    news.write_text("".join(jsonl_line(n) for n in range(3)), encoding="utf-8")
    with pytest.raises(Exception, match="the disk is full"):
        build([str(news)], Failing(store))  # type: ignore[arg-type]
    assert store.named_graphs() == []
    # nothing was recorded as built: the next build reads the file again and writes it
    assert build([str(news)], store).built == 3


def test_the_fingerprint_is_that_of_the_article_as_read_not_as_a_worker_returned_it(
    tmp_path: Path, store: KgStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news.jsonl"
    news.write_text("".join(jsonl_line(n) for n in range(3)), encoding="utf-8")
    real_extract_many = kg.build.extract_many

    def altering(articles: Iterable[Article], **options: Any) -> Iterator[Extraction]:
        for extraction in real_extract_many(articles, **options):
            altered = dataclasses.replace(extraction.article, text=extraction.article.text + " ")
            yield dataclasses.replace(extraction, article=altered)

    monkeypatch.setattr(kg.build, "extract_many", altering)
    assert build([str(news)], store).built == 3
    (tmp_path / "news.jsonl").touch()  # read again: the fingerprints decide
    again = build([str(news)], store)
    assert (again.built, again.unchanged) == (0, 3)


def test_a_fingerprint_is_short_enough_to_live_in_the_index_and_names_its_article() -> None:
    one = Article(id="a1", title="标题", text=sentence(1))
    fingerprints = {
        kg.build.fingerprint(one),
        kg.build.fingerprint(dataclasses.replace(one, id="a2")),
        kg.build.fingerprint(dataclasses.replace(one, text=sentence(2))),
        kg.build.fingerprint(dataclasses.replace(one, date="2024-01-01")),
    }
    assert len(fingerprints) == 4
    # Oxigraph stores strings of at most 15 bytes inside its index keys
    assert all(len(fp.encode()) <= 15 and " " not in fp for fp in fingerprints)


def test_a_store_written_by_another_version_of_the_rdf_model_is_rewritten_by_the_next_build(
    tmp_path: Path, store: KgStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news.jsonl"
    news.write_text("".join(jsonl_line(n) for n in range(3)), encoding="utf-8")
    assert build([str(news)], store).built == 3
    assert build([str(news)], store).unchanged == 3
    # the same articles and extractor, a model written differently: nothing may be kept
    monkeypatch.setattr(kg.build, "MAPPING_VERSION", kg.build.MAPPING_VERSION + "-next")
    counting = Counting(monkeypatch)
    report = build([str(news)], store)
    assert (report.built, report.unchanged, sorted(counting.extracted)) == (
        3,
        0,
        ["a0", "a1", "a2"],
    )
    assert len(store.named_graphs()) == 3

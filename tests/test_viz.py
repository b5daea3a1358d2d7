"""kg.viz and `kg viz` without a browser: the page is self-contained, declares UTF-8, carries
the whole graph, escapes article text, and switches to a precomputed layout for large graphs.
(tests/test_viz_browser.py opens the pages in Chromium.)"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kg import analysis, viz
from kg.cli import cli
from kg.model import ENTITY_TYPES, PREDICATES
from tests.synthetic_graph import EVIL_NAME, EVIL_SENTENCE


@pytest.fixture(scope="session")
def store_path(synthetic_store: Path) -> Path:
    return synthetic_store


@pytest.fixture(scope="session")
def graph(synthetic_graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    return synthetic_graph


@pytest.fixture(scope="session")
def page(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("viz-page") / "page.html"
    result = CliRunner().invoke(cli, ["--store", str(store_path), "viz", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout
    return out


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def parse(path: Path) -> _Tags:
    tags = _Tags()
    tags.feed(path.read_text(encoding="utf-8"))
    return tags


def page_json(path: Path) -> dict:
    for attrs, text in parse(path).scripts:
        if attrs.get("id") == "kg-data":
            return json.loads(text)
    raise AssertionError("no kg-data block")


def test_page_loads_nothing_from_anywhere(page: Path) -> None:
    tags = parse(page)
    for tag, attrs in tags.tags:
        assert "src" not in attrs, tag
        assert "href" not in attrs, tag
        assert tag not in ("link", "iframe", "object", "embed", "img"), tag
    csp = next(
        a["content"] for t, a in tags.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert "default-src 'none'" in csp
    # each inline script is allowed by its hash, and nothing else may run
    hashes = set(re.findall(r"'sha256-([^']+)'", csp))
    code = [text for attrs, text in tags.scripts if attrs.get("type") != "application/json"]
    assert len(code) == 2 and "vis.Network" in code[1]
    for text in code:
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert digest in hashes
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_page_declares_utf8_first_and_is_utf8(page: Path) -> None:
    raw = page.read_bytes()
    head = raw[:1024].decode("ascii", "replace").lower()
    assert '<meta charset="utf-8">' in head
    assert head.index('<meta charset="utf-8">') < head.index("<title>")
    text = raw.decode("utf-8")  # raises if not UTF-8
    assert "云溪高新技术产业开发区" in text  # Chinese as characters, readable in the file


def test_page_carries_every_node_and_edge(page: Path, graph: nx.MultiDiGraph) -> None:
    data = page_json(page)
    assert len(data["nodes"]) == graph.number_of_nodes()
    assert len(data["edges"]) == graph.number_of_edges()
    iri_of = {n["id"]: n["iri"] for n in data["nodes"]}
    assert set(iri_of.values()) == set(graph.nodes)
    assert {(iri_of[e["from"]], e["predicate"], iri_of[e["to"]]) for e in data["edges"]} == {
        (u, k, v) for u, v, k in graph.edges(keys=True)
    }
    labels = {p: s.label_zh for p, s in viz.predicate_styles().items()}
    for edge in data["edges"]:
        assert edge["label"] == labels[edge["predicate"]]
        source = graph.edges[iri_of[edge["from"]], iri_of[edge["to"]], edge["predicate"]]
        assert [e["sentence"] for e in edge["evidence"]] == [
            e["sentence"] for e in source["evidence"]
        ]
    for node in data["nodes"]:
        attrs = graph.nodes[node["iri"]]
        assert (node["label"], node["kgType"], node["aliases"], node["articles"]) == (
            attrs["label"],
            attrs["type"],
            attrs["aliases"],
            attrs["articles"],
        )
        assert {"degree", "pagerank", "betweenness", "community"} <= set(node)


def test_size_follows_pagerank(page: Path, graph: nx.MultiDiGraph) -> None:
    for nodes, key in (
        (page_json(page)["nodes"], "value"),  # vis scales node and label from it
        (viz.page_data(graph, large_threshold=5)["nodes"], "size"),
    ):
        by_rank = sorted(nodes, key=lambda n: n["pagerank"])
        assert [n[key] for n in by_rank] == sorted(n[key] for n in nodes)
        assert by_rank[-1][key] > by_rank[0][key]


def test_styles_cover_every_type_and_predicate_in_chinese() -> None:
    types, predicates = viz.type_styles(), viz.predicate_styles()
    assert set(types) == set(ENTITY_TYPES)
    assert set(predicates) == set(PREDICATES) | set(analysis.GAZETTEER_PREDICATES)
    assert len({(s.colour, s.shape) for s in types.values()}) == len(types)
    for style in [*types.values(), *predicates.values()]:
        assert re.fullmatch(r"#[0-9a-f]{6}", style.colour)
        assert re.search(r"[\u4e00-\u9fff]", style.label_zh)
    assert predicates["developsIndustry"].label_zh == "发展产业"
    assert predicates["hostsProgramme"].label_zh == "举办"
    assert predicates["adoptsTalentPolicy"].label_zh == "采用人才政策"


def test_article_text_cannot_open_a_tag(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in text
    assert "<img src=x" not in text
    data = page_json(page)
    assert EVIL_NAME in [n["label"] for n in data["nodes"]]
    assert EVIL_SENTENCE in [e["sentence"] for edge in data["edges"] for e in edge["evidence"]]


@given(st.text())
def test_json_for_script_round_trips_and_never_closes_the_script(text: str) -> None:
    encoded = viz.json_for_script({"s": text})
    assert json.loads(encoded) == {"s": text}
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert "\u2028" not in encoded and "\u2029" not in encoded


def test_title_is_escaped(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.html"
    title = '<b onmouseover="x()">园区</b>'
    result = CliRunner().invoke(
        cli, ["--store", str(store_path), "viz", "-o", str(out), "--title", title]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<title>&lt;b onmouseover=&quot;x()&quot;&gt;园区&lt;/b&gt;</title>" in text
    assert "<b " not in text


def test_small_graphs_use_physics_large_ones_a_layout(graph: nx.MultiDiGraph) -> None:
    small = viz.page_data(graph)
    assert not small["large"] and small["options"]["physics"]["enabled"]
    assert all("x" not in n for n in small["nodes"])
    large = viz.page_data(graph, large_threshold=5)
    assert large["large"] and large["options"]["physics"] == {"enabled": False}
    assert large["options"]["edges"]["smooth"] is False
    points = [(n["x"], n["y"]) for n in large["nodes"]]
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in points)
    assert len(set(points)) == len(points)
    # labels appear only when zoomed in
    assert large["options"]["nodes"]["scaling"]["label"]["drawThreshold"] > 5


def test_community_layout_keeps_communities_apart(graph: nx.MultiDiGraph) -> None:
    groups = analysis.communities(graph)
    positions = viz.community_layout(graph, groups=groups)
    assert set(positions) == set(graph.nodes)

    def disc(group: list[str]) -> tuple[float, float, float]:
        xs = [positions[n][0] for n in group]
        ys = [positions[n][1] for n in group]
        return (
            (min(xs) + max(xs)) / 2,
            (min(ys) + max(ys)) / 2,
            max(max(xs) - min(xs), max(ys) - min(ys)) / 2,
        )

    discs = [disc(g) for g in groups]
    for i, (x1, y1, r1) in enumerate(discs):
        for x2, y2, r2 in discs[i + 1 :]:
            assert math.hypot(x1 - x2, y1 - y2) >= (r1 + r2) / math.sqrt(2) - 1


def test_empty_graph_writes_an_empty_page(tmp_path: Path) -> None:
    info = viz.write_page(nx.MultiDiGraph(), tmp_path / "empty.html")
    assert (info.nodes, info.edges) == (0, 0)
    assert page_json(info.path)["nodes"] == []


def test_unwritable_output_is_one_line_error(store_path: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--store", str(store_path), "viz", "-o", str(blocker / "page.html")]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "cannot write" in result.stderr
    assert "Traceback" not in result.stderr


def test_large_pages_embed_fewer_sentences_and_say_how_many_more(graph: nx.MultiDiGraph) -> None:
    many = graph.copy()
    u, v, k = next(iter(many.edges(keys=True)))
    one = many.edges[u, v, k]["evidence"][0]
    many.edges[u, v, k]["evidence"] = [dict(one, sentence=f"第{i}句。") for i in range(12)]
    for threshold, cap in ((1000, viz.MAX_EVIDENCE), (5, viz.MAX_EVIDENCE_LARGE)):
        data = viz.page_data(many, large_threshold=threshold)
        iri_of = {n["id"]: n["iri"] for n in data["nodes"]}
        edge = next(
            e
            for e in data["edges"]
            if (iri_of[e["from"]], iri_of[e["to"]], e["predicate"]) == (u, v, k)
        )
        assert len(edge["evidence"]) == min(12, cap)
        assert edge["moreEvidence"] == 12 - min(12, cap)

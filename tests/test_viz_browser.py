"""Pages that `kg viz` wrote, opened in Debian's Chromium (headless, network blocked).

Checks what a planner relies on: the page draws offline with no console error, holds every node
and edge, shows an edge's evidence sentence on hover, filters by type and relation, finds an
entity by alias and highlights its neighbours, and runs nothing that an article smuggled in.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from kg import analysis
from kg.cli import cli
from kg.rdf.store import open_store
from tests.conftest import load_gold
from tests.synthetic_graph import EVIL_NAME, EVIL_SENTENCE, Z1

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parent.parent


def chromium_path() -> str:
    for candidate in (CHROMIUM, shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("no Chromium installed (make browser installs Debian's chromium with apt-get)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def store_path(synthetic_store: Path) -> Path:
    return synthetic_store


@pytest.fixture(scope="session")
def graph(synthetic_graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    return synthetic_graph


def write_with_cli(store: Path, out: Path, *extra: str) -> Path:
    result = CliRunner().invoke(cli, ["--store", str(store), "viz", "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def page_file(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_with_cli(store_path, tmp_path_factory.mktemp("pages") / "small.html")


@pytest.fixture(scope="session")
def large_page_file(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_with_cli(
        store_path, tmp_path_factory.mktemp("pages") / "large.html", "--large", "5"
    )


class Opened:
    """A page opened from a file, with what it logged and tried to fetch."""

    def __init__(self, browser: Any, path: Path, *, bypass_csp: bool = False) -> None:
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 900}, bypass_csp=bypass_csp
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-kg-ready]", state="attached", timeout=60_000)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def eval(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def node_id(self, iri: str) -> int:
        return int(self.eval("(iri) => kg.nodes.get({filter: n => n.iri === iri})[0].id", iri))

    def dom_point(self, canvas_xy: dict[str, float]) -> tuple[float, float]:
        dom = self.eval("(p) => kg.network.canvasToDOM(p)", canvas_xy)
        box = self.page.locator("#kg-network").bounding_box()
        return box["x"] + dom["x"], box["y"] + dom["y"]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def opened(browser: Any, page_file: Path) -> Iterator[Opened]:
    page = Opened(browser, page_file)
    yield page
    page.close()


def test_page_draws_offline_without_errors(opened: Opened) -> None:
    assert opened.eval("kg.ready") is True
    assert opened.errors == []
    assert opened.requests == []
    assert opened.eval("document.characterSet") == "UTF-8"
    assert opened.page.locator("#kg-title").inner_text() == "kg 知识图谱"


def test_data_sets_hold_every_node_and_edge(opened: Opened, graph: nx.MultiDiGraph) -> None:
    counts = opened.eval(
        "[kg.nodes.length, kg.edges.length, kg.network.body.nodeIndices.length,"
        " kg.network.body.edgeIndices.length]"
    )
    assert counts == [graph.number_of_nodes(), graph.number_of_edges()] * 2
    iris = opened.eval("kg.nodes.get().map(n => n.iri)")
    assert sorted(iris) == sorted(graph.nodes)


def test_hovering_an_edge_shows_its_evidence(opened: Opened, graph: nx.MultiDiGraph) -> None:
    # the longest edge, and a point near its middle where vis finds that edge (and no node):
    # edges are curved, so the middle of the straight line may miss it
    edge = opened.eval(
        """() => {
          const net = kg.network, pos = net.getPositions();
          let best = null, length = -1;
          kg.edges.forEach(e => {
            const a = pos[e.from], b = pos[e.to];
            const d = Math.hypot(a.x - b.x, a.y - b.y);
            if (e.evidence.length && d > length) { best = e; length = d; }
          });
          const a = net.canvasToDOM(pos[best.from]), b = net.canvasToDOM(pos[best.to]);
          const mid = {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2};
          let point = null;
          for (let r = 0; r <= 40 && point === null; r += 2) {
            for (let k = 0; k < 16 && point === null; k++) {
              const p = {x: mid.x + r * Math.cos(k * Math.PI / 8),
                         y: mid.y + r * Math.sin(k * Math.PI / 8)};
              if (net.getNodeAt(p) === undefined && net.getEdgeAt(p) === best.id) { point = p; }
            }
          }
          return {id: best.id, point: point, sentence: best.evidence[0].sentence,
                  title: best.evidence[0].title, date: best.evidence[0].date};
        }"""
    )
    assert edge["point"] is not None, "no point on the edge clear of nodes"
    box = opened.page.locator("#kg-network").bounding_box()
    x, y = box["x"] + edge["point"]["x"], box["y"] + edge["point"]["y"]
    opened.page.mouse.move(x - 40, y - 40)
    opened.page.mouse.move(x, y, steps=5)
    tooltip = opened.page.locator("#kg-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    text = tooltip.inner_text()
    assert edge["sentence"] in text
    assert edge["title"] in text
    if edge["date"]:
        assert edge["date"] in text


def test_hovering_a_node_shows_type_aliases_and_measures(opened: Opened) -> None:
    zone = opened.node_id(analysis_iri(Z1))
    x, y = opened.dom_point(opened.eval("(id) => kg.network.getPositions([id])[id]", zone))
    opened.page.mouse.move(x + 30, y + 30)
    opened.page.mouse.move(x, y, steps=5)
    tooltip = opened.page.locator("#kg-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    text = tooltip.inner_text()
    for expected in (Z1, "园区 Zone", "云溪高新区", "PageRank", "文章 articles"):
        assert expected in text


def analysis_iri(name: str) -> str:
    from tests.synthetic_graph import entity_iri

    return entity_iri(name).value


def test_clicking_an_edge_lists_all_its_sentences_with_links(opened: Opened) -> None:
    edge = opened.eval("kg.edges.get().find(e => e.evidence.length > 1)")
    opened.eval("(id) => kg.showEdge(id)", edge["id"])
    details = opened.page.locator("#kg-details-body")
    for item in edge["evidence"]:
        assert item["sentence"] in details.inner_text()
    hrefs = details.locator("a").evaluate_all("as => as.map(a => a.href)")
    assert hrefs and all(h.startswith("https://") for h in hrefs)


def test_type_filter_hides_a_type(opened: Opened, graph: nx.MultiDiGraph) -> None:
    industries = sum(1 for _n, d in graph.nodes(data=True) if d["type"] == "Industry")
    assert industries > 0
    opened.page.locator('label[data-type="Industry"] input').uncheck()
    shown = opened.eval(
        "[kg.nodeView.get().filter(n => n.kgType === 'Industry').length,"
        " kg.network.body.nodeIndices.length]"
    )
    assert shown == [0, graph.number_of_nodes() - industries]
    assert (
        f"{graph.number_of_nodes() - industries} / "
        in opened.page.locator("#kg-counts").inner_text()
    )
    opened.page.locator('label[data-type="Industry"] input').check()
    assert opened.eval("kg.network.body.nodeIndices.length") == graph.number_of_nodes()
    assert opened.errors == []


def test_relation_filter_hides_a_predicate(opened: Opened, graph: nx.MultiDiGraph) -> None:
    develops = sum(1 for _u, _v, k in graph.edges(keys=True) if k == "developsIndustry")
    opened.page.locator('label[data-predicate="developsIndustry"] input').uncheck()
    drawn = opened.eval("kg.network.body.edgeIndices.length")
    assert drawn == graph.number_of_edges() - develops


def test_search_by_alias_selects_and_highlights_the_neighbourhood(
    opened: Opened, graph: nx.MultiDiGraph
) -> None:
    zone = analysis_iri(Z1)
    opened.page.locator('label[data-type="Zone"] input').uncheck()  # search brings it back
    opened.page.locator("#kg-search").fill("云溪高新区")
    opened.page.locator("#kg-search").press("Enter")
    zone_id = opened.node_id(zone)
    assert opened.eval("kg.network.getSelectedNodes()") == [zone_id]
    assert opened.eval("(id) => kg.nodeView.get(id) !== null", zone_id)
    neighbourhood = set(graph.successors(zone)) | set(graph.predecessors(zone)) | {zone}
    kept = opened.eval("kg.highlighted().map(id => kg.nodes.get(id).iri)")
    assert set(kept) == neighbourhood
    assert Z1 in opened.page.locator("#kg-details-body").inner_text()
    opened.page.locator("#kg-search").fill("没有这个名字")
    opened.page.locator("#kg-search").press("Enter")
    assert "未找到" in opened.page.locator("#kg-search-message").inner_text()


PIXEL = """(id) => {
  const p = kg.network.canvasToDOM(kg.network.getPositions([id])[id]);
  const canvas = document.querySelector("#kg-network canvas");
  const r = window.devicePixelRatio || 1;
  const d = canvas.getContext("2d").getImageData(Math.round(p.x * r), Math.round(p.y * r), 1, 1);
  return Math.max(d.data[0], d.data[1], d.data[2]) - Math.min(d.data[0], d.data[1], d.data[2]);
}"""


def test_selection_veils_everything_but_the_neighbourhood(
    opened: Opened, graph: nx.MultiDiGraph
) -> None:
    zone = analysis_iri(Z1)
    neighbourhood = set(graph.successors(zone)) | set(graph.predecessors(zone)) | {zone}
    # a node far from the zone, so that nothing of the neighbourhood is drawn over it
    far = opened.eval(
        """(ids) => {
          const pos = kg.network.getPositions();
          const zone = ids[0], keep = new Set(ids);
          let best = null, d = -1;
          kg.nodes.forEach(n => {
            const e = Math.hypot(pos[n.id].x - pos[zone].x, pos[n.id].y - pos[zone].y);
            if (!keep.has(n.id) && e > d) { best = n.id; d = e; }
          });
          return best;
        }""",
        [opened.node_id(zone)] + [opened.node_id(n) for n in neighbourhood - {zone}],
    )
    near = opened.node_id(zone)
    before = (opened.eval(PIXEL, far), opened.eval(PIXEL, near))
    opened.eval(
        """async (id) => {
          const drawn = new Promise(done => kg.network.once("afterDrawing", done));
          kg.selectNode(id);
          await drawn;
        }""",
        near,
    )
    after = (opened.eval(PIXEL, far), opened.eval(PIXEL, near))
    assert before[0] > 60 and after[0] < before[0] / 3  # washed out
    assert after[1] > 60  # the zone keeps its colour
    # a click on empty canvas (a corner with no node or edge) lifts the veil
    assert opened.eval(
        "kg.network.getNodeAt({x: 4, y: 4}) === undefined"
        " && kg.network.getEdgeAt({x: 4, y: 4}) === undefined"
    )
    box = opened.page.locator("#kg-network").bounding_box()
    opened.eval("() => { window.drawn = new Promise(d => kg.network.once('afterDrawing', d)); }")
    opened.page.mouse.click(box["x"] + 4, box["y"] + 4)
    opened.eval("() => window.drawn")
    assert opened.eval("kg.highlighted()") == []
    assert opened.eval(PIXEL, far) == before[0]


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_markup_from_articles_runs_nothing(browser: Any, page_file: Path, bypass_csp: bool) -> None:
    opened = Opened(browser, page_file, bypass_csp=bypass_csp)
    try:
        evil = opened.eval("(l) => kg.nodes.get({filter: n => n.label === l})[0].id", EVIL_NAME)
        x, y = opened.dom_point(opened.eval("(id) => kg.network.getPositions([id])[id]", evil))
        opened.page.mouse.move(x + 30, y + 30)
        opened.page.mouse.move(x, y, steps=5)
        opened.page.locator("#kg-tooltip").wait_for(state="visible", timeout=5000)
        assert EVIL_NAME in opened.page.locator("#kg-tooltip").inner_text()
        opened.eval("(id) => kg.selectNode(id)", evil)
        edge = opened.eval(
            "(s) => kg.edges.get().find(e => e.evidence.some(x => x.sentence === s)).id",
            EVIL_SENTENCE,
        )
        opened.eval("(id) => kg.showEdge(id)", edge)
        details = opened.page.locator("#kg-details-body").inner_text()
        assert EVIL_SENTENCE in details
        assert opened.eval("window.__pwned") is None
        assert opened.eval("document.querySelectorAll('img, #kg-details-body script').length") == 0
        # the javascript: URL of one article is never made a link
        hrefs = opened.eval("[...document.querySelectorAll('a')].map(a => a.href)")
        assert not [h for h in hrefs if not h.startswith("https://")]
        assert opened.errors == []
    finally:
        opened.close()


def test_large_page_draws_the_precomputed_layout(browser: Any, large_page_file: Path) -> None:
    opened = Opened(browser, large_page_file)
    try:
        assert opened.errors == [] and opened.requests == []
        assert opened.eval("kg.network.physics.physicsEnabled") is False
        moved = opened.eval(
            """() => {
              const pos = kg.network.getPositions();  // rounded to whole pixels
              return kg.nodes.get().filter(
                n => Math.abs(pos[n.id].x - n.x) > 1 || Math.abs(pos[n.id].y - n.y) > 1
              ).length;
            }"""
        )
        assert moved == 0
    finally:
        opened.close()


@pytest.fixture(scope="session")
def examples_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("examples") / "store"
    result = CliRunner().invoke(
        cli, ["--store", str(path), "build", str(REPO / "examples" / "articles"), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    return path


def test_demo_page_of_the_examples(browser: Any, examples_store: Path, tmp_path: Path) -> None:
    store = open_store(examples_store, read_only=True)
    try:
        graph = analysis.project_graph(store)
    finally:
        store.close()
    assert graph.number_of_edges() > 0
    opened = Opened(browser, write_with_cli(examples_store, tmp_path / "demo.html"))
    try:
        assert opened.errors == [] and opened.requests == []
        assert opened.eval("[kg.nodes.length, kg.edges.length]") == [
            graph.number_of_nodes(),
            graph.number_of_edges(),
        ]
        programme = next(d["label"] for _n, d in graph.nodes(data=True) if d["type"] == "Programme")
        opened.page.locator("#kg-search").fill(programme)
        opened.page.locator("#kg-search").press("Enter")
        assert programme in opened.page.locator("#kg-details-body").inner_text()
    finally:
        opened.close()


def test_seed_page_shows_chunhui_cup_hosted_by_the_zone(
    browser: Any, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The issue's acceptance check: `kg viz` of the seed article shows 春晖杯 hosted by 稀土高新区
    (names from the seed's gold file)."""
    gold = next(
        r
        for article in load_gold("seed.jsonl")
        for r in article["relations"]
        if r["predicate"] == "hostsProgramme" and r["object"] == "春晖杯"
    )
    store = tmp_path_factory.mktemp("seed") / "store"
    result = CliRunner().invoke(
        cli, ["--store", str(store), "build", str(corpus / "seed"), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    opened = Opened(browser, write_with_cli(store, store.parent / "seed.html"))
    try:
        assert opened.errors == [] and opened.requests == []
        found = opened.eval(
            """([host, programme]) => {
              const p = kg.findNode(programme), h = kg.findNode(host);
              const edge = kg.edges.get().find(
                e => e.from === h && e.to === p && e.predicate === "hostsProgramme");
              if (!edge) { return null; }
              kg.selectNode(p);
              kg.showEdge(edge.id);
              return {label: edge.label, host: kg.nodes.get(h).label};
            }""",
            [gold["subject"], gold["object"]],
        )
        assert found is not None, f"no edge {gold['subject']} hostsProgramme {gold['object']}"
        assert found["label"] == "举办"
        details = opened.page.locator("#kg-details-body").inner_text()
        assert found["host"] in details and "举办" in details and gold["object"] in details
    finally:
        opened.close()

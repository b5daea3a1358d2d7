"""Viz: a networkx graph from `kg.analysis` in; one self-contained, interactive HTML page out.

pyvis builds the vis-network nodes, edges and options; the page itself comes from kg's own
template (`viz_template/page.html`), because pyvis 0.3.2's templates load scripts from
`../node_modules` and Bootstrap from a CDN even "in line", its filter menu can blank the graph,
and it writes without a UTF-8 declaration. The page inlines vis-network's JavaScript and CSS from
the pyvis package, declares UTF-8, forbids every network request with a Content-Security-Policy,
and carries the graph as JSON that its script turns into DOM text (never into HTML), so a name
or sentence holding `<script>` shows as text.

Graphs above `LARGE_GRAPH` nodes get a layout computed here (communities packed side by side,
each laid out by networkx' spring layout) and no physics in the browser, so they draw at once.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg.analysis import NodeMeasures, communities, compute_measures, undirected_weighted
from kg.errors import InputError

LARGE_GRAPH = 500
# Sentences embedded per edge (fewer on large graphs, whose pages grow with them); the page says
# how many more there are, and `kg analyze path` or `kg export` give them all.
MAX_EVIDENCE = 20
MAX_EVIDENCE_LARGE = 5
MIN_SIZE, MAX_SIZE = 12, 40  # node sizes in pixels at zoom 1
SEED = 42
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
VIS_VERSION = "vis-9.1.2"


@dataclass(frozen=True)
class TypeStyle:
    type: str
    label_zh: str
    colour: str
    shape: str


@dataclass(frozen=True)
class PredicateStyle:
    predicate: str
    label_zh: str
    colour: str


def _template_text(name: str) -> str:
    return (resources.files("kg") / "viz_template" / name).read_text(encoding="utf-8")


@cache
def type_styles() -> dict[str, TypeStyle]:
    """Colour, shape and Chinese name of each entity type (viz_template/types.csv)."""
    rows = csv.DictReader(_template_text("types.csv").splitlines())
    return {r["type"]: TypeStyle(r["type"], r["label_zh"], r["colour"], r["shape"]) for r in rows}


@cache
def predicate_styles() -> dict[str, PredicateStyle]:
    """Chinese label and colour of each predicate (viz_template/predicates.csv)."""
    rows = csv.DictReader(_template_text("predicates.csv").splitlines())
    return {
        r["predicate"]: PredicateStyle(r["predicate"], r["label_zh"], r["colour"]) for r in rows
    }


def _unknown_type(name: str) -> TypeStyle:
    return TypeStyle(name, name, "#aaaaaa", "dot")


@cache
def _vis_assets() -> tuple[str, str]:
    """vis-network's JavaScript and CSS as shipped inside the pyvis package."""
    lib = resources.files("pyvis") / "templates" / "lib" / VIS_VERSION
    try:
        js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
        css = (lib / "vis-network.css").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"pyvis has no {VIS_VERSION}/vis-network.min.js; "
            "reinstall it: pip install 'pyvis>=0.3.2,<0.4'"
        ) from None
    return js, css


# ---------------------------------------------------------------- layout


def community_layout(
    graph: nx.MultiDiGraph,
    *,
    groups: list[list[str]] | None = None,
    seed: int = SEED,
    spacing: float = 60.0,
) -> dict[str, tuple[float, float]]:
    """Positions in pixels: each community laid out on its own, the communities packed in rows.

    networkx' spring layout of the whole graph takes about a minute for 5,000 nodes here; laid
    out community by community (each under 500 nodes uses the fast dense solver) it takes
    seconds, and the clusters a planner looks for come out apart.
    """
    simple = undirected_weighted(graph)
    if groups is None:
        groups = communities(graph, seed=seed)
    groups = sorted(groups, key=len, reverse=True)
    discs: list[tuple[float, dict[str, tuple[float, float]]]] = []
    for group in groups:
        local = _group_layout(simple.subgraph(group), seed=seed)
        radius = spacing * math.sqrt(len(group)) * 0.8 + spacing / 2
        discs.append((radius, {n: (x * radius, y * radius) for n, (x, y) in local.items()}))
    total_area = sum((2 * r) ** 2 for r, _ in discs)
    row_width = max(math.sqrt(total_area) * 1.3, max((2 * r for r, _ in discs), default=0))
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for radius, local in discs:  # largest first
        if x > 0 and x + 2 * radius > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + radius, y + radius
        for node, (px, py) in local.items():
            positions[node] = (round(cx + px, 1), round(cy + py, 1))
        x += 2 * radius
        row_height = max(row_height, 2 * radius)
    return positions


def _group_layout(sub: nx.Graph, *, seed: int) -> dict[str, tuple[float, float]]:
    """Positions in [-1, 1] for one community."""
    nodes = sorted(sub.nodes)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    if len(nodes) == 2:
        return {nodes[0]: (-0.5, 0.0), nodes[1]: (0.5, 0.0)}
    ordered = nx.Graph()
    ordered.add_nodes_from(nodes)
    ordered.add_edges_from(sorted(sub.edges(data=True)))
    if len(nodes) < LARGE_GRAPH:
        pos = nx.spring_layout(ordered, iterations=30, seed=seed, weight=None)
    else:
        # one dense community too big for the dense solver: fewer iterations of the sparse one
        pos = nx.spring_layout(ordered, iterations=15, seed=seed, weight=None, method="force")
    return {n: (float(p[0]), float(p[1])) for n, p in pos.items()}


# ---------------------------------------------------------------- page data


def _importance(pagerank: float, top: float) -> float:
    """0..1 from PageRank; node (and on small graphs label) sizes grow linearly with it, so the
    square root keeps the hubs from dwarfing everything else. (A per-node font would cost vis a
    deep merge of options per node: a second on 5,000 nodes.)"""
    return round(math.sqrt(pagerank / top), 4) if top > 0 else 0.5


def _edge_width(articles: int) -> float:
    return round(1 + min(4.0, math.log2(max(1, articles))), 2)


def _options(large: bool) -> dict[str, Any]:
    options: dict[str, Any] = {
        "autoResize": True,
        "nodes": {
            "font": {
                "face": FONT,
                "size": 14,
                "color": "#222222",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "borderWidth": 1,
            # small graphs: node and label size from `value`; large graphs: `size` only, since
            # value scaling costs the browser half a second more on 5,000 nodes and labels
            # stay hidden until zoomed in anyway
            "scaling": {"label": {"drawThreshold": 9}}
            if large
            else {
                "min": MIN_SIZE,
                "max": MAX_SIZE,
                "label": {"enabled": True, "min": 12, "max": 26, "maxVisible": 30},
            },
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "font": {
                "face": FONT,
                "size": 11,
                "color": "#555555",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
                "align": "middle",
            },
            "smooth": False if large else {"enabled": True, "type": "continuous"},
            "scaling": {"label": {"drawThreshold": 9 if large else 5}},
            "selectionWidth": 2,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "navigationButtons": False,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "multiselect": False,
        },
        "layout": {"improvedLayout": False, "randomSeed": SEED},
    }
    if large:
        options["physics"] = {"enabled": False}
    else:
        options["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "centralGravity": 0.02,
                "springLength": 90,
                "avoidOverlap": 0.3,
            },
            "stabilization": {"enabled": True, "iterations": 300, "fit": True},
        }
    return options


def page_data(
    graph: nx.MultiDiGraph,
    *,
    title: str = "kg",
    measures: Mapping[str, NodeMeasures] | None = None,
    large_threshold: int = LARGE_GRAPH,
    seed: int = SEED,
) -> dict[str, Any]:
    """What the page's script reads: vis-network nodes, edges and options, built with pyvis."""
    from pyvis.edge import Edge
    from pyvis.network import Network

    measures = measures if measures is not None else compute_measures(graph, seed=seed)
    large = graph.number_of_nodes() > large_threshold
    max_evidence = MAX_EVIDENCE_LARGE if large else MAX_EVIDENCE
    positions: dict[str, tuple[float, float]] = {}
    if large:
        grouped: dict[int, list[str]] = {}
        for node, m in measures.items():
            grouped.setdefault(m.community, []).append(node)
        positions = community_layout(graph, groups=list(grouped.values()), seed=seed)
    types, predicates = type_styles(), predicate_styles()
    top = max((m.pagerank for m in measures.values()), default=0.0)
    net = Network(directed=True)
    index: dict[str, int] = {}
    for number, node in enumerate(sorted(graph.nodes)):
        attrs = graph.nodes[node]
        style = types.get(attrs["type"]) or _unknown_type(attrs["type"])
        m = measures[node]
        extra: dict[str, Any] = {}
        weight = _importance(m.pagerank, top)
        importance = (
            {"size": round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * weight, 1)}
            if large
            else {"value": weight}
        )
        if node in positions:
            extra["x"], extra["y"] = positions[node]
        index[node] = number
        net.add_node(
            number,
            label=attrs["label"],
            shape=style.shape,
            color=style.colour,
            **importance,
            iri=node,
            kgType=attrs["type"],
            aliases=attrs["aliases"],
            articles=attrs["articles"],
            firstDate=attrs["first_date"],
            lastDate=attrs["last_date"],
            indicators=attrs["indicators"][:10],
            degree=m.degree,
            pagerank=round(m.pagerank, 5),
            betweenness=round(m.betweenness, 5),
            community=m.community,
            **extra,
        )
    for number, (subject, obj, predicate, data) in enumerate(
        sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))
    ):
        line = predicates.get(predicate) or PredicateStyle(predicate, predicate, "#999999")
        evidence = [
            {k: item.get(k) for k in ("sentence", "article", "title", "date", "url")}
            for item in data["evidence"][:max_evidence]
        ]
        # pyvis' add_edge scans its node list twice per edge (quadratic on large graphs);
        # both ends are known to exist, so the edge record is built with its Edge class directly.
        edge = Edge(
            index[subject],
            index[obj],
            directed=True,
            id=number,
            label=line.label_zh,
            predicate=predicate,
            color={
                "color": line.colour,
                "highlight": line.colour,
                "hover": line.colour,
                "opacity": 0.85,
            },
            width=_edge_width(data["articles"]),
            articles=data["articles"],
            firstDate=data["first_date"],
            lastDate=data["last_date"],
            roles=data["roles"],
            evidence=evidence,
            moreEvidence=max(0, len(data["evidence"]) - max_evidence),
        )
        net.edges.append(edge.options)
    net.options = _options(large)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    type_counts = Counter(graph.nodes[n]["type"] for n in graph.nodes)
    predicate_counts = Counter(p for _s, _o, p in graph.edges(keys=True))
    return {
        "title": title,
        "large": large,
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "types": [
            {
                "type": t,
                "label": s.label_zh,
                "colour": s.colour,
                "shape": s.shape,
                "count": type_counts.get(t, 0),
            }
            for t, s in types.items()
        ]
        + [
            {"type": t, "label": t, "colour": "#aaaaaa", "shape": "dot", "count": n}
            for t, n in sorted(type_counts.items())
            if t not in types
        ],
        "predicates": [
            {
                "predicate": p,
                "label": s.label_zh,
                "colour": s.colour,
                "count": predicate_counts.get(p, 0),
            }
            for p, s in predicates.items()
        ],
    }


# ---------------------------------------------------------------- page


def json_for_script(data: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' can close or open a tag."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _escape_html(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


_SLOT = re.compile(r"<!--kg:(\w+)-->")


def render_page(data: Mapping[str, Any]) -> str:
    """The HTML page for `page_data`: everything inline, nothing fetched."""
    vis_js, vis_css = _vis_assets()
    page_js = _template_text("page.js")
    for script in (vis_js, page_js):
        if "</script" in script.lower() or "<!--" in script:
            raise InputError("a script to inline contains '</script' or '<!--'; cannot inline it")
    slots = {
        "title": _escape_html(str(data.get("title", "kg"))),
        "csp": f"{_csp_hash(vis_js)} {_csp_hash(page_js)}",
        "vis_css": vis_css,
        "page_css": _template_text("page.css"),
        "data": json_for_script(data),
        "vis_js": vis_js,
        "page_js": page_js,
    }
    # one pass, so that text inside a slot's value is never taken for another slot
    return _SLOT.sub(lambda m: slots[m.group(1)], _template_text("page.html"))


@dataclass(frozen=True)
class PageInfo:
    path: Path
    nodes: int
    edges: int
    large: bool
    bytes: int


def write_page(
    graph: nx.MultiDiGraph,
    path: Path,
    *,
    title: str = "kg",
    large_threshold: int = LARGE_GRAPH,
    seed: int = SEED,
) -> PageInfo:
    """Write the interactive page of `graph` to `path` (UTF-8) and say what it holds."""
    data = page_data(graph, title=title, large_threshold=large_threshold, seed=seed)
    html = render_page(data)
    try:
        if path.parent != Path(""):
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"{path}: cannot write the page ({exc.strerror}); pass another -o"
        ) from None
    return PageInfo(
        path=path,
        nodes=len(data["nodes"]),
        edges=len(data["edges"]),
        large=bool(data["large"]),
        bytes=len(html.encode("utf-8")),
    )

"""Export: a selection of the store into the format of the next tool; whole stores in and out.

Takes a store, the selectors of `kg.select` and a format (or an output file whose suffix names
it); gives files:
- RDF: Turtle, N-Triples (the union of the selected graphs), N-Quads, TriG and JSON-LD (named
  graphs kept, so every fact still points to its article), serialized by pyoxigraph;
- networks: GraphML and GEXF for Gephi and Cytoscape, CSV (nodes + edges) for pandas, from the
  networkx projection of `kg.analysis`, with every attribute made a scalar (networkx cannot
  write lists to GEXF or GraphML, #3572), labels, types, and colours in the form each tool reads
  (GEXF `viz:color`, GraphML `r`/`g`/`b` and `color`).

`dump_store` and `load_store` move a whole store as N-Quads (streamed; `.gz` compresses), so a
graph built on a laptop can be loaded into a shared SPARQL server.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import networkx as nx
import pyoxigraph as ox

from kg.errors import InputError, StoreError
from kg.rdf.namespaces import PREFIXES
from kg.rdf.store import EmbeddedStore, KgStore
from kg.select import MemoryStore, select_subgraph

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
NETWORK_FORMATS = ("graphml", "gexf", "csv")
FORMATS = (*RDF_FORMATS, *NETWORK_FORMATS)
SUFFIXES = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".graphml": "graphml",
    ".gexf": "gexf",
    ".csv": "csv",
}
LOAD_FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
SEPARATOR = " | "


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote: the files (none for stdout), the format and how much."""

    format: str
    paths: tuple[Path, ...]
    quads: int
    nodes: int | None = None
    edges: int | None = None


def format_of(output: Path | None, fmt: str | None) -> str:
    """The format named by `fmt`, else by the output's suffix (.gz aside), else Turtle."""
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; the formats are {', '.join(FORMATS)}")
        return fmt
    if output is None:
        return "turtle"
    suffixes = [s.lower() for s in output.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in SUFFIXES:
        return SUFFIXES[suffixes[-1]]
    if not suffixes:
        raise InputError(
            f"{output}: no suffix tells the format; pass --format ({', '.join(FORMATS)})"
        )
    raise InputError(
        f"{output}: the suffix {suffixes[-1]} names no format I write; pass --format "
        f"({', '.join(FORMATS)}) or use {', '.join(sorted(SUFFIXES))}"
    )


@contextlib.contextmanager
def _binary_output(output: Path | None, stream: IO[bytes] | None) -> Iterator[IO[bytes]]:
    """The file (gzip-compressed for .gz) or the stream to write to."""
    if output is None:
        yield stream if stream is not None else sys.stdout.buffer
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if output.suffix.lower() == ".gz":
            with gzip.open(output, "wb") as compressed:
                yield cast(IO[bytes], compressed)
        else:
            with output.open("wb") as plain:
                yield plain
    except OSError as exc:
        raise StoreError(f"{output}: cannot write ({exc.strerror}); choose another -o") from None


def export_graph(
    store: KgStore,
    output: Path | None = None,
    *,
    fmt: str | None = None,
    stream: IO[bytes] | None = None,
    **selectors: Any,
) -> ExportReport:
    """Write the selected part of `store` to `output` (or `stream`, stdout by default)."""
    chosen = format_of(output, fmt)
    quads = select_subgraph(store, **selectors)
    if chosen in RDF_FORMATS:
        write_rdf(quads, chosen, output, stream)
        return ExportReport(chosen, (output,) if output else (), len(quads))
    graph = network_of(quads)
    paths: tuple[Path, ...]
    if chosen == "csv":
        if output is None:
            raise InputError("CSV makes two files, nodes.csv and edges.csv: pass -o DIR")
        paths = write_csv(graph, output)
    else:
        with _binary_output(output, stream) as out:
            if chosen == "gexf":
                nx.write_gexf(gexf_ready(graph), out)
            else:
                nx.write_graphml(graph, out)
        paths = (output,) if output else ()
    return ExportReport(chosen, paths, len(quads), graph.number_of_nodes(), graph.number_of_edges())


def write_rdf(
    quads: Sequence[ox.Quad], fmt: str, output: Path | None, stream: IO[bytes] | None = None
) -> None:
    """Quads in an RDF format; triple formats get the union of the graphs, without repeats."""
    rdf_format = RDF_FORMATS[fmt]
    items: Iterable[ox.Quad] | Iterable[ox.Triple]
    if rdf_format.supports_datasets:
        items = quads
    else:
        seen: dict[ox.Triple, None] = {}
        for quad in quads:
            seen.setdefault(ox.Triple(quad.subject, quad.predicate, quad.object), None)
        items = list(seen)
    # kgid: is left out: its local names hold '/', which Turtle and TriG escape (kgid:Zone\/…).
    prefixes = {p: iri for p, iri in PREFIXES.items() if p != "kgid"}
    if fmt not in ("turtle", "trig"):
        prefixes = {}
    with _binary_output(output, stream) as out:
        ox.serialize(items, out, format=rdf_format, prefixes=prefixes or None)


# ---------------------------------------------------------------- networks


def network_of(quads: Sequence[ox.Quad]) -> nx.MultiDiGraph:
    """The networkx projection of the quads (kg.analysis), every attribute a scalar, with the
    labels and colours Gephi and Cytoscape read."""
    from kg.analysis import project_graph
    from kg.viz import predicate_styles, type_styles

    # project_graph only queries: the selection held in memory answers like a store
    projected = project_graph(cast(KgStore, MemoryStore(quads)))
    types, predicates = type_styles(), predicate_styles()
    graph = nx.MultiDiGraph()
    for node, data in sorted(projected.nodes(data=True)):
        style = types.get(str(data.get("type")))
        colour = style.colour if style else "#aaaaaa"
        graph.add_node(node, **_node_attributes(data, colour, style.label_zh if style else ""))
    for source, target, key, data in sorted(projected.edges(keys=True, data=True), key=str):
        predicate = str(data.get("predicate", key))
        edge_style = predicates.get(predicate)
        colour = edge_style.colour if edge_style else "#999999"
        label = edge_style.label_zh if edge_style else ""
        attributes = _edge_attributes(data, predicate, colour, label)
        graph.add_edge(source, target, key=predicate, **attributes)
    return graph


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _indicator_text(item: dict[str, Any]) -> str:
    year = f"{item.get('year')}年" if item.get("year") else ""
    parts = [item.get("name"), item.get("comparator"), item.get("value"), item.get("unit")]
    return " ".join(_text(p) for p in parts if p not in (None, "")) + (
        f"（{year}{_text(item.get('kind'))}）" if year or item.get("kind") else ""
    )


def _node_attributes(data: dict[str, Any], colour: str, type_zh: str) -> dict[str, Any]:
    red, green, blue = _rgb(colour)
    # Gephi reads the GraphML key with id "d3" as the node label (yEd's convention) before it
    # looks at attr.name, and networkx numbers the keys d0, d1, ... in the order of the first
    # node's attributes: "label" comes fourth, so d3 is the label.
    return {
        "type": _text(data.get("type")),
        "type_zh": type_zh,
        "iri": _text(data.get("iri")),
        "label": _text(data.get("label")),
        "name": _text(data.get("label")),
        "aliases": "、".join(data.get("aliases") or ()),
        "articles": int(data.get("articles") or 0),
        "article_ids": SEPARATOR.join(data.get("article_ids") or ()),
        "first_date": _text(data.get("first_date")),
        "last_date": _text(data.get("last_date")),
        "indicators": SEPARATOR.join(_indicator_text(i) for i in data.get("indicators") or ()),
        "color": colour,
        "r": red,
        "g": green,
        "b": blue,
    }


def _edge_attributes(
    data: dict[str, Any], predicate: str, colour: str, label_zh: str
) -> dict[str, Any]:
    evidence = data.get("evidence") or ()
    red, green, blue = _rgb(colour)
    return {
        "predicate": predicate,
        "label": label_zh or predicate,
        "articles": int(data.get("articles") or 0),
        "weight": float(data.get("articles") or 1),
        "article_ids": SEPARATOR.join(data.get("article_ids") or ()),
        "first_date": _text(data.get("first_date")),
        "last_date": _text(data.get("last_date")),
        "roles": "、".join(data.get("roles") or ()),
        "evidence": SEPARATOR.join(
            f"{_text(e.get('sentence'))}（{_text(e.get('title'))} {_text(e.get('date'))}）"
            for e in evidence
        ),
        "color": colour,
        "r": red,
        "g": green,
        "b": blue,
    }


def gexf_ready(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose nodes and edges carry GEXF's viz colour and size (Gephi shows them)."""
    copy = graph.copy()
    for _node, data in copy.nodes(data=True):
        size = 10.0 + 4.0 * min(int(data.get("articles", 0)), 10)
        data["viz"] = {"color": {"r": data["r"], "g": data["g"], "b": data["b"], "a": 1.0}}
        data["viz"]["size"] = size
    for _u, _v, data in copy.edges(data=True):
        data["viz"] = {"color": {"r": data["r"], "g": data["g"], "b": data["b"], "a": 1.0}}
    return copy


NODE_COLUMNS = (
    "id",
    "label",
    "type",
    "type_zh",
    "aliases",
    "articles",
    "first_date",
    "last_date",
    "article_ids",
    "indicators",
    "color",
)
EDGE_COLUMNS = (
    "source",
    "target",
    "source_label",
    "target_label",
    "predicate",
    "label",
    "articles",
    "first_date",
    "last_date",
    "article_ids",
    "roles",
    "evidence",
)


def csv_paths(output: Path) -> tuple[Path, Path]:
    """DIR/nodes.csv and DIR/edges.csv, or NAME-nodes.csv and NAME-edges.csv for -o NAME.csv."""
    if output.suffix.lower() == ".csv":
        return (
            output.with_name(output.stem + "-nodes.csv"),
            output.with_name(output.stem + "-edges.csv"),
        )
    return output / "nodes.csv", output / "edges.csv"


def write_csv(graph: nx.MultiDiGraph, output: Path) -> tuple[Path, Path]:
    nodes_path, edges_path = csv_paths(output)
    try:
        nodes_path.parent.mkdir(parents=True, exist_ok=True)
        with nodes_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(NODE_COLUMNS)
            for node, data in graph.nodes(data=True):
                writer.writerow([node, *(data[c] for c in NODE_COLUMNS[1:])])
        with edges_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(EDGE_COLUMNS)
            for source, target, data in graph.edges(data=True):
                labels = [graph.nodes[source]["label"], graph.nodes[target]["label"]]
                writer.writerow([source, target, *labels, *(data[c] for c in EDGE_COLUMNS[4:])])
    except OSError as exc:
        raise StoreError(f"{output}: cannot write the CSV files ({exc.strerror})") from None
    return nodes_path, edges_path


# ---------------------------------------------------------------- whole stores


class _Counted:
    """Counts the quads that pass through."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.count = 0
        self._quads = quads

    def __iter__(self) -> Iterator[ox.Quad]:
        for quad in self._quads:
            self.count += 1
            yield quad


def dump_store(store: KgStore, output: Path | None, *, stream: IO[bytes] | None = None) -> int:
    """Every quad of the store as N-Quads (gzip for .gz), streamed; the number of quads."""
    with _binary_output(output, stream) as out:
        if isinstance(store, EmbeddedStore):
            store.oxigraph.dump(out, format=ox.RdfFormat.N_QUADS)
            return len(store.oxigraph)
        counted = _Counted(store.quads())
        ox.serialize(counted, out, format=ox.RdfFormat.N_QUADS)
        return counted.count


def _load_format(name: str) -> ox.RdfFormat:
    suffixes = [s.lower() for s in Path(name).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    fmt = SUFFIXES.get(suffixes[-1]) if suffixes and name != "-" else "nquads"
    if fmt not in LOAD_FORMATS:
        raise InputError(
            f"{name}: kg load reads N-Quads (.nq) or TriG (.trig), optionally .gz, as "
            "kg dump and kg export --format nquads|trig write them"
        )
    return LOAD_FORMATS[fmt]


@contextlib.contextmanager
def _binary_input(name: str, stream: IO[bytes] | None) -> Iterator[IO[bytes]]:
    if name == "-":
        yield stream if stream is not None else sys.stdin.buffer
        return
    path = Path(name)
    try:
        if path.suffix.lower() == ".gz":
            with gzip.open(path, "rb") as compressed:
                yield cast(IO[bytes], compressed)
        else:
            with path.open("rb") as plain:
                yield plain
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None


def load_store(store: KgStore, inputs: Sequence[str], *, stream: IO[bytes] | None = None) -> int:
    """Add the quads of N-Quads or TriG files (.gz too, - for stdin) to the store; how many."""
    total = 0
    for name in inputs:
        rdf_format = _load_format(name)
        with _binary_input(name, stream) as handle:
            counted = _Counted(ox.parse(handle, format=rdf_format))
            try:
                store.add_quads(counted)
            except SyntaxError as exc:
                raise InputError(
                    f"{name}: not valid {rdf_format.name} ({exc}); nothing after quad "
                    f"{counted.count} was loaded. Fix the file, or export it again with kg dump"
                ) from None
            except (OSError, gzip.BadGzipFile) as exc:
                raise InputError(f"{name}: cannot read ({exc})") from None
        total += counted.count
    return total

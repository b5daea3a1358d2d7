"""Select: the part of the store that a researcher asks for, as quads with their named graphs.

Takes a store and selectors; gives the selected quads (`select_subgraph`), provenance included:
the entities' own triples, the relations among them, the assertion, indicator and mention nodes
that stand behind them, and the metadata of the articles they come from, each in its article's
named graph. `kg export`, `kg analyze` and `kg viz` share these selectors.

Selectors combine as AND:
- `entity` / `zone` / `industry` (names or aliases) and `province` (entities located in it,
  directly or through what they are located in) each give a set of entities and everything
  within `radius` relations of them (default 1); several of them keep what all have in common;
- `types` keeps only entities of these types;
- `since` / `until` keep only what articles of those dates say (YYYY, YYYY-MM or YYYY-MM-DD);
- `construct_query`, a SPARQL CONSTRUCT, runs last, on what the other selectors kept (or on the
  whole store), and its triples are the answer (in the default graph).

User values reach SPARQL only as literals and IRIs escaped by pyoxigraph (`kg.sparql`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError, QueryError
from kg.model import ENTITY_TYPES, PREDICATES
from kg.rdf.namespaces import (
    DCTERMS,
    ID,
    ONTOLOGY,
    RDF,
    RDFS,
    SKOS,
    entity_iri,
    entity_name_of_iri,
)
from kg.rdf.store import KgStore
from kg.sparql import iri, literal, query_kind, values_block

BATCH = 400
LOCATION_PREDICATES = ("inProvince", "inCity", "locatedIn", "partOf")
LINK_PREDICATES = (*PREDICATES, "inProvince", "inCity")

_TYPE = f"<{RDF}type>"
_KG = f"<{ONTOLOGY}"


def _types_block(variable: str, types: Iterable[str]) -> str:
    return values_block(variable, (iri(ONTOLOGY + t) for t in types))


def _batches(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def parse_day(text: str, *, end: bool) -> dt.date:
    """YYYY, YYYY-MM or YYYY-MM-DD (also 2023年1月 / 2023/1/18): the first day, or the last
    with `end`."""
    found = re.fullmatch(r"\s*(\d{4})(?:[-/年.](\d{1,2})(?:[-/月.](\d{1,2})日?)?月?)?年?\s*", text)
    if not found:
        raise InputError(f"{text!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in found.groups())
    assert year is not None
    try:
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if day is None:
            if not end:
                return dt.date(year, month, 1)
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(year, month, day)
    except ValueError as exc:
        raise InputError(f"{text!r} is not a valid date ({exc})") from None


def graphs_in_range(
    store: KgStore, since: str | None, until: str | None
) -> set[ox.NamedNode] | None:
    """The article graphs dated within [since, until]; None when neither is given."""
    if not since and not until:
        return None
    tests = []
    if since:
        first = parse_day(since, end=False)
        tests.append(f"?date >= {literal(first.isoformat())}")
    if until:
        last = parse_day(until, end=True)
        tests.append(f"?date <= {literal(last.isoformat())}")
    if since and until and parse_day(since, end=False) > parse_day(until, end=True):
        raise InputError(f"--since {since} is after --until {until}; swap them")
    rows = store.query(
        f"""SELECT DISTINCT ?g WHERE {{
              GRAPH ?g {{ ?article a <{ONTOLOGY}Article> ; <{DCTERMS}date> ?day }}
              BIND(STR(?day) AS ?date)
              FILTER({" && ".join(tests)})
            }}"""
    )
    return {row["g"] for row in rows if isinstance(row["g"], ox.NamedNode)}


def _in(
    graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph, graphs: set[ox.NamedNode] | None
) -> bool:
    return graphs is None or graph in graphs


class _Index:
    """Entities (IRI -> types) and the relations among them, within the chosen graphs."""

    def __init__(self, store: KgStore, graphs: set[ox.NamedNode] | None) -> None:
        self.types: dict[str, set[str]] = defaultdict(set)
        for row in store.query(
            f"""SELECT DISTINCT ?e ?t ?g WHERE {{
                  GRAPH ?g {{ ?e a ?t }} {_types_block("t", ENTITY_TYPES)}
                }}"""
        ):
            if _in(row["g"], graphs):
                self.types[row["e"].value].add(row["t"].value.removeprefix(ONTOLOGY))
        self.links: list[tuple[str, str, str]] = []
        # The relations of ANNOTATION.md and the gazetteer's places link entities; asking for
        # them by predicate reads an index instead of every triple of every entity.
        predicates = values_block("p", (iri(ONTOLOGY + p) for p in LINK_PREDICATES))
        for row in store.query(
            f"SELECT DISTINCT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {predicates} }}"
        ):
            if not _in(row["g"], graphs):
                continue
            target = row["o"].value
            if entity_name_of_iri(target)[0] in ENTITY_TYPES and target.startswith(ID):
                self.links.append((row["s"].value, row["p"].value, target))
        self.neighbours: dict[str, set[str]] = defaultdict(set)
        for s, _p, o in self.links:
            self.neighbours[s].add(o)
            self.neighbours[o].add(s)

    def around(self, seeds: set[str], radius: int) -> set[str]:
        reached, frontier = set(seeds), set(seeds)
        for _ in range(radius):
            frontier = {n for e in frontier for n in self.neighbours[e]} - reached
            if not frontier:
                break
            reached |= frontier
        return reached

    def located_in(self, places: set[str]) -> set[str]:
        """The places and every entity located in them, through any chain of location links."""
        inward: dict[str, set[str]] = defaultdict(set)
        for s, p, o in self.links:
            if p.removeprefix(ONTOLOGY) in LOCATION_PREDICATES:
                inward[o].add(s)
        return self.around_by(inward, places)

    @staticmethod
    def around_by(edges: dict[str, set[str]], seeds: set[str]) -> set[str]:
        reached, frontier = set(seeds), set(seeds)
        while frontier:
            frontier = {n for e in frontier for n in edges[e]} - reached
            reached |= frontier
        return reached


def find_entities(
    store: KgStore, name: str, types: Sequence[str], index: _Index | None = None
) -> set[str]:
    """IRIs of the entities of these types whose label, alias or official name is `name`."""
    name = name.strip()
    if not name:
        raise InputError("an empty name selects nothing; give an entity's name or alias")
    rows = store.query(
        f"""SELECT DISTINCT ?e WHERE {{
              ?e <{RDFS}label>|<{SKOS}altLabel>|<{ONTOLOGY}officialName> ?name ; a ?t .
              FILTER(STR(?name) = {literal(name)})
              {_types_block("t", types)}
            }}"""
    )
    found = {row["e"].value for row in rows}
    if index is not None:
        # An entity named only by its IRI (a province from the gazetteer, say) counts too.
        for entity_type in types:
            candidate = entity_iri(entity_type, name).value
            if candidate in index.types or candidate in index.neighbours:
                found.add(candidate)
    return found


def _suggestions(store: KgStore, name: str, types: Sequence[str]) -> list[str]:
    rows = store.query(
        f"""SELECT DISTINCT ?name WHERE {{
              ?e <{RDFS}label>|<{SKOS}altLabel> ?name ; a ?t .
              FILTER(CONTAINS(STR(?name), {literal(name.strip()[:4])}))
              {_types_block("t", types)}
            }} LIMIT 5"""
    )
    return [str(row["name"].value) for row in rows]


def _not_found(store: KgStore, what: str, name: str, types: Sequence[str]) -> InputError:
    close = _suggestions(store, name, types) if name.strip() else []
    hint = f"; did you mean {', '.join(close)}?" if close else "; 'kg entities' lists the names"
    return InputError(f"no {what} named {name!r} in the store{hint}")


def _select_entities(
    store: KgStore,
    index: _Index,
    *,
    entity: str | None,
    radius: int,
    zone: str | None,
    industry: str | None,
    province: str | None,
) -> set[str] | None:
    """The entities the anchors pick (intersection), or None when no anchor is given."""
    chosen: list[set[str]] = []
    for what, name, types in (
        ("entity", entity, ENTITY_TYPES),
        ("zone", zone, ("Zone",)),
        ("industry", industry, ("Industry",)),
    ):
        if name is None:
            continue
        seeds = find_entities(store, name, types, index)
        if not seeds:
            raise _not_found(store, what, name, types)
        chosen.append(index.around(seeds, radius))
    if province is not None:
        places = find_entities(store, province, ("Place",), index)
        if not places:
            raise _not_found(store, "province", province, ("Place",))
        chosen.append(index.around(index.located_in(places), radius))
    if not chosen:
        return None
    selected = chosen[0]
    for other in chosen[1:]:
        selected &= other
    return selected


def select_subgraph(
    store: KgStore,
    *,
    entity: str | None = None,
    radius: int | None = 1,
    types: Sequence[str] = (),
    zone: str | None = None,
    industry: str | None = None,
    province: str | None = None,
    since: str | None = None,
    until: str | None = None,
    construct_query: str | None = None,
) -> list[ox.Quad]:
    """The selected quads, sorted, each in its article's named graph (see the module docstring).

    With no selector, every quad of the store. InputError for a name that matches no entity,
    an unknown type, a bad date or a query that is not a CONSTRUCT.
    """
    unknown = [t for t in types if t not in ENTITY_TYPES]
    if unknown:
        raise InputError(
            f"unknown entity type {', '.join(unknown)}; the types are {', '.join(ENTITY_TYPES)}"
        )
    hops = 1 if radius is None else radius
    if hops < 0:
        raise InputError(f"--radius {radius} is negative; give 0 or more hops")
    if construct_query is not None and query_kind(construct_query) not in ("CONSTRUCT", "DESCRIBE"):
        raise InputError("--query needs a CONSTRUCT (or DESCRIBE) query: it gives the triples")
    graphs = graphs_in_range(store, since, until)
    anchored = any(v is not None for v in (entity, zone, industry, province))
    if anchored or types:
        index = _Index(store, graphs)
        selected = _select_entities(
            store,
            index,
            entity=entity,
            radius=hops,
            zone=zone,
            industry=industry,
            province=province,
        )
        if selected is None:
            selected = set(index.types)
        if types:
            selected = {e for e in selected if index.types.get(e, set()) & set(types)}
        known = set(index.types) | set(index.neighbours)
        quads: list[ox.Quad] | None = _quads_of_entities(store, selected, known, graphs)
    elif graphs is not None:
        quads = [q for g in sorted(graphs, key=str) for q in store.quads(g)]
    else:
        quads = None  # the whole store
    if construct_query is not None:
        quads = _construct(store, construct_query, quads)
    elif quads is None:
        quads = list(store.quads())
    return sorted(set(quads), key=_quad_order)


def _quad_order(quad: ox.Quad) -> tuple[str, str, str, str]:
    return (str(quad.graph_name), str(quad.subject), str(quad.predicate), str(quad.object))


def _quads_of_entities(
    store: KgStore, selected: set[str], entities: set[str], graphs: set[ox.NamedNode] | None
) -> list[ox.Quad]:
    """The entities' own triples, links among them, their evidence nodes, their articles."""
    kept: list[ox.Quad] = []
    ordered = sorted(selected)
    for batch in _batches(ordered):
        block = values_block("s", (iri(e) for e in batch))
        for row in store.query(f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {block} }}"):
            target = row["o"]
            if not _in(row["g"], graphs):
                continue
            # a link to an entity outside the selection goes with that entity
            if isinstance(target, ox.NamedNode) and target.value in entities - selected:
                continue
            kept.append(ox.Quad(row["s"], row["p"], target, row["g"]))
    kept += _evidence_nodes(store, ordered, selected, graphs)
    # the articles behind what was kept, asked for by graph (their texts are long)
    contributing = sorted(
        {str(q.graph_name) for q in kept if isinstance(q.graph_name, ox.NamedNode)}
    )
    for batch in _batches(contributing):
        block = values_block("g", batch)
        pattern = f"GRAPH ?g {{ ?s a <{ONTOLOGY}Article> ; ?p ?o }}"
        for row in store.query(f"SELECT ?g ?s ?p ?o WHERE {{ {pattern} {block} }}"):
            kept.append(ox.Quad(row["s"], row["p"], row["o"], row["g"]))
    return kept


def _evidence_nodes(
    store: KgStore, ordered: list[str], selected: set[str], graphs: set[ox.NamedNode] | None
) -> list[ox.Quad]:
    """Assertions whose subject and object are selected; indicators and mentions of selected
    entities; each with all its triples."""
    nodes: dict[tuple[str, ox.NamedNode], list[ox.Quad]] = defaultdict(list)
    links = f"<{RDF}subject>|<{ONTOLOGY}indicatorOf>|<{ONTOLOGY}mentionOf>"
    for batch in _batches(ordered):
        block = values_block("e", (iri(e) for e in batch))
        for row in store.query(
            f"""SELECT DISTINCT ?g ?n ?p ?o WHERE {{
                  GRAPH ?g {{ ?n {links} ?e . ?n ?p ?o }} {block}
                }}"""
        ):
            if _in(row["g"], graphs):
                nodes[(row["n"].value, row["g"])].append(
                    ox.Quad(row["n"], row["p"], row["o"], row["g"])
                )
    kept = []
    obj = f"{RDF}object"
    for quads in nodes.values():
        objects = [
            q.object.value
            for q in quads
            if q.predicate.value == obj and isinstance(q.object, ox.NamedNode)
        ]
        if all(o in selected for o in objects):
            kept += quads
    return kept


class MemoryStore:
    """Quads held in memory, queried like a store (the default graph is the union of graphs)."""

    location = "memory"

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self._store = ox.Store()
        self._store.extend(quads)

    def query(self, sparql: str, *, timeout: float | None = None) -> Any:
        try:
            return self._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, graph))


def _construct(store: KgStore, query: str, selection: list[ox.Quad] | None) -> list[ox.Quad]:
    """The CONSTRUCT's triples over the selection (or the whole store), in the default graph."""
    from kg.query import run_query

    source: Any = store if selection is None else MemoryStore(selection)
    answer = run_query(source, query)
    return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in answer.triples()]

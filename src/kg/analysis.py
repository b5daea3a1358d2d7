"""Analysis: the store (or a selection of it) in; a networkx graph of entities and relations out.

`project_graph` turns the RDF graph into a `networkx.MultiDiGraph`: a node per entity (its IRI)
with type, label, aliases, indicators and the articles that mention it; an edge per relation
(keyed by predicate) with the number of supporting articles, the first and last article date,
and the evidence sentences with their article's title, date and URL.

On that graph: measures (degree, PageRank, betweenness, Louvain communities, connected
components), shortest paths, zone profiles, similar zones (Jaccard over shared industries and
policies) and adoption rankings. Each question has a `*_report` function that gives a `Report`,
which the CLI prints as a table, JSON or CSV.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import networkx as nx

from kg.errors import InputError, KgError
from kg.model import ENTITY_TYPES, PREDICATES
from kg.rdf.namespaces import DCTERMS, ONTOLOGY, RDF, RDFS, SCHEMA, SKOS
from kg.rdf.store import KgStore

# Above this many nodes, betweenness is estimated from a seeded sample of source nodes: exact
# betweenness is O(nodes x edges), minutes on a large graph. The sample is sized so that the
# estimate visits about BETWEENNESS_BUDGET nodes and edges (a few seconds), and never below 32.
EXACT_BETWEENNESS_LIMIT = 1000
BETWEENNESS_BUDGET = 1_000_000
SEED = 42

# Relations that come from the gazetteer (kg.link), not from a sentence: no evidence behind them.
GAZETTEER_PREDICATES = ("inProvince", "inCity")

# Neighbours that make up a zone's "policy mix" when zones are compared.
SIMILARITY_TYPES = ("Industry", "TalentPolicy", "Programme", "PolicyDocument")


class EntityNotFoundError(InputError):
    """A name given on the command line matches no entity of the graph."""


class NoPathError(KgError):
    """Two entities that no chain of relations connects."""


# ---------------------------------------------------------------- projection


def _values(prefix: str, names: Iterable[str]) -> str:
    return " ".join(f"<{prefix}{name}>" for name in names)


def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


@dataclass(frozen=True)
class _ArticleInfo:
    id: str
    title: str
    date: str | None
    url: str | None


@dataclass(frozen=True)
class _Articles:
    """The articles of the store, by IRI and by the named graph that holds each."""

    by_iri: dict[str, _ArticleInfo]
    by_graph: dict[str, str]  # graph IRI -> article IRI

    def span(self, articles: Iterable[str]) -> tuple[str | None, str | None]:
        dates = sorted(d for a in articles if a in self.by_iri and (d := self.by_iri[a].date))
        return (dates[0], dates[-1]) if dates else (None, None)


def _articles(store: KgStore) -> _Articles:
    by_iri: dict[str, _ArticleInfo] = {}
    by_graph: dict[str, str] = {}
    for row in store.query(
        f"""SELECT ?g ?art ?id ?title ?date ?url WHERE {{ GRAPH ?g {{
              ?art a <{ONTOLOGY}Article> .
              OPTIONAL {{ ?art <{DCTERMS}identifier> ?id }}
              OPTIONAL {{ ?art <{DCTERMS}title> ?title }}
              OPTIONAL {{ ?art <{DCTERMS}date> ?date }}
              OPTIONAL {{ ?art <{SCHEMA}url> ?url }}
            }} }}"""
    ):
        iri = str(row["art"].value)
        by_graph[str(row["g"].value)] = iri
        by_iri[iri] = _ArticleInfo(
            id=_value(row["id"]) or iri.rsplit("/", 1)[-1],
            title=_value(row["title"]) or "",
            date=_value(row["date"]),
            url=_value(row["url"]),
        )
    return _Articles(by_iri, by_graph)


# The queries below are single patterns, or joins inside one named graph: on a store of
# thousands of articles, joins over the union of all graphs (and OPTIONALs) take many times
# longer than the same answer assembled here from simple scans.


def project_graph(
    store: KgStore, *, evidence: bool = True, indicators: bool = True
) -> nx.MultiDiGraph:
    """The entities and relations of `store` as a networkx multigraph (see the module docstring).

    `store` is anything with the `query` method of `KgStore`, such as the store itself or a
    selection of it (`selected_graph`). Without `evidence`, edges carry no sentences; without
    `indicators`, nodes carry none: both take most of the time on a large store, and measures
    need neither.
    """
    articles = _articles(store)
    type_of: dict[str, str] = {}
    for row in store.query(
        f"""SELECT DISTINCT ?e ?type WHERE {{
              VALUES ?type {{ {_values(ONTOLOGY, ENTITY_TYPES)} }} ?e a ?type }}"""
    ):
        type_of[str(row["e"].value)] = str(row["type"].value).removeprefix(ONTOLOGY)
    names: dict[str, set[str]] = defaultdict(set)
    for row in store.query(f"SELECT DISTINCT ?e ?l WHERE {{ ?e <{RDFS}label> ?l }}"):
        names[str(row["e"].value)].add(str(row["l"].value))
    aliases: dict[str, set[str]] = defaultdict(set)
    for prop in (f"{SKOS}altLabel", f"{ONTOLOGY}officialName"):
        for row in store.query(f"SELECT DISTINCT ?e ?l WHERE {{ ?e <{prop}> ?l }}"):
            aliases[str(row["e"].value)].add(str(row["l"].value))
    mentions: dict[str, set[str]] = defaultdict(set)
    for row in store.query(f"SELECT DISTINCT ?e ?art WHERE {{ ?e <{ONTOLOGY}mentionedIn> ?art }}"):
        mentions[str(row["e"].value)].add(str(row["art"].value))
    figures = _indicators(store, articles) if indicators else {}
    graph = nx.MultiDiGraph()
    # nodes in IRI order, so that paths and layouts do not depend on the store's answer order
    for iri in sorted(type_of):
        labels = sorted(names.get(iri, ()), key=lambda n: (-len(n), n))
        label = labels[0] if labels else _local_name(iri)
        arts = mentions.get(iri, set())
        article_ids = sorted(articles.by_iri[a].id for a in arts if a in articles.by_iri)
        first, last = articles.span(arts)
        graph.add_node(
            iri,
            type=type_of[iri],
            iri=iri,
            label=label,
            aliases=sorted((aliases.get(iri, set()) | set(labels[1:])) - {label}),
            article_ids=article_ids,
            articles=len(article_ids),
            first_date=first,
            last_date=last,
            indicators=figures.get(iri, []),
        )
    _add_relations(store, graph, articles, evidence=evidence)
    return graph


def _local_name(iri: str) -> str:
    from urllib.parse import unquote

    return unquote(iri.rstrip("/").rsplit("/", 1)[-1])


def _source(article: str | None, articles: _Articles) -> dict[str, Any]:
    meta = articles.by_iri.get(article or "")
    return {
        "article": meta.id if meta else (article or ""),
        "title": meta.title if meta else "",
        "date": meta.date if meta else None,
        "url": meta.url if meta else None,
    }


def _evidence_order(item: Mapping[str, Any]) -> tuple[str, str, str]:
    return (item.get("date") or "9999", str(item.get("article")), str(item.get("sentence")))


def _indicators(store: KgStore, articles: _Articles) -> dict[str, list[dict[str, Any]]]:
    years = {
        str(row["i"].value): _value(row["year"])
        for row in store.query(f"SELECT ?i ?year WHERE {{ ?i <{ONTOLOGY}year> ?year }}")
    }
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen: set[str] = set()
    for row in store.query(
        f"""SELECT ?g ?i ?e ?name ?value ?unit ?comparator ?kind ?sentence WHERE {{ GRAPH ?g {{
              ?i <{ONTOLOGY}indicatorOf> ?e ; <{ONTOLOGY}name> ?name ; <{ONTOLOGY}value> ?value ;
                 <{ONTOLOGY}unit> ?unit ; <{ONTOLOGY}comparator> ?comparator ;
                 <{ONTOLOGY}kind> ?kind .
              OPTIONAL {{ ?i <{ONTOLOGY}sentence> ?sentence }}
            }} }}"""
    ):
        node = str(row["i"].value)
        if node in seen:
            continue
        seen.add(node)
        year = years.get(node)
        source = _source(articles.by_graph.get(str(row["g"].value)), articles)
        found[str(row["e"].value)].append(
            {
                "name": _value(row["name"]) or "",
                "value": _number(_value(row["value"])),
                "unit": _value(row["unit"]) or "",
                "comparator": _value(row["comparator"]) or "=",
                "year": int(year) if year and year.isdigit() else None,
                "kind": _value(row["kind"]) or "",
                "sentence": _value(row["sentence"]) or "",
                "article": source["article"],
                "date": source["date"],
            }
        )
    for items in found.values():
        items.sort(key=lambda i: (i["year"] or 0, i["name"], str(i["value"]), i["article"]))
    return found


def _number(text: str | None) -> float | int | None:
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


Key = tuple[str, str, str]


def _triple_key(row: Any) -> Key:
    return (str(row["s"].value), str(row["p"].value).removeprefix(ONTOLOGY), str(row["o"].value))


def _add_relations(
    store: KgStore, graph: nx.MultiDiGraph, articles: _Articles, *, evidence: bool
) -> None:
    predicates = _values(ONTOLOGY, PREDICATES + GAZETTEER_PREDICATES)
    # the triples from any graph (a CONSTRUCT selection has no article graphs) ...
    support: dict[Key, set[str]] = {
        _triple_key(row): set()
        for row in store.query(
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {predicates} }} ?s ?p ?o }}"
        )
    }
    # ... and the articles from the graphs that hold them
    for row in store.query(
        f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?p {{ {predicates} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    ):
        article = articles.by_graph.get(str(row["g"].value))
        if article:
            support.setdefault(_triple_key(row), set()).add(article)
    roles: dict[Key, set[str]] = defaultdict(set)
    for row in store.query(
        f"""SELECT DISTINCT ?s ?p ?o ?role WHERE {{
              ?a <{ONTOLOGY}role> ?role ; <{RDF}subject> ?s ; <{RDF}predicate> ?p ;
                 <{RDF}object> ?o }}"""
    ):
        roles[_triple_key(row)].add(str(row["role"].value))
    said: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    if evidence:
        for row in store.query(
            f"""SELECT ?g ?s ?p ?o ?sentence WHERE {{ GRAPH ?g {{
                  ?a <{RDF}subject> ?s ; <{RDF}predicate> ?p ; <{RDF}object> ?o ;
                     <{ONTOLOGY}sentence> ?sentence }} }}"""
        ):
            source = _source(articles.by_graph.get(str(row["g"].value)), articles)
            said[_triple_key(row)].append({"sentence": str(row["sentence"].value), **source})
    for (subject, predicate, obj), arts in sorted(support.items()):
        if subject not in graph or obj not in graph:
            continue  # one end is not an entity of this graph (or of this selection)
        article_ids = sorted({articles.by_iri[a].id for a in arts if a in articles.by_iri})
        first, last = articles.span(arts)
        graph.add_edge(
            subject,
            obj,
            key=predicate,
            predicate=predicate,
            articles=len(article_ids),
            article_ids=article_ids,
            first_date=first,
            last_date=last,
            evidence=_unique_evidence(said.get((subject, predicate, obj), [])),
            roles=sorted(roles.get((subject, predicate, obj), ())),
        )


def _unique_evidence(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in sorted(items, key=_evidence_order):
        key = (item["article"], item["sentence"])
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def selected_graph(
    store: KgStore, *, evidence: bool = True, indicators: bool = True, **selectors: Any
) -> nx.MultiDiGraph:
    """The projection of the part of `store` that the selectors of `kg export` pick
    (`kg.select.select_subgraph`: entity, radius, types, zone, industry, province, since,
    until, construct_query). With no selector set, the whole store.
    """
    from kg.select import MemoryStore, select_subgraph

    # radius alone selects nothing: it only widens the named selectors
    chosen = [k for k, v in selectors.items() if k != "radius" and v not in (None, (), [], "")]
    if not chosen:
        return project_graph(store, evidence=evidence, indicators=indicators)
    selection = cast(KgStore, MemoryStore(select_subgraph(store, **selectors)))
    return project_graph(selection, evidence=evidence, indicators=indicators)


# ---------------------------------------------------------------- finding entities

_QUOTES = re.compile(r"[\s\"'“”‘’《》「」『』〈〉]")


def _key(name: str) -> str:
    return _QUOTES.sub("", name).casefold()


def find_entity(graph: nx.MultiDiGraph, name: str, *, entity_type: str | None = None) -> str:
    """The node whose label, alias or IRI is `name` (quotes and spaces ignored).

    Raises EntityNotFoundError naming close candidates, or when the name is ambiguous.
    """
    wanted = _key(name)
    if not wanted:
        raise EntityNotFoundError("an empty name matches no entity; give a name or an alias")
    by_label: list[str] = []
    by_alias: list[str] = []
    for node, data in graph.nodes(data=True):
        if entity_type and data["type"] != entity_type:
            continue
        if node == name or _key(data["label"]) == wanted:
            by_label.append(node)
        elif any(_key(a) == wanted for a in data["aliases"]):
            by_alias.append(node)
    found: list[str] = by_label or by_alias
    if len(found) == 1:
        return found[0]
    what = f"{entity_type} " if entity_type else ""
    if found:
        names = ", ".join(f"{graph.nodes[n]['label']} ({graph.nodes[n]['type']})" for n in found)
        raise EntityNotFoundError(
            f"'{name}' names several {what}entities: {names}; give the full name"
        )
    near = sorted(
        (
            data["label"]
            for node, data in graph.nodes(data=True)
            if (not entity_type or data["type"] == entity_type)
            and (wanted in _key(data["label"]) or any(wanted in _key(a) for a in data["aliases"]))
        ),
        key=lambda label: (len(label), label),
    )[:5]
    other_types = sorted(
        {
            data["type"]
            for _node, data in graph.nodes(data=True)
            if _key(data["label"]) == wanted or any(_key(a) == wanted for a in data["aliases"])
        }
    )
    if other_types:
        hint = f"; '{name}' is of type {' and '.join(other_types)}"
    elif near:
        hint = f"; did you mean {', '.join(near)}?"
    else:
        hint = "; 'kg analyze measures --limit 0' lists them"
    raise EntityNotFoundError(f"no {what}entity named '{name}' in the graph{hint}")


def _label(graph: nx.MultiDiGraph, node: str) -> str:
    return str(graph.nodes[node]["label"])


# ---------------------------------------------------------------- measures


@dataclass(frozen=True)
class NodeMeasures:
    degree: int
    pagerank: float
    betweenness: float
    community: int
    component: int


def undirected_weighted(graph: nx.MultiDiGraph) -> nx.Graph:
    """One undirected edge per related pair, weighted by the articles behind its relations."""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        weight = max(1, int(data.get("articles", 1)))
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += weight
        else:
            simple.add_edge(u, v, weight=weight)
    return simple


def _numbered(groups: Iterable[Iterable[str]], graph: nx.MultiDiGraph) -> dict[str, int]:
    """Group number per node: 1 is the largest group; ties broken by the smallest label."""
    ordered = sorted(
        (sorted(g) for g in groups),
        key=lambda g: (-len(g), min(_label(graph, n) for n in g)),
    )
    return {node: number for number, group in enumerate(ordered, 1) for node in group}


def communities(graph: nx.MultiDiGraph, *, seed: int = SEED) -> list[list[str]]:
    """Louvain communities of the undirected graph, largest first, seeded so runs agree."""
    simple = undirected_weighted(graph)
    if simple.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(simple, weight="weight", seed=seed)
    numbers = _numbered(found, graph)
    grouped: dict[int, list[str]] = defaultdict(list)
    for node, number in numbers.items():
        grouped[number].append(node)
    return [sorted(grouped[n]) for n in sorted(grouped)]


def betweenness_sample(simple: nx.Graph) -> int | None:
    """How many source nodes estimate betweenness; None means exact."""
    n = int(simple.number_of_nodes())
    if n <= EXACT_BETWEENNESS_LIMIT:
        return None
    return min(n, max(32, BETWEENNESS_BUDGET // (n + int(simple.number_of_edges()))))


def compute_measures(graph: nx.MultiDiGraph, *, seed: int = SEED) -> dict[str, NodeMeasures]:
    """Degree, PageRank, betweenness, community and component of every node.

    Degree counts relations (in and out). PageRank and betweenness run on the undirected graph
    weighted by supporting articles: relations point from zones to what they host, and a
    directed PageRank would rank every zone below the industries it develops.
    """
    if graph.number_of_nodes() == 0:
        return {}
    simple = undirected_weighted(graph)
    pagerank = nx.pagerank(simple, weight="weight")
    sample = betweenness_sample(simple)
    betweenness = nx.betweenness_centrality(simple, k=sample, seed=seed)
    community_of = {
        node: number
        for number, group in enumerate(communities(graph, seed=seed), 1)
        for node in group
    }
    component_of = _numbered(nx.connected_components(simple), graph)
    return {
        node: NodeMeasures(
            degree=int(graph.degree(node)),
            pagerank=float(pagerank[node]),
            betweenness=float(betweenness[node]),
            community=community_of[node],
            component=component_of[node],
        )
        for node in graph.nodes
    }


# ---------------------------------------------------------------- reports


@dataclass(frozen=True)
class Report:
    """An answer: a table for people (`headers`, `rows`) and `data` for `--format json`."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    data: Any
    notes: tuple[str, ...] = field(default=())

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.headers)
        for row in self.rows:
            writer.writerow(["" if v is None else v for v in row])
        return out.getvalue()


def _round(value: float) -> float:
    return round(value, 6)


def measures_report(graph: nx.MultiDiGraph, *, limit: int = 20) -> Report:
    """Entities ranked by PageRank with degree, betweenness, community and component."""
    measures = compute_measures(graph)
    ranked = sorted(measures, key=lambda n: (-measures[n].pagerank, _label(graph, n)))
    data = []
    for rank, node in enumerate(ranked, 1):
        attrs, m = graph.nodes[node], measures[node]
        data.append(
            {
                "rank": rank,
                "name": attrs["label"],
                "type": attrs["type"],
                "iri": node,
                "degree": m.degree,
                "pagerank": _round(m.pagerank),
                "betweenness": _round(m.betweenness),
                "community": m.community,
                "component": m.component,
                "articles": attrs["articles"],
            }
        )
    shown = data[:limit] if limit > 0 else data
    headers = (
        "rank",
        "name",
        "type",
        "degree",
        "pagerank",
        "betweenness",
        "community",
        "component",
        "articles",
    )
    rows = tuple(
        (
            d["rank"],
            d["name"],
            d["type"],
            d["degree"],
            f"{d['pagerank']:.4f}",
            f"{d['betweenness']:.4f}",
            d["community"],
            d["component"],
            d["articles"],
        )
        for d in shown
    )
    components = len({m.component for m in measures.values()})
    groups = len({m.community for m in measures.values()})
    summary = (
        f"{graph.number_of_nodes()} entities, {graph.number_of_edges()} relations, "
        f"{components} connected components, {groups} communities"
    )
    notes = [summary]
    sample = betweenness_sample(undirected_weighted(graph))
    if sample is not None:
        notes.append(f"betweenness estimated from {sample} sampled source nodes")
    if len(shown) < len(data):
        notes.append(f"showing the top {len(shown)} of {len(data)}; --limit 0 shows all")
    return Report(
        title="entities by PageRank",
        headers=headers,
        rows=rows,
        data={
            "entities": graph.number_of_nodes(),
            "relations": graph.number_of_edges(),
            "components": components,
            "communities": groups,
            "measures": data,
        },
        notes=tuple(notes),
    )


def communities_report(graph: nx.MultiDiGraph, *, members: int = 8) -> Report:
    """Louvain communities, largest first: size, types, and most central members."""
    pagerank = nx.pagerank(undirected_weighted(graph)) if graph.number_of_nodes() else {}
    data: list[dict[str, Any]] = []
    for number, group in enumerate(communities(graph), 1):
        ordered = sorted(group, key=lambda n: (-pagerank[n], _label(graph, n)))
        types = Counter(graph.nodes[n]["type"] for n in group)
        data.append(
            {
                "community": number,
                "size": len(group),
                "types": dict(sorted(types.items(), key=lambda t: (-t[1], t[0]))),
                "members": [
                    {"name": _label(graph, n), "type": graph.nodes[n]["type"], "iri": n}
                    for n in ordered
                ],
            }
        )
    rows = tuple(
        (
            d["community"],
            d["size"],
            ", ".join(f"{t} {c}" for t, c in d["types"].items()),
            "、".join(m["name"] for m in d["members"][:members])
            + ("…" if d["size"] > members else ""),
        )
        for d in data
    )
    return Report(
        title="communities (Louvain)",
        headers=("community", "size", "types", "members (most central first)"),
        rows=rows,
        data=data,
    )


def _edges_between(graph: nx.MultiDiGraph, u: str, v: str) -> list[dict[str, Any]]:
    found = []
    for s, o in ((u, v), (v, u)):
        for predicate, data in (graph.get_edge_data(s, o) or {}).items():
            found.append(
                {
                    "subject": _label(graph, s),
                    "predicate": predicate,
                    "object": _label(graph, o),
                    "articles": data["articles"],
                    "evidence": data["evidence"],
                }
            )
    return found


def path_report(graph: nx.MultiDiGraph, source: str, target: str) -> Report:
    """A shortest chain of relations (in either direction) between two named entities."""
    start, end = find_entity(graph, source), find_entity(graph, target)
    try:
        nodes = nx.shortest_path(graph.to_undirected(as_view=True), start, end)
    except nx.NetworkXNoPath:
        raise NoPathError(
            f"no chain of relations links '{source}' and '{target}': they lie in different "
            "components ('kg analyze measures' shows the component of each entity)"
        ) from None
    steps: list[dict[str, Any]] = []
    for u, v in itertools.pairwise(nodes):
        steps.append(
            {
                "from": _label(graph, u),
                "to": _label(graph, v),
                "relations": _edges_between(graph, u, v),
            }
        )
    rows = tuple(
        (
            i,
            step["from"],
            # → the step follows the relation's direction, ← it goes against it
            "; ".join(
                ("→ " if r["subject"] == step["from"] else "← ") + r["predicate"]
                for r in step["relations"]
            ),
            step["to"],
            max(r["articles"] for r in step["relations"]),
            _first_sentence(step["relations"]),
        )
        for i, step in enumerate(steps, 1)
    )
    return Report(
        title=f"shortest path: {_label(graph, start)} → {_label(graph, end)} ({len(steps)} steps)",
        headers=("step", "from", "relation", "to", "articles", "evidence"),
        rows=rows,
        data={
            "from": _label(graph, start),
            "to": _label(graph, end),
            "length": len(steps),
            "nodes": [
                {"name": _label(graph, n), "type": graph.nodes[n]["type"], "iri": n} for n in nodes
            ],
            "steps": steps,
        },
    )


def _first_sentence(relations: Sequence[Mapping[str, Any]]) -> str:
    for relation in relations:
        if relation["evidence"]:
            return str(relation["evidence"][0]["sentence"])
    return ""


# Which neighbours fill which part of a zone profile: (section, neighbour type, predicates).
_PROFILE_SECTIONS: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("places", "Place", ("locatedIn", "inCity", "inProvince")),
    ("industries", "Industry", None),
    ("programmes", "Programme", None),
    ("talent_policies", "TalentPolicy", None),
    ("enterprises", "Enterprise", None),
    ("organizations", "Organization", None),
    ("people", "Person", None),
    ("policy_documents", "PolicyDocument", None),
    ("partner_zones", "Zone", None),
)


def zone_profile(graph: nx.MultiDiGraph, name: str) -> dict[str, Any]:
    """What the graph knows of one zone, grouped by kind of neighbour, with indicators."""
    zone = find_entity(graph, name, entity_type="Zone")
    attrs = graph.nodes[zone]
    profile: dict[str, Any] = {
        "zone": attrs["label"],
        "iri": zone,
        "aliases": attrs["aliases"],
        "articles": attrs["articles"],
        "first_date": attrs["first_date"],
        "last_date": attrs["last_date"],
    }
    neighbours: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for other in sorted(set(graph.successors(zone)) | set(graph.predecessors(zone))):
        relations = _edges_between(graph, zone, other)
        neighbours[graph.nodes[other]["type"]].append(
            {
                "name": _label(graph, other),
                "relations": sorted(
                    {
                        r["predicate"] if r["subject"] == attrs["label"] else f"^{r['predicate']}"
                        for r in relations
                    }
                ),
                "roles": sorted(
                    {
                        role
                        for s, o in ((zone, other), (other, zone))
                        for d in (graph.get_edge_data(s, o) or {}).values()
                        for role in d["roles"]
                    }
                ),
                "articles": max(r["articles"] for r in relations),
            }
        )
    for section, etype, predicates in _PROFILE_SECTIONS:
        items = neighbours.get(etype, [])
        if predicates:
            items = [i for i in items if set(i["relations"]) & set(predicates)]
        profile[section] = sorted(items, key=lambda i: (-i["articles"], i["name"]))
    profile["indicators"] = attrs["indicators"]
    return profile


def zone_report(graph: nx.MultiDiGraph, name: str) -> Report:
    """`zone_profile` as a two-column table: what, and the names."""
    profile = zone_profile(graph, name)
    rows: list[tuple[Any, ...]] = [
        ("zone", profile["zone"]),
        ("aliases", "、".join(profile["aliases"])),
        ("articles", f"{profile['articles']} ({profile['first_date']} … {profile['last_date']})"),
    ]
    for section, _etype, _predicates in _PROFILE_SECTIONS:
        names = [
            i["name"] + (f"（{'、'.join(i['roles'])}）" if i["roles"] else "")
            for i in profile[section]
        ]
        rows.append((section.replace("_", " "), "、".join(names)))
    for indicator in profile["indicators"]:
        rows.append(
            ("target" if indicator["kind"] == "target" else "indicator", _indicator_text(indicator))
        )
    return Report(
        title=f"zone profile: {profile['zone']}",
        headers=("what", "value"),
        rows=tuple(rows),
        data=profile,
    )


def _indicator_text(indicator: Mapping[str, Any]) -> str:
    year = f"{indicator['year']}: " if indicator["year"] else ""
    comparator = "" if indicator["comparator"] == "=" else indicator["comparator"] + " "
    return f"{year}{indicator['name']} {comparator}{indicator['value']} {indicator['unit']}".strip()


def _policy_mix(graph: nx.MultiDiGraph, zone: str) -> set[str]:
    neighbours = set(graph.successors(zone)) | set(graph.predecessors(zone))
    return {n for n in neighbours if graph.nodes[n]["type"] in SIMILARITY_TYPES}


def similar_report(graph: nx.MultiDiGraph, name: str, *, limit: int = 10) -> Report:
    """Zones ranked by the Jaccard similarity of their industries, programmes and policies."""
    zone = find_entity(graph, name, entity_type="Zone")
    mine = _policy_mix(graph, zone)
    data = []
    for other, attrs in graph.nodes(data=True):
        if other == zone or attrs["type"] != "Zone":
            continue
        theirs = _policy_mix(graph, other)
        shared = mine & theirs
        if not shared:
            continue
        data.append(
            {
                "zone": attrs["label"],
                "iri": other,
                "jaccard": _round(len(shared) / len(mine | theirs)),
                "shared": sorted(_label(graph, n) for n in shared),
                "only_theirs": sorted(_label(graph, n) for n in theirs - mine),
            }
        )
    data.sort(key=lambda d: (-d["jaccard"], d["zone"]))
    shown = data[:limit] if limit > 0 else data
    return Report(
        title=f"zones like {_label(graph, zone)} (Jaccard of shared industries and policies)",
        headers=("zone", "jaccard", "shared", "only theirs"),
        rows=tuple(
            (d["zone"], f"{d['jaccard']:.3f}", "、".join(d["shared"]), "、".join(d["only_theirs"]))
            for d in shown
        ),
        data={
            "zone": _label(graph, zone),
            "features": sorted(_label(graph, n) for n in mine),
            "similar": shown,
        },
        notes=() if data else (f"no other zone shares an industry or policy with {name}",),
    )


def top_report(graph: nx.MultiDiGraph, entity_type: str, *, limit: int = 20) -> Report:
    """Entities of one type ranked by how many zones they are related to (adopted by)."""
    if entity_type not in ENTITY_TYPES or entity_type == "Zone":
        allowed = ", ".join(t for t in ENTITY_TYPES if t != "Zone")
        raise InputError(f"--type {entity_type}: not a type to rank by zones; use one of {allowed}")
    data = []
    for node, attrs in graph.nodes(data=True):
        if attrs["type"] != entity_type:
            continue
        neighbours = set(graph.successors(node)) | set(graph.predecessors(node))
        zones = sorted(_label(graph, n) for n in neighbours if graph.nodes[n]["type"] == "Zone")
        data.append(
            {
                "name": attrs["label"],
                "iri": node,
                "zones": len(zones),
                "zone_names": zones,
                "articles": attrs["articles"],
            }
        )
    data.sort(key=lambda d: (-d["zones"], -d["articles"], d["name"]))
    for rank, item in enumerate(data, 1):
        item["rank"] = rank
    shown = data[:limit] if limit > 0 else data
    return Report(
        title=f"{entity_type} by number of zones",
        headers=("rank", "name", "zones", "articles", "zone names"),
        rows=tuple(
            (d["rank"], d["name"], d["zones"], d["articles"], "、".join(d["zone_names"]))
            for d in shown
        ),
        data=shown,
        notes=() if data else (f"no {entity_type} in the graph",),
    )

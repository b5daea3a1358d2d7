"""Incremental builds: unchanged inputs do no work, a changed article replaces only its graph,
`kg remove` takes away an article and what only it supported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kg.build
from kg.build import build
from kg.cli import cli
from kg.model import Extraction, Relation
from kg.rdf.mapping import extraction_quads
from kg.rdf.namespaces import graph_iri, sparql_prefixes
from kg.rdf.store import KgStore, open_store
from kg.validate import validate_store

from .rdf_fixtures import GAZETTEER, all_articles, second_article


def write(store: KgStore, *extractions: Extraction) -> None:
    store.replace_graphs(
        [
            (graph_iri(e.article.id), extraction_quads(e, "fp", gazetteer=GAZETTEER))
            for e in extractions
        ]
    )


def graph_quads(store: KgStore, article_id: str) -> set[ox.Quad]:
    return set(store.quads(graph_iri(article_id)))


def labels(store: KgStore, entity_type: str) -> dict[str, int]:
    rows = store.query(
        sparql_prefixes()
        + f"""SELECT ?l (COUNT(DISTINCT ?a) AS ?n) WHERE {{
                ?e a kg:{entity_type} ; rdfs:label ?l . OPTIONAL {{ ?e kg:mentionedIn ?a }}
              }} GROUP BY ?l"""
    )
    return {row["l"].value: int(row["n"].value) for row in rows}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KgStore]:
    opened = open_store(tmp_path / "store")
    write(opened, *all_articles())
    yield opened
    opened.close()


def test_a_changed_article_replaces_its_graph_and_nothing_else(store: KgStore) -> None:
    before = {a: graph_quads(store, a) for a in ("qinghe-1", "qinghe-2", "qinghe-3")}
    old = second_article()
    changed = Extraction(
        article=old.article,
        entities=old.entities,
        relations=(Relation("松山湖高新区", "developsIndustry", "氢能"),),
        indicators=(),
    )
    write(store, changed)
    assert graph_quads(store, "qinghe-1") == before["qinghe-1"]
    assert graph_quads(store, "qinghe-3") == before["qinghe-3"]
    assert graph_quads(store, "qinghe-2") != before["qinghe-2"]
    broader = store.query(sparql_prefixes() + "ASK { ?x skos:broader ?y }")
    assert not bool(broader)
    assert labels(store, "Industry")["燃料电池"] == 1  # still an entity of article 2
    assert validate_store(store).conforms


def test_kg_remove_deletes_the_article_and_what_only_it_supported(tmp_path: Path) -> None:
    location = str(tmp_path / "store")
    built = open_store(location)
    write(built, *all_articles())
    built.close()
    result = CliRunner().invoke(cli, ["--store", location, "remove", "qinghe-1"])
    assert result.exit_code == 0 and "removed qinghe-1" in result.stdout
    opened = open_store(location, read_only=True)
    try:
        # Only article 1 mentioned these: they are gone.
        assert "青禾光电" not in labels(opened, "Enterprise")
        assert "林一帆" not in labels(opened, "Person")
        assert labels(opened, "Programme") == {}
        # Shared with other articles: they stay, counted once.
        assert labels(opened, "Zone") == {"东莞松山湖高新区": 1, "绵阳高新区": 1}
        assert labels(opened, "TalentPolicy") == {"带土移植": 1}
        rows = list(
            opened.query(
                sparql_prefixes()
                + """SELECT ?article WHERE {
                       ?z rdfs:label "东莞松山湖高新区"@zh ; kg:developsIndustry ?i .
                       ?s rdf:subject ?z ; rdf:predicate kg:developsIndustry ; rdf:object ?i ;
                          prov:wasDerivedFrom/dcterms:identifier ?article }"""
            )
        )
        # The edge stated by both articles survives, now backed by article 2 alone.
        assert [r["article"].value for r in rows] == ["qinghe-2"]
        leftovers = opened.query(
            sparql_prefixes() + 'ASK { ?x prov:wasDerivedFrom/dcterms:identifier "qinghe-1" }'
        )
        assert not bool(leftovers)
        assert validate_store(opened).conforms
    finally:
        opened.close()
    result = CliRunner().invoke(cli, ["--store", location, "remove", "qinghe-1"])
    assert result.exit_code == 1 and "no article qinghe-1" in result.stderr


def test_removing_every_article_leaves_no_entity_behind(store: KgStore) -> None:
    for article_id in ("qinghe-1", "qinghe-2", "qinghe-3"):
        assert kg.build.remove_article(store, article_id)
    assert list(store.quads()) == []


def test_rebuilding_unchanged_inputs_does_no_extraction_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n, city in enumerate(("绵阳", "东莞", "芜湖"), start=1):
        (inputs / f"n{n}.txt").write_text(
            f"{city}高新区发展氢能产业\n{city}高新区大力发展氢能产业，力争2026年产值达到{n}亿元。",
            encoding="utf-8",
        )
    extracted: list[str] = []
    real_extract_many = kg.build.extract_many

    def counting(articles: Any, **options: Any) -> Iterator[Extraction]:
        for extraction in real_extract_many(articles, **options):
            extracted.append(extraction.article.id)
            yield extraction

    monkeypatch.setattr(kg.build, "extract_many", counting)
    store = open_store(tmp_path / "store")
    try:
        first = build([str(inputs)], store)
        assert first.built == 3 and len(extracted) == 3
        before = set(store.quads())
        again = build([str(inputs)], store)
        assert (again.built, again.unchanged, len(extracted)) == (0, 3, 3)
        assert set(store.quads()) == before

        changed = inputs / "n2.txt"
        changed.write_text(changed.read_text(encoding="utf-8") + "新增一句。", encoding="utf-8")
        graphs_before = {g: set(store.quads(g)) for g in store.named_graphs()}
        third = build([str(inputs)], store)
        assert (third.built, third.unchanged, len(extracted)) == (1, 2, 4)
        graphs_after = {g: set(store.quads(g)) for g in store.named_graphs()}
        differing = {g for g in graphs_after if graphs_after[g] != graphs_before.get(g)}
        # The changed file has a new content id: its old graph went, a new one came.
        assert len(differing) == 1
        unchanged = set(graphs_before) & set(graphs_after)
        assert all(graphs_before[g] == graphs_after[g] for g in unchanged)
        assert validate_store(store).conforms
    finally:
        store.close()

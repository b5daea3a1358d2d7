"""kg validate: SPARQL constraints run by kg on Oxigraph report what pyshacl reports."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import rdflib

from kg.rdf.namespaces import sparql_prefixes
from kg.rdf.ontology import shapes_file
from kg.validate import validate_file

TURTLE_PREFIXES = sparql_prefixes().replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")


def assertion(number: int, *, direct_triple: bool) -> str:
    """An article, two entities and one assertion about them, with or without its direct triple."""
    zone, industry = f"kgid:Zone\\/甲区{number}", f"kgid:Industry\\/乙产业{number}"
    article = f"kgid:article\\/a{number}"
    text = f"""
{article} a kg:Article , prov:Entity ; dcterms:identifier "a{number}" ; kg:text "……" ;
    kg:fingerprint "f{number}" .
{zone} a kg:Zone ; rdfs:label "甲区{number}"@zh ; kg:mentionedIn {article} .
{industry} a kg:Industry ; rdfs:label "乙产业{number}"@zh ; kg:mentionedIn {article} .
kgid:assertion\\/a{number}\\/1 a kg:Assertion ; rdf:subject {zone} ;
    rdf:predicate kg:developsIndustry ; rdf:object {industry} ; prov:wasDerivedFrom {article} .
"""
    if direct_triple:
        text += f"{zone} kg:developsIndustry {industry} .\n"
    return text


def test_an_assertion_without_its_direct_triple_is_reported_as_pyshacl_would(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(
        TURTLE_PREFIXES
        + assertion(1, direct_triple=True)
        + assertion(2, direct_triple=False)
        + assertion(3, direct_triple=False),
        encoding="utf-8",
    )
    report = validate_file(data)
    assert not report.conforms
    missing = [v for v in report.violations if "direct triple" in v.message]
    assert [v.focus for v in missing] == ["kgid:assertion/a2/1", "kgid:assertion/a3/1"]
    assert all(v.severity == "Violation" for v in missing)

    # the same focus nodes as pyshacl running the constraint itself, on the same data
    shapes = rdflib.Graph().parse(shapes_file(), format="turtle")
    graph = rdflib.Graph().parse(data, format="turtle")
    _, results, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    by_pyshacl = {
        str(results.value(r, sh.focusNode))
        for r in results.subjects(rdflib.RDF.type, sh.ValidationResult)
        if "direct triple" in str(results.value(r, sh.resultMessage))
    }
    assert len(by_pyshacl) == 2
    assert {v.focus.removeprefix("kgid:") for v in missing} == {
        iri.rsplit("/id/", 1)[-1] for iri in by_pyshacl
    }
    assert {v.message for v in report.violations} == {
        str(results.value(r, sh.resultMessage))
        for r in results.subjects(rdflib.RDF.type, sh.ValidationResult)
    }


def test_assertions_with_their_direct_triples_conform(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(
        TURTLE_PREFIXES + assertion(1, direct_triple=True) + assertion(2, direct_triple=True),
        encoding="utf-8",
    )
    report = validate_file(data)
    assert report.conforms, "\n".join(map(str, report.violations))

"""Validate: the store (or an RDF file) in; the SHACL violations of ontology/shapes.ttl out.

The shapes are checked with pyshacl on the union of the named graphs, which is the graph that
queries see: an entity mentioned by several articles must still have one canonical label. Each
violation is reported with its focus node (and that node's label), the path and the message.

pyshacl parses a SPARQL constraint's query again for every focus node (on the dev corpus, 9.5 of
the 12 seconds of a validation went to parsing one query 474 times), so SPARQL constraints whose
query uses no variable but `$this` are run here instead, once each, on Oxigraph, for all the
shape's targets at once; pyshacl checks the rest of the shapes.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError, MissingExtraError
from kg.rdf.namespaces import ID, PREFIXES
from kg.rdf.ontology import shapes_file
from kg.rdf.store import KgStore

SH = "http://www.w3.org/ns/shacl#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in words."""

    focus: str
    label: str | None
    path: str | None
    message: str
    value: str | None
    severity: str

    def __str__(self) -> str:
        where = f"{self.focus} ({self.label})" if self.label else self.focus
        path = f" {self.path}" if self.path else ""
        value = f" [value: {self.value}]" if self.value else ""
        return f"{self.severity}: {where}{path}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]
    triples: int
    source: str

    def summary(self) -> str:
        if self.conforms:
            return f"{self.source}: conforms to the kg shapes ({self.triples} triples checked)"
        return (
            f"{self.source}: {len(self.violations)} violation(s) of the kg shapes "
            f"in {self.triples} triples"
        )


def compact(iri: str) -> str:
    """A readable name for an IRI: a known prefix, and percent-escapes decoded."""
    if iri.startswith(ID):
        return "kgid:" + urllib.parse.unquote(iri.removeprefix(ID))
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and prefix != "kgid":
            return f"{prefix}:{iri.removeprefix(namespace)}"
    return f"<{iri}>"


def _to_rdflib(triples: list[ox.Triple]) -> Any:
    import rdflib

    graph = rdflib.Graph()
    if triples:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


def _term_text(term: Any) -> str:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return compact(str(term))
    if isinstance(term, rdflib.BNode):
        return "[blank node]"
    return repr(str(term)) if isinstance(term, rdflib.Literal) else str(term)


@dataclass(frozen=True)
class SparqlCheck:
    """A SPARQL constraint of a shape, as one query over all of the shape's targets."""

    query: str
    message: str
    severity: str

    def focus_nodes(self, data: ox.Store) -> list[ox.NamedNode | ox.BlankNode]:
        """The targets that violate the constraint."""
        found = data.query(self.query)
        assert isinstance(found, ox.QuerySolutions)
        return [row["this"] for row in found]


def split_sparql_checks(shapes: Any) -> list[SparqlCheck]:
    """Take out of `shapes` (an rdflib graph) the SPARQL constraints kg runs itself."""
    import rdflib

    sh = rdflib.Namespace(SH)
    checks = []
    for shape, constraint in list(shapes.subject_objects(sh.sparql)):
        select = str(shapes.value(constraint, sh.select) or "")
        targets = list(shapes.objects(shape, sh.targetClass))
        if not targets or re.search(r"\$(?!this\b)\w", select):
            continue  # other targets or pre-bound variables: pyshacl's job
        prefixes = "".join(
            f"PREFIX {shapes.value(d, sh.prefix)}: <{shapes.value(d, sh.namespace)}>\n"
            for declared in shapes.objects(constraint, sh.prefixes)
            for d in shapes.objects(declared, sh.declare)
        )
        classes = " ".join(f"<{target}>" for target in targets)
        severity = shapes.value(constraint, sh.severity) or shapes.value(shape, sh.severity)
        checks.append(
            SparqlCheck(
                query=(
                    f"{prefixes}SELECT DISTINCT ?this WHERE {{ VALUES ?target {{ {classes} }} "
                    f"?this a/<{RDFS_SUBCLASS}>* ?target . {{ {select} }} }}"
                ),
                message=str(shapes.value(constraint, sh.message) or "violates a SPARQL constraint"),
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            )
        )
        shapes.remove((shape, sh.sparql, constraint))
    return checks


def validate_graph(
    data: Any, source: str, triples: list[ox.Triple] | None = None
) -> ValidationReport:
    """Run the shapes on an rdflib graph (whose triples, when given, spare converting it back)."""
    try:
        import rdflib
        from pyshacl import validate
    except ImportError:
        raise MissingExtraError("kg validate", "shacl") from None

    shapes = rdflib.Graph().parse(shapes_file(), format="turtle")
    checks = split_sparql_checks(shapes)
    conforms, results, _ = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    sh = rdflib.Namespace(SH)
    label = rdflib.URIRef(RDFS_LABEL)
    violations = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        value = results.value(result, sh.value)
        message = results.value(result, sh.resultMessage)
        severity = results.value(result, sh.resultSeverity)
        focus_label = data.value(focus, label) if focus is not None else None
        violations.append(
            Violation(
                focus=_term_text(focus),
                label=str(focus_label) if focus_label is not None else None,
                path=_term_text(path) if path is not None else None,
                message=str(message) if message is not None else "violates a shape",
                value=_term_text(value) if value is not None else None,
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            )
        )
    if checks:
        in_oxigraph = ox.Store()
        in_oxigraph.extend(
            ox.Quad(t.subject, t.predicate, t.object)
            for t in (triples if triples is not None else _from_rdflib(data))
        )
        for check in checks:
            for node in check.focus_nodes(in_oxigraph):
                focus = rdflib.URIRef(node.value) if isinstance(node, ox.NamedNode) else None
                focus_label = data.value(focus, label) if focus is not None else None
                violations.append(
                    Violation(
                        focus=_term_text(focus) if focus is not None else "[blank node]",
                        label=str(focus_label) if focus_label is not None else None,
                        path=None,
                        message=check.message,
                        value=None,
                        severity=check.severity,
                    )
                )
    conforms = bool(conforms) and not any(v.severity == "Violation" for v in violations)
    violations.sort(key=lambda v: (v.focus, v.path or "", v.message))
    return ValidationReport(conforms, tuple(violations), len(data), source)


def _from_rdflib(data: Any) -> list[ox.Triple]:
    text = data.serialize(format="nt")
    return [ox.Triple(*t) for t in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]


def validate_store(store: KgStore) -> ValidationReport:
    """Run the shapes on the union of the store's named graphs."""
    triples = list({ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()})
    return validate_graph(_to_rdflib(triples), store.location, triples)


def validate_file(path: Path) -> ValidationReport:
    """Run the shapes on an RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD)."""
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) if path.suffix else None
    if fmt is None:
        raise InputError(
            f"{path}: unknown RDF format; name the file .ttl, .nt, .nq, .trig, .rdf or .jsonld"
        )
    try:
        parsed = ox.parse(path=str(path), format=fmt)
        triples = list({ox.Triple(q.subject, q.predicate, q.object) for q in parsed})
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"{path}: not valid {fmt.name} ({exc}); fix the file") from None
    return validate_graph(_to_rdflib(triples), str(path), triples)

"""Query: questions to the store, from the counts of `kg stats` to a researcher's SPARQL."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
import urllib.parse
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.rdf.namespaces import DCTERMS, ONTOLOGY, PREFIXES, SCHEMA
from kg.rdf.store import EmbeddedStore, KgStore, RemoteStore
from kg.sparql import (
    PREDECLARED,
    query_kind,
    refuse_service,
    undeclared_prefixes,
    with_prefixes,
)


def _count(store: KgStore, sparql: str) -> int:
    rows = list(store.query(sparql))
    return int(rows[0]["n"].value) if rows else 0


def store_stats(store: KgStore) -> dict[str, Any]:
    """Counts of articles, triples, named graphs and entities by type."""
    entities: dict[str, int] = {}
    rows = store.query(
        f"""SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {{
              GRAPH ?g {{ ?e a ?type }}
              FILTER(STRSTARTS(STR(?type), "{ONTOLOGY}") && ?type != <{ONTOLOGY}Article>
                     && ?type != <{ONTOLOGY}Indicator> && ?type != <{ONTOLOGY}Assertion>
                     && ?type != <{ONTOLOGY}Mention>)
            }} GROUP BY ?type ORDER BY ?type"""
    )
    for row in rows:
        entities[row["type"].value.removeprefix(ONTOLOGY)] = int(row["n"].value)
    return {
        "articles": _count(
            store,
            "SELECT (COUNT(DISTINCT ?a) AS ?n) "
            f"WHERE {{ GRAPH ?g {{ ?a a <{ONTOLOGY}Article> }} }}",
        ),
        "triples": _count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        "graphs": len(store.named_graphs()),
        "entities": entities,
    }


@dataclass(frozen=True)
class ArticleRow:
    id: str
    title: str
    date: str | None
    source: str | None
    url: str | None


def list_articles(store: KgStore) -> list[ArticleRow]:
    """Every article in the store, by date then id."""
    rows = store.query(
        f"""SELECT ?id ?title ?date ?source ?url WHERE {{
              GRAPH ?g {{
                ?a a <{ONTOLOGY}Article> ; <{DCTERMS}identifier> ?id .
                OPTIONAL {{ ?a <{DCTERMS}title> ?title }}
                OPTIONAL {{ ?a <{DCTERMS}date> ?date }}
                OPTIONAL {{ ?a <{DCTERMS}publisher> ?source }}
                OPTIONAL {{ ?a <{SCHEMA}url> ?url }}
              }}
            }} ORDER BY ?date ?id"""
    )

    def value(row: Any, key: str) -> str | None:
        term = row[key]
        return term.value if term is not None else None

    return [
        ArticleRow(
            id=value(row, "id") or "",
            title=value(row, "title") or "",
            date=value(row, "date"),
            source=value(row, "source"),
            url=value(row, "url"),
        )
        for row in rows
    ]


# ---------------------------------------------------------------- a researcher's SPARQL

SOLUTION_FORMATS = ("table", "csv", "tsv", "json", "md")
GRAPH_FORMATS = ("turtle", "nt", "jsonld")
QUERY_FORMATS = SOLUTION_FORMATS + GRAPH_FORMATS

_JSON = ox.QueryResultsFormat.JSON
_RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}
_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class QueryAnswer:
    """The answer of one query, held losslessly: SPARQL JSON results for SELECT and ASK,
    N-Triples for CONSTRUCT and DESCRIBE. `render` turns it into any output format."""

    kind: str  # "solutions", "boolean" or "graph"
    data: bytes
    variables: tuple[str, ...] = ()

    @classmethod
    def of(cls, result: Any) -> QueryAnswer:
        """From what pyoxigraph (or a RemoteStore) returns for a query."""
        if isinstance(result, ox.QueryBoolean):
            return cls("boolean", result.serialize(format=_JSON) or b"")
        if isinstance(result, ox.QuerySolutions):
            variables = tuple(v.value for v in result.variables)
            return cls("solutions", result.serialize(format=_JSON) or b"", variables)
        # A graph is a set; over the union of the article graphs, a triple two articles state
        # comes twice.
        triples = list(dict.fromkeys(result))
        return cls("graph", ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")

    def results(self) -> Any:
        """A fresh pyoxigraph QuerySolutions or QueryBoolean of a SELECT or ASK answer."""
        return ox.parse_query_results(self.data, format=_JSON)

    def triples(self) -> list[ox.Triple]:
        return list(ox.parse(self.data, format=ox.RdfFormat.N_TRIPLES)) if self.data else []

    def rows(self) -> list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]]:
        if self.kind != "solutions":
            return []
        return [tuple(solution[v] for v in self.variables) for solution in self.results()]

    def table(self) -> tuple[list[str], list[list[str]]]:
        """Headers and readable cells (IRIs shortened by the kg prefixes) for a terminal."""
        if self.kind == "boolean":
            return ["answer"], [[str(bool(self.results())).lower()]]
        if self.kind == "graph":
            return ["subject", "predicate", "object"], [
                [display(t.subject), display(t.predicate), display(t.object)]
                for t in self.triples()
            ]
        return list(self.variables), [[display(term) for term in row] for row in self.rows()]

    def render(self, fmt: str) -> str:
        """The answer in `fmt`: one of QUERY_FORMATS except table (see `table`)."""
        if self.kind == "graph":
            rdf = {"table": "turtle", "json": "jsonld"}.get(fmt, fmt)
            if rdf not in _RDF_FORMATS:
                raise QueryError(
                    f"a CONSTRUCT or DESCRIBE query gives a graph, which --format {fmt} cannot "
                    f"hold; use --format {', '.join(GRAPH_FORMATS)}"
                )
            prefixes = turtle_prefixes() if rdf == "turtle" else None
            data = ox.serialize(self.triples(), format=_RDF_FORMATS[rdf], prefixes=prefixes)
            return (data or b"").decode("utf-8")
        if fmt in GRAPH_FORMATS:
            raise QueryError(
                f"a SELECT or ASK query gives a table, not a graph; use --format "
                f"{', '.join(SOLUTION_FORMATS)} (or CONSTRUCT for --format {fmt})"
            )
        if fmt == "md":
            headers, cells = self.table()
            return markdown_table(headers, cells)
        if fmt == "table":
            headers, cells = self.table()
            return "\n".join("\t".join(row) for row in [headers, *cells]) + "\n"
        text = str(self.results().serialize(format=_RESULT_FORMATS[fmt]).decode("utf-8"))
        return text if text.endswith("\n") else text + "\n"


def turtle_prefixes() -> dict[str, str]:
    """The prefixes to write Turtle with. Not kgid:, whose names hold '/', which Turtle would
    have to escape (kgid:Zone\\/包头): full IRIs read better."""
    return {p: iri for p, iri in PREFIXES.items() if p != "kgid"}


def display(term: Any) -> str:
    """A term as a person reads it: kgid:Zone/包头稀土高新区, a literal's text, "" if unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return str(term.value)
    return str(term)


def compact_iri(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{urllib.parse.unquote(iri[len(namespace) :])}"
    return iri


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def run_query(
    store: KgStore, sparql: str, *, timeout: float | None = None, allow_service: bool = False
) -> QueryAnswer:
    """Run a SELECT, ASK, CONSTRUCT or DESCRIBE query over the union of the article graphs.

    The kg prefixes (kg:, kgid:, dcterms:, prov:, ...) are predeclared. A syntax error becomes a
    QueryError that shows the line, the column and a hint. With `timeout` (seconds) the query
    runs in a worker process that is killed when the time is up: pyoxigraph cannot cancel a
    query, and a thread could not be stopped. SERVICE (federated queries, which reach the
    network) is refused unless `allow_service`.
    """
    if not sparql.strip():
        raise QueryError("the query is empty; pass it as an argument, with -f FILE or on stdin")
    if query_kind(sparql) == "UPDATE":
        raise QueryError(
            "kg query runs SELECT, ASK, CONSTRUCT and DESCRIBE queries; it never changes the "
            "store (kg build and kg remove do)"
        )
    if not allow_service:
        refuse_service(sparql, how_to_allow="pass --allow-service to allow it")
    text, prefix_lines = with_prefixes(sparql)
    try:
        if timeout is None:
            return QueryAnswer.of(store.query(text))
        if isinstance(store, EmbeddedStore):
            return _run_in_worker(str(store.path), text, timeout)
        if isinstance(store, RemoteStore):
            return QueryAnswer.of(store.query(text, timeout=timeout))
        return _run_in_thread(store, text, timeout)
    except QueryError as exc:
        raise explain_syntax_error(str(exc), sparql, prefix_lines) from None


_ERROR_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_PREFIXED = re.compile(r"([A-Za-z][\w.-]*)?:")


def explain_syntax_error(message: str, sparql: str, prefix_lines: int = 0) -> QueryError:
    """A QueryError that points at the line and column of the user's query, with a hint.

    `message` is the parser's ("error at 3:12: expected ..."; the column counts bytes), for a
    text that had `prefix_lines` lines put before the user's query.
    """
    found = _ERROR_AT.search(message)
    if not found:
        return QueryError(message)
    line, byte_column = int(found.group(1)) - prefix_lines, int(found.group(2))
    expected = " ".join(found.group(3).split())
    lines = sparql.splitlines() or [""]
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    column = len(text.encode("utf-8")[: max(byte_column - 1, 0)].decode("utf-8", "ignore")) + 1
    if "Prefix not found" in expected:
        # The parser stops after the name; point at the name and say which prefix is missing.
        names = [n for n in _PREFIXED.finditer(text) if n.start() < column]
        prefix = (names[-1].group(1) or "") if names else "ex"
        column = names[-1].start() + 1 if names else column
        expected = f"the prefix '{prefix}:' is not declared"
        hint = (
            f"kg predeclares {', '.join(p + ':' for p in PREDECLARED)}; declare others with "
            f"PREFIX {prefix}: <http://...>"
        )
    else:
        if len(expected) > 160:
            expected = expected[:160] + " …"
        hint = _syntax_hint(expected, sparql, text, column, line, len(lines))
    caret = " " * _display_width(text[: column - 1]) + "^"
    return QueryError(
        f"SPARQL syntax error at line {line}, column {column}:\n  {text}\n  {caret}\n"
        f"{expected}\nHint: {hint}"
    )


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _syntax_hint(
    expected: str, sparql: str, text: str, column: int, line: int, last_line: int
) -> str:
    missing = undeclared_prefixes(sparql)
    if missing:
        names = ", ".join(f"'{p}:'" for p in missing)
        return (
            f"{names} not declared; kg predeclares {', '.join(p + ':' for p in PREDECLARED)}; "
            f"declare others with PREFIX {missing[0]}: <http://...>"
        )
    opened = sum(k == "{" for k in _braces(sparql))
    closed = sum(k == "}" for k in _braces(sparql))
    if opened > closed:
        return f"{opened - closed} '{{' not closed: add '}}' at the end of the pattern"
    if closed > opened:
        return f"{closed - opened} '}}' too many: remove one or add the missing '{{'"
    previous = _previous_code_line(sparql, line)
    keyword = re.match(r"(?i)(PREFIX|BASE|SELECT|CONSTRUCT|DESCRIBE|ASK|WHERE)\b", previous)
    if previous and not keyword and not previous.endswith((".", ";", ",", "{", "(", "}")):
        tail = previous if len(previous) <= 40 else "…" + previous[-30:]
        return f"is a '.' missing at the end of line {line - 1} ({tail})?"
    if line <= 1 and any(k in expected for k in ("SELECT", "DESCRIBE", "ASK")):
        return "a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE, after any PREFIX lines"
    if line == last_line and column > len(text):
        return "the query ends too early: finish the pattern or the expression"
    return "look at the text at the caret; `kg query --help` shows a query that works"


def _previous_code_line(sparql: str, line: int) -> str:
    """The line before `line`, without its comment, if it is the previous line with code."""
    lines = sparql.splitlines()
    if not 2 <= line <= len(lines):
        return ""
    return re.sub(r"#[^\n]*$", "", lines[line - 2]).strip()


def _braces(sparql: str) -> list[str]:
    """The { and } of a query outside strings, IRIs and comments."""
    text = re.sub(r"#[^\n]*|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>", " ", sparql)
    return [c for c in text if c in "{}"]


def _timeout_error(timeout: float) -> QueryError:
    return QueryError(
        f"the query did not finish within {timeout:g} s and was stopped; narrow the pattern, "
        "add LIMIT, or pass a longer --timeout"
    )


def _run_in_worker(path: str, sparql: str, timeout: float) -> QueryAnswer:
    # A fresh interpreter, not multiprocessing: spawn would import the caller's __main__ again
    # (a researcher's script or notebook), fork would copy RocksDB's threads' locks.
    command = [sys.executable, "-c", "from kg.query import query_worker; query_worker()"]
    request = json.dumps({"path": path, "sparql": sparql}).encode("utf-8")
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as worker:
        try:
            output, errors = worker.communicate(request, timeout=timeout)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.communicate()
            raise _timeout_error(timeout) from None
    header, _, data = output.partition(b"\n")
    try:
        meta = json.loads(header)
    except ValueError:
        detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise QueryError(f"the query worker failed ({detail[0]})") from None
    if meta["status"] != "ok":
        raise QueryError(meta["message"])
    return QueryAnswer(meta["kind"], data, tuple(meta["variables"]))


def query_worker() -> None:
    """The worker process of a query with a timeout: a JSON request on stdin; a JSON header
    line and the answer's bytes on stdout."""
    request = json.loads(sys.stdin.buffer.read())
    try:
        store = ox.Store.read_only(request["path"])
        result = store.query(request["sparql"], use_default_graph_as_union=True)
        answer = QueryAnswer.of(result)
        meta = {"status": "ok", "kind": answer.kind, "variables": list(answer.variables)}
    except SyntaxError as exc:
        answer, meta = None, {"status": "error", "message": f"SPARQL syntax error: {exc}"}
    except (OSError, RuntimeError, ValueError) as exc:
        answer, meta = None, {"status": "error", "message": f"query failed: {exc}"}
    out = sys.stdout.buffer
    out.write(json.dumps(meta).encode("utf-8") + b"\n")
    if answer is not None:
        out.write(answer.data)
    out.flush()


def _run_in_thread(store: KgStore, sparql: str, timeout: float) -> QueryAnswer:
    """For stores that are neither embedded nor remote: the caller stops waiting at the timeout
    (the thread itself cannot be stopped and ends when the query does)."""
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(lambda: QueryAnswer.of(store.query(sparql)))
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        raise _timeout_error(timeout) from None
    finally:
        pool.shutdown(wait=False)

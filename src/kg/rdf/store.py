"""The store: one function, `open_store`, takes a path or a SPARQL URL and returns a `KgStore`.

Nothing else in kg knows which backend it is. The embedded backend is a persistent Oxigraph store
(pyoxigraph), also reachable as an rdflib `Dataset` through oxrdflib; the remote backend speaks the
SPARQL 1.1 Protocol (query and update endpoints) to any triple store, such as an Oxigraph server
or Apache Jena Fuseki.

Every article lives in its own named graph; the default graph is the union of the named graphs.
Writing an article is one transaction: its graph is replaced whole or not at all.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from kg.errors import QueryError, StoreBusyError, StoreError
from kg.sparql import query_kind

DEFAULT_STORE = "kg-store"
STORE_ENV = "KG_STORE"


def default_location() -> str:
    return os.environ.get(STORE_ENV) or DEFAULT_STORE


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


class KgStore(Protocol):
    """What kg needs of a triple store."""

    location: str

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Replace the named graph with these quads, in one transaction."""

    def replace_graphs(self, batch: Sequence[tuple[ox.NamedNode, Sequence[ox.Quad]]]) -> None:
        """Replace several named graphs; each one is written whole or not at all."""

    def remove_graph(self, graph: ox.NamedNode) -> None: ...

    def named_graphs(self) -> list[ox.NamedNode]: ...

    def query(self, sparql: str, *, timeout: float | None = None) -> Any:
        """SELECT, ASK, CONSTRUCT or DESCRIBE, over the union of the named graphs."""

    def update(self, sparql: str) -> None: ...

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]: ...

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Bulk-add quads (loads of whole dumps)."""

    def close(self) -> None: ...


class EmbeddedStore:
    """A persistent Oxigraph store in a directory."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.location = str(path)
        self.path = path
        self.read_only = read_only
        self._lock = _StoreLock(path, shared=read_only)
        try:
            if read_only:
                if not (path / "CURRENT").exists():
                    raise StoreError(
                        f"{path}: no kg store here yet; run 'kg build INPUTS' first or pass --store"
                    )
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            message = str(exc)
            if "lock" in message.lower():
                raise StoreBusyError(
                    f"{path}: the store is busy, another kg process is writing to it; "
                    "retry when it has finished (or query a snapshot: kg dump / kg load)"
                ) from None
            raise StoreError(f"{path}: cannot open the store ({message}); check the path") from None
        except BaseException:
            self._lock.release()
            raise

    @property
    def oxigraph(self) -> ox.Store:
        return self._store

    def dataset(self) -> Any:
        """The store as an rdflib Dataset (through oxrdflib), for rdflib-based tools."""
        import rdflib
        from oxrdflib import OxigraphStore

        return rdflib.Dataset(store=OxigraphStore(store=self._store), default_union=True)

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        self.replace_graphs([(graph, list(quads))])

    # Oxigraph's bulk loader sorts up to this many quads in memory, writes one file per index and
    # hands them all to RocksDB in one ingestion, which RocksDB applies atomically across its
    # column families; past this size it ingests in several steps. (pyoxigraph 0.5,
    # DEFAULT_BULK_LOAD_BATCH_SIZE in oxigraph's storage/rocksdb.rs.)
    BULK_ATOMIC_QUADS = 1_000_000

    def replace_graphs(self, batch: Sequence[tuple[ox.NamedNode, Sequence[ox.Quad]]]) -> None:
        quads = [quad for _, graph_quads in batch for quad in graph_quads]
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
        self.replace_graphs_nquads([graph for graph, _ in batch], [data], len(quads))

    def replace_graphs_nquads(
        self, graphs: Sequence[ox.NamedNode], nquads: Sequence[bytes], quads: int
    ) -> None:
        """Replace these named graphs with `quads` quads given as N-Quads (whole lines per part).

        Each graph is written whole or not at all (the batch too, when it fits one bulk load).
        """
        # Old versions are removed first, then the new ones added in one atomic step: a crash in
        # between leaves those articles absent (never half-written), and the next build, which
        # no longer finds their fingerprints, writes them again. A batch that fits one bulk
        # ingestion goes through the bulk loader (about 3x less CPU per quad than a transaction,
        # whose write-ahead log and memtable flushes write every quad twice), which parses and
        # writes without holding the GIL; a larger one is one transaction.
        try:
            for graph in graphs:
                if self._store.contains_named_graph(graph):
                    self._store.remove_graph(graph)
            if any(b"_:" in part for part in nquads):
                # loading would give blank nodes new labels: store them as they are
                parsed = [
                    quad for part in nquads for quad in ox.parse(part, format=ox.RdfFormat.N_QUADS)
                ]
                if quads < self.BULK_ATOMIC_QUADS:
                    self._store.bulk_extend(parsed)
                else:
                    self._store.extend(parsed)
            elif quads < self.BULK_ATOMIC_QUADS:
                self._store.bulk_load(_stream(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
            else:
                self._store.load(_stream(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
        except OSError as exc:
            raise _write_error(self.location, exc) from None

    def remove_graph(self, graph: ox.NamedNode) -> None:
        try:
            self._store.remove_graph(graph)
        except OSError as exc:
            raise _write_error(self.location, exc) from None
        except RuntimeError:
            pass

    def named_graphs(self) -> list[ox.NamedNode]:
        return [g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)]

    def query(self, sparql: str, *, timeout: float | None = None) -> Any:
        try:
            return self._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except (OSError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except OSError as exc:
            raise _write_error(self.location, exc) from None

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        try:
            self._store.bulk_extend(quads)
        except OSError as exc:
            raise _write_error(self.location, exc) from None

    def flush(self) -> None:
        self._store.flush()

    def close(self) -> None:
        if not self.read_only:
            # flush is an optimisation of the next open; the data is already committed
            with contextlib.suppress(OSError):
                self._store.flush()
        del self._store
        self._lock.release()


class _Parts(io.RawIOBase):
    """Several byte strings read as one stream, without joining them into one more copy."""

    def __init__(self, parts: Sequence[bytes]) -> None:
        self._parts = parts
        self._index = 0
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._index < len(self._parts):
            part = self._parts[self._index]
            if self._offset < len(part):
                size = min(len(buffer), len(part) - self._offset)
                buffer[:size] = part[self._offset : self._offset + size]
                self._offset += size
                return size
            self._index += 1
            self._offset = 0
        return 0


def _stream(parts: Sequence[bytes]) -> io.BufferedReader:
    return io.BufferedReader(_Parts(parts), buffer_size=1 << 20)


class _StoreLock:
    """An advisory lock beside the data: one writer, or any number of readers, at a time.

    Oxigraph's own lock keeps a second writer out, but a reader that opens a store while another
    process writes it reads undefined data (pyoxigraph's Store.read_only). kg readers take the
    lock shared and writers exclusive, so either side is told at once that the store is busy.
    """

    NAME = "kg.lock"

    def __init__(self, path: Path, *, shared: bool) -> None:
        self._handle: Any = None
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path}: a file, not a store (a directory); pass another --store")
        if shared and not path.exists():
            return
        try:
            path.mkdir(parents=True, exist_ok=True)
            handle = (path / self.NAME).open("a+b")
        except OSError as exc:
            if shared and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                # A store on a read-only file system (or directory) cannot be written by
                # anyone, so readers need no lock; an existing lock file is still honoured.
                with contextlib.suppress(OSError):
                    self._handle = self._take((path / self.NAME).open("rb"), path, shared=True)
                return
            raise StoreError(
                f"{path}: cannot use the store ({exc.strerror}); check its permissions "
                "or pass another --store"
            ) from None
        self._handle = self._take(handle, path, shared=shared)

    @staticmethod
    def _take(handle: Any, path: Path, *, shared: bool) -> Any:
        import fcntl

        try:
            fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            doing = "writing to" if shared else "using"
            raise StoreBusyError(
                f"{path}: the store is busy, another kg process is {doing} it; retry when it "
                "has finished"
            ) from None
        return handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _write_error(location: str, exc: OSError) -> StoreError:
    text = str(exc)
    if "No space" in text or "ENOSPC" in text:
        return StoreError(f"{location}: the disk is full; free space and run the build again")
    if "Read-only" in text or "Permission" in text or "EACCES" in text:
        return StoreError(
            f"{location}: the store cannot be written ({text}); "
            "check permissions or pass another --store"
        )
    return StoreError(f"{location}: write failed ({text})")


class RemoteStore:
    """A triple store over the SPARQL 1.1 Protocol: queries to URL/query, updates to URL/update.

    For an Oxigraph server (`oxigraph serve`) give http://host:port; queries ask for the union
    of the named graphs as default graph with Oxigraph's `union-default-graph` parameter. For
    Apache Jena Fuseki give the dataset URL (http://host:3030/ds, which serves /query and
    /update too) and configure the dataset with `tdb2:unionDefaultGraph true`. An explicit
    query URL (…/query or …/sparql) works too; KG_UPDATE_URL names another update endpoint.
    """

    UNION_PARAMETER = "union-default-graph"
    INSERT_BATCH = 20_000

    def __init__(self, url: str, *, update_url: str | None = None, timeout: float = 60) -> None:
        self.location = url
        base = url.rstrip("/")
        if base.endswith(("/query", "/sparql")):
            self.query_url = base
            root = base.rsplit("/", 1)[0]
        else:
            self.query_url = base + "/query"
            root = base
        self.update_url = update_url or os.environ.get("KG_UPDATE_URL") or root + "/update"
        self.store_url = root + "/store"
        self.timeout = timeout

    def _open(
        self, url: str, fields: dict[str, str], accept: str, timeout: float | None = None
    ) -> Any:
        """POST form fields; the open response (a context manager), or a KgError that says why."""
        seconds = timeout if timeout is not None else self.timeout
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )
        try:
            return urllib.request.urlopen(request, timeout=seconds)
        except urllib.error.HTTPError as exc:
            with exc:
                detail = exc.read().decode("utf-8", "replace").strip()[:2000]
            if exc.code == 400:
                raise QueryError(f"{url}: the server rejected the request: {detail}") from None
            if exc.code in (401, 403):
                raise StoreError(
                    f"{url}: HTTP {exc.code}, the server refuses this request ({detail}); "
                    "a read-only endpoint cannot be built into, pass a read-write one"
                ) from None
            raise StoreError(f"{url}: HTTP {exc.code} {exc.reason}: {detail}") from None
        except TimeoutError:
            raise QueryError(
                f"{url}: no answer within {seconds:g} s; narrow the query or raise the timeout"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise QueryError(
                    f"{url}: no answer within {seconds:g} s; narrow the query or raise the timeout"
                ) from None
            raise StoreError(
                f"{url}: cannot reach the SPARQL endpoint ({reason}); check that it runs "
                "and the --store URL"
            ) from None

    def _read(self, url: str, fields: dict[str, str], accept: str, timeout: float | None) -> bytes:
        with self._open(url, fields, accept, timeout) as response:
            try:
                data: bytes = response.read()
            except TimeoutError:
                raise QueryError(
                    f"{url}: the answer did not arrive within the timeout; narrow the query"
                ) from None
            return data

    def _query_fields(self, sparql: str) -> dict[str, str]:
        return {"query": sparql, self.UNION_PARAMETER: "true"}

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        self.replace_graphs([(graph, list(quads))])

    def replace_graphs(self, batch: Sequence[tuple[ox.NamedNode, Sequence[ox.Quad]]]) -> None:
        # One SPARQL update request: the server applies it as one transaction.
        drops = "".join(f"DROP SILENT GRAPH {graph} ;\n" for graph, _ in batch)
        blocks = []
        for graph, quads in batch:
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
            text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
            blocks.append(f"GRAPH {graph} {{\n{text}}}")
        self.update(drops + "INSERT DATA {\n" + "\n".join(blocks) + "\n}")

    def remove_graph(self, graph: ox.NamedNode) -> None:
        self.update(f"DROP SILENT GRAPH {graph}")

    def named_graphs(self) -> list[ox.NamedNode]:
        results = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return [row["g"] for row in results if isinstance(row["g"], ox.NamedNode)]

    def query(self, sparql: str, *, timeout: float | None = None) -> Any:
        graph_result = query_kind(sparql) in {"CONSTRUCT", "DESCRIBE"}
        accept = "application/n-triples" if graph_result else "application/sparql-results+json"
        data = self._read(self.query_url, self._query_fields(sparql), accept, timeout)
        if graph_result:
            return iter(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)

    def update(self, sparql: str) -> None:
        self._read(self.update_url, {"update": sparql}, "*/*", None)

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        """Every quad (of one graph), streamed as tab-separated results, never all in memory."""
        where = f"GRAPH {graph} {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        fields = {"query": f"SELECT ?s ?p ?o ?g WHERE {{ {where} }}"}
        with self._open(self.query_url, fields, "text/tab-separated-values", None) as response:
            rows = ox.parse_query_results(response, format=ox.QueryResultsFormat.TSV)
            assert isinstance(rows, ox.QuerySolutions)
            for row in rows:
                yield ox.Quad(row["s"], row["p"], row["o"], graph or row["g"])

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        batch: list[ox.Quad] = []
        for quad in quads:
            batch.append(quad)
            if len(batch) >= self.INSERT_BATCH:
                self._insert(batch)
                batch = []
        if batch:
            self._insert(batch)

    def _insert(self, quads: list[ox.Quad]) -> None:
        by_graph: dict[ox.NamedNode | None, list[ox.Triple]] = {}
        for quad in quads:
            graph = quad.graph_name if isinstance(quad.graph_name, ox.NamedNode) else None
            by_graph.setdefault(graph, []).append(
                ox.Triple(quad.subject, quad.predicate, quad.object)
            )
        blocks = []
        for graph, triples in by_graph.items():
            text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
            blocks.append(f"GRAPH {graph} {{\n{text}}}" if graph else text)
        self.update("INSERT DATA {\n" + "\n".join(blocks) + "\n}")

    def close(self) -> None:
        return None


def open_store(location: str | Path | None = None, *, read_only: bool = False) -> KgStore:
    """The store at a path (embedded Oxigraph) or a SPARQL endpoint URL (remote)."""
    where = str(location) if location is not None else default_location()
    if is_remote(where):
        return RemoteStore(where)
    return EmbeddedStore(Path(where), read_only=read_only)

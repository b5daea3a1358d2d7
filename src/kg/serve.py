"""Serve: the store as a SPARQL 1.1 Protocol endpoint with a query editor, safe on a laptop.

Takes a store location and `ServeOptions`; gives a running `SparqlServer` (`serve`).

The SPARQL engine is Oxigraph's own server (`oxigraph serve-read-only`, from the `oxigraph`
package, the same version as pyoxigraph), with its YASGUI editor. A store that one process has
open for writing cannot be served by another (oxigraph #948), so it serves a snapshot of the
store (`Store.backup`, hard links where it can) taken at start: `kg build` can go on while the
server runs, and a restart serves what it added. `--allow-update` serves the store itself,
read-write, and holds the store's lock so that no build runs meanwhile.

In front of it, on the address the user sees, a guard (the standard library's HTTP server) adds
what Oxigraph's server lacks, measured with 0.5.13: its `--timeout-s` let a sort over a cross
product run 83 s past a 3 s timeout and then sent a 200 with a cut-off body; it has no result
limit; it runs SERVICE (reaching any URL); its page fetches prefix.cc. The guard:
- answers on 127.0.0.1 by default and refuses requests whose Host header names another host
  (DNS rebinding);
- refuses updates (403) unless `allow_update`, and SERVICE and LOAD unless `allow_service`;
- stops a query at the timeout with 504 and restarts the engine, which cannot cancel a sort;
- returns at most `limit` results or triples (header `X-Kg-Truncated: true` when cut);
- negotiates JSON, XML, CSV, TSV for results and Turtle, N-Triples, RDF/XML, JSON-LD for graphs,
  converting with pyoxigraph from the lossless TSV / N-Triples it asks the engine for;
- sends CORS headers only with `cors`;
- serves its own editor page: YASGUI (shipped inside the oxigraph binary) with the example
  queries of examples/queries as tabs and no completer that needs the network.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KgError, MissingExtraError, StoreBusyError, StoreError
from kg.rdf.namespaces import PREFIXES, sparql_prefixes
from kg.rdf.store import EmbeddedStore, is_remote
from kg.sparql import query_kind, uses_keyword

MAX_REQUEST_BYTES = 1 << 20
START_SECONDS = 20.0
STATIC = {"/yasgui.min.js", "/yasgui.min.css", "/logo.svg"}

SOLUTION_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class ServeOptions:
    """How `kg serve` serves: the defaults are the safe ones."""

    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 30.0
    limit: int = 10_000
    cors: bool = False
    allow_update: bool = False
    allow_service: bool = False
    log: Callable[[str], None] | None = field(default=None, compare=False)


def oxigraph_binary() -> str:
    """The `oxigraph` command of the oxigraph package (beside this Python, or on PATH)."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise MissingExtraError("kg serve", "server")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def take_snapshot(store_path: Path, into: Path) -> Path:
    """A consistent copy of the store in `into`/store (hard links on the same file system).

    Opens the store as a reader, so a build that is writing it makes this fail with 'busy'."""
    target = into / "store"
    store = EmbeddedStore(store_path, read_only=True)
    try:
        store.oxigraph.backup(str(target))
    except OSError as exc:
        raise StoreError(f"{store_path}: cannot take a snapshot to serve ({exc})") from None
    finally:
        store.close()
    return target


def _snapshot_dir(store_path: Path) -> Path:
    # Beside the store first: the backup then hard-links the store's files instead of copying.
    with contextlib.suppress(OSError):
        return Path(tempfile.mkdtemp(prefix=".kg-serve-", dir=store_path.resolve().parent))
    return Path(tempfile.mkdtemp(prefix="kg-serve-"))


# A kg serve holds OWNER of its work directory locked while it runs; ENGINE names the engine
# process it started ("pid location"). A kg serve killed with SIGKILL cannot clean up, so the
# next one removes what it left: the directory whose lock nobody holds, and its engine.
OWNER = "owner.lock"
ENGINE = "engine.pid"
# A directory without ENGINE may belong to a kg serve that is still starting; after this long,
# it does not.
STARTING_SECONDS = 60.0


def claim_workdir(workdir: Path) -> Any:
    """Lock `workdir` as this process's for as long as the returned handle stays open."""
    import fcntl

    handle = (workdir / OWNER).open("a+b")
    fcntl.flock(handle, fcntl.LOCK_EX)  # waits only while a reaper looks at the directory
    return handle


def reap_stale_workdirs(*directories: Path) -> int:
    """Remove the work directories (snapshots) of kg serve processes that died without cleaning
    up, and stop their engines; how many were removed. Live servers' directories are kept."""
    import fcntl

    removed = 0
    for directory in directories:
        for workdir in [*directory.glob(".kg-serve-*"), *directory.glob("kg-serve-*")]:
            try:
                handle = (workdir / OWNER).open("rb")
            except OSError:
                continue  # not a kg serve directory, or made by an older kg
            with handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # its kg serve is running
                engine = workdir / ENGINE
                if not engine.exists():
                    with contextlib.suppress(OSError):
                        if time.time() - workdir.stat().st_mtime < STARTING_SECONDS:
                            continue
                _stop_engine(engine)
                shutil.rmtree(workdir, ignore_errors=True)
                removed += 1
    return removed


def _stop_engine(engine: Path) -> None:
    """Kill the engine named in `engine`, if that process is still the Oxigraph server of that
    location (a pid may have been reused by another program since)."""
    try:
        pid_text, location = engine.read_text("utf-8").split(" ", 1)
        command = Path(f"/proc/{int(pid_text)}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return
    if location.encode() in command and any(b"oxigraph" in part for part in command[:2]):
        with contextlib.suppress(OSError):
            os.kill(int(pid_text), signal.SIGKILL)


class Engine:
    """The Oxigraph server process on a loopback port, restartable."""

    def __init__(self, location: Path, *, writable: bool, timeout: float, logs: Path) -> None:
        self.location = location
        self.writable = writable
        self.timeout = timeout
        self.logs = logs
        self.generation = 0
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()

    def start(self) -> None:
        command = [
            oxigraph_binary(),
            "serve" if self.writable else "serve-read-only",
            "--location",
            str(self.location),
            "--union-default-graph",
            "--timeout-s",
            str(max(1, math.ceil(self.timeout))),
        ]
        for _attempt in range(3):
            port = free_port()
            log = self.logs.open("ab")
            try:
                process = subprocess.Popen(
                    [*command, "--bind", f"127.0.0.1:{port}"],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                )
            finally:
                log.close()
            if self._wait_until_up(process, port):
                self._process, self.port = process, port
                with contextlib.suppress(OSError):
                    (self.logs.parent / ENGINE).write_text(
                        f"{process.pid} {self.location}", "utf-8"
                    )
                self._ready.set()
                return
        raise StoreError(f"{self.location}: the Oxigraph server did not start: {self._last_log()}")

    def _wait_until_up(self, process: subprocess.Popen[bytes], port: int) -> bool:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                message = self._last_log()
                if "lock" in message.lower():
                    raise StoreBusyError(
                        f"{self.location}: the store is busy, another process has it open; "
                        "stop it, or serve without --allow-update (a snapshot)"
                    )
                if "address" in message.lower() and "in use" in message.lower():
                    return False
                raise StoreError(f"{self.location}: the Oxigraph server stopped: {message}")
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                try:
                    connection.request("GET", "/logo.svg")
                    if connection.getresponse().status == 200:
                        return True
                finally:
                    connection.close()
            time.sleep(0.05)
        process.kill()
        process.wait()
        return False

    def _last_log(self) -> str:
        try:
            lines = self.logs.read_text("utf-8", "replace").strip().splitlines()
        except OSError:
            return "no message"
        return lines[-1] if lines else "no message"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def current(self) -> tuple[int, int]:
        """(port, generation) of the running engine; waits while it restarts."""
        self._ready.wait(START_SECONDS)
        return self.port, self.generation

    def restart(self, generation: int) -> None:
        """Kill and start again, unless another request already did since `generation`."""
        with self._lock:
            if generation != self.generation:
                return
            self._ready.clear()
            self._kill()
            self.generation += 1
            self.start()

    def _kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            if self.writable:
                self._process.terminate()
                try:
                    self._process.wait(5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
            else:
                self._process.kill()
            self._process.wait()
        self._process = None

    def stop(self) -> None:
        with self._lock:
            self._kill()
            self._ready.clear()


def _cpu_seconds(pid: int) -> float | None:
    """CPU time a process has used (Linux /proc), or None where that cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class Watchdog:
    """Restarts the engine when it keeps working on queries that the guard gave up on.

    Oxigraph cancels most queries at its own timeout, but not a sort over a huge join (83 s past
    a 3 s timeout, measured). After a 504, the watchdog waits until no query is in flight (or
    twice the timeout has passed) and restarts the engine only if it is still using CPU; queries
    caught by a restart are asked again once. Without /proc it restarts when idle.
    """

    INTERVAL = 0.5
    BUSY = 0.5  # share of one core

    def __init__(self, engine: Engine, timeout: float) -> None:
        self.engine = engine
        self.timeout = timeout
        self.restarts = 0
        self._lock = threading.Lock()
        self._inflight = 0
        self._abandoned_at: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="kg-serve-watchdog", daemon=True)
        self._thread.start()

    @contextlib.contextmanager
    def inflight(self) -> Iterator[None]:
        with self._lock:
            self._inflight += 1
        try:
            yield
        finally:
            with self._lock:
                self._inflight -= 1

    def abandoned(self) -> None:
        with self._lock:
            if self._abandoned_at is None:
                self._abandoned_at = time.monotonic()

    def _watch(self) -> None:
        last: tuple[float, float | None] | None = None
        while not self._stop.wait(self.INTERVAL):
            pid = self.engine.pid
            now = time.monotonic()
            cpu = _cpu_seconds(pid) if pid else None
            busy = True
            if last is not None and cpu is not None and last[1] is not None:
                busy = (cpu - last[1]) / max(now - last[0], 1e-3) > self.BUSY
            last = (now, cpu)
            with self._lock:
                since, inflight = self._abandoned_at, self._inflight
            if since is None:
                continue
            if cpu is not None and not busy:
                with self._lock:
                    self._abandoned_at = None  # the engine dropped the query itself
                continue
            if inflight == 0 or now - since > 2 * self.timeout:
                with self._lock:
                    self._abandoned_at = None
                self.engine.restart(self.engine.generation)
                self.restarts += 1
                last = None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.answer = _Answer(status, (message + "\n").encode("utf-8"))


class SparqlServer(http.server.ThreadingHTTPServer):
    """The guard in front of the engine, and the engine; `stop` ends both."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        engine: Engine,
        options: ServeOptions,
        workdir: Path,
        store_lock: Any = None,
        owner: Any = None,
    ) -> None:
        self.engine = engine
        self.options = options
        self.workdir = workdir
        self.store_lock = store_lock
        self.owner = owner
        self.static: dict[str, tuple[bytes, str]] = {}
        self.page = _editor_page(options)
        self.address_family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
        try:
            super().__init__((options.host, options.port), _GuardHandler)
        except OSError as exc:
            raise KgError(
                f"cannot listen on {options.host}:{options.port} ({exc.strerror}); "
                "pass another --port (0 picks a free one) or --host"
            ) from None
        self.watchdog = Watchdog(engine, options.timeout)
        self._stopped = False

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"

    def allowed_hosts(self) -> set[str] | None:
        """Names a Host header may carry, or None when bound to every interface."""
        if self.options.host in ("0.0.0.0", "::", ""):
            return None
        return {self.options.host.strip("[]").lower(), "localhost", "127.0.0.1", "::1"}

    def stop(self) -> None:
        """Stop serving (from another thread than the one serving), the engine, and clean up."""
        if self._stopped:
            return
        self.shutdown()
        self._clean_up()

    def _clean_up(self) -> None:
        self._stopped = True
        self.server_close()
        self.watchdog.stop()
        self.engine.stop()
        if self.store_lock is not None:
            self.store_lock.release()
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self.owner is not None:
            self.owner.close()

    def run(self) -> None:
        """Serve until Ctrl-C, SIGTERM or SIGHUP (the terminal closing), then stop everything:
        the engine, and the snapshot."""
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGHUP):
                previous[signum] = signal.signal(signum, _raise_keyboard_interrupt)
        try:
            self.serve_forever(poll_interval=0.25)
        except KeyboardInterrupt:
            pass
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self._clean_up()

    def __enter__(self) -> SparqlServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def serve(location: str | Path, options: ServeOptions | None = None) -> SparqlServer:
    """Start the endpoint on the store at `location`; returns it listening (call `run()` to
    serve in this thread, or `serve_forever()` in another, and `stop()`)."""
    options = options or ServeOptions()
    if is_remote(str(location)):
        raise KgError(
            f"{location} is already a SPARQL endpoint; kg serve serves an embedded store "
            "(a directory), open the remote one directly"
        )
    store_path = Path(location)
    if not (store_path / "CURRENT").exists():
        raise StoreError(
            f"{store_path}: no kg store here yet; run 'kg build INPUTS' first or pass --store"
        )
    oxigraph_binary()
    reap_stale_workdirs(store_path.resolve().parent, Path(tempfile.gettempdir()))
    workdir = _snapshot_dir(store_path)
    owner = claim_workdir(workdir)
    lock = None
    try:
        if options.allow_update:
            from kg.rdf.store import _StoreLock

            lock = _StoreLock(store_path, shared=False)
            served = store_path
        else:
            served = take_snapshot(store_path, workdir)
        engine = Engine(
            served,
            writable=options.allow_update,
            timeout=options.timeout,
            logs=workdir / "oxigraph.log",
        )
        engine.start()
        try:
            return SparqlServer(engine, options, workdir, lock, owner)
        except BaseException:
            engine.stop()
            raise
    except BaseException:
        if lock is not None:
            lock.release()
        shutil.rmtree(workdir, ignore_errors=True)
        owner.close()
        raise


def examples_dir() -> Path:
    """The example queries: examples/queries of a checkout, or as installed with the package."""
    package = Path(__file__).resolve().parent
    installed, checkout = package / "_queries", package.parent.parent / "examples" / "queries"
    return installed if installed.exists() else checkout


def example_queries() -> list[dict[str, str]]:
    """The example queries (.rq files), each with a short title made of its file name."""
    examples = []
    for path in sorted(examples_dir().glob("*.rq")):
        title = re.sub(r"^\d+[-_ ]*", "", path.stem).replace("-", " ").replace("_", " ")
        examples.append({"title": title, "query": path.read_text(encoding="utf-8")})
    return examples


def _editor_page(options: ServeOptions) -> bytes:
    template = (Path(__file__).parent / "serve_index.html").read_text(encoding="utf-8")
    config = {
        "examples": example_queries(),
        "prefixes": sparql_prefixes(),
        "starter": "SELECT * WHERE {\n  ?s ?p ?o\n}\nLIMIT 10\n",
        "prefixNames": ", ".join(PREFIXES),
        "timeout": options.timeout,
        "limit": options.limit,
        "mode": "read-write" if options.allow_update else "read-only snapshot",
    }
    # Inside <script>, "</" would end the element and "<!--" start a comment: escape "<".
    payload = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return template.replace("__KG_CONFIG__", payload).encode("utf-8")


def negotiate(accept: str | None, offered: dict[str, Any], default: str) -> str | None:
    """The media type of `offered` that the Accept header prefers; None if it accepts none."""
    if not accept:
        return default
    choices: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        quality = 1.0
        for parameter in parts[1:]:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            choices.append((-quality, index, media))
    for _quality, _index, media in sorted(choices):
        if media in offered:
            return media
        if media in ("*/*", "*"):
            return default
        if media.endswith("/*"):
            family = media[:-1]
            if default.startswith(family):
                return default
            for candidate in offered:
                if candidate.startswith(family):
                    return candidate
    return None


class _GuardHandler(http.server.BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"

    # ---------------------------------------------------------------- plumbing

    def log_message(self, format: str, *args: Any) -> None:
        log = self.server.options.log
        if log is not None:
            log(f"{self.address_string()} {format % args}")

    def _send(self, answer: _Answer) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.server.options.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", "X-Kg-Truncated, X-Kg-Result-Limit")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def _handle(self) -> None:
        try:
            answer = self._route()
        except _Refused as refusal:
            answer = refusal.answer
        with contextlib.suppress(OSError):
            self._send(answer)

    do_GET = do_POST = do_HEAD = _handle

    def do_OPTIONS(self) -> None:
        if not self.server.options.cors:
            self._send(_Answer(405, b"cross-origin requests are off (kg serve --cors)\n"))
            return
        self._send(
            _Answer(
                204,
                b"",
                headers={
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Content-Type, Accept",
                    "Access-Control-Max-Age": "600",
                },
            )
        )

    def _refuse_method(self) -> None:
        self._send(_Answer(405, b"only GET and POST\n", headers={"Allow": "GET, POST"}))

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    # ---------------------------------------------------------------- routing

    def _route(self) -> _Answer:
        allowed = self.server.allowed_hosts()
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if allowed is not None and name.strip("[]") not in allowed:
            raise _Refused(403, f"unexpected Host header {host!r}; use the address kg serve shows")
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/index.html") and self.command in ("GET", "HEAD"):
            return _Answer(200, self.server.page, "text/html; charset=utf-8")
        if url.path in STATIC and self.command in ("GET", "HEAD"):
            return self._static(url.path)
        if url.path in ("/query", "/sparql", "/update"):
            fields, content_type, body = self._request_fields(url.query)
            if (
                url.path == "/update"
                or "update" in fields
                or content_type == ("application/sparql-update")
            ):
                update = fields.get("update") or body.decode("utf-8", "replace")
                return self._update(update)
            if content_type == "application/sparql-query":
                fields["query"] = body.decode("utf-8", "replace")
            if "query" not in fields:
                if url.path == "/sparql" and self.command == "GET":
                    return _Answer(303, b"", headers={"Location": "/"})
                raise _Refused(400, "no query: send it as the 'query' parameter")
            return self._query(fields)
        raise _Refused(404, "not here: the editor is at /, the SPARQL endpoint at /query")

    def _request_fields(self, query_string: str) -> tuple[dict[str, str], str, bytes]:
        fields = dict(urllib.parse.parse_qsl(query_string, keep_blank_values=True))
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        body = b""
        if self.command == "POST":
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                raise _Refused(400, "bad Content-Length") from None
            if length > MAX_REQUEST_BYTES:
                raise _Refused(413, f"request larger than {MAX_REQUEST_BYTES} bytes")
            body = self.rfile.read(length)
            if content_type == "application/x-www-form-urlencoded":
                text = body.decode("utf-8", "replace")
                fields.update(urllib.parse.parse_qsl(text, keep_blank_values=True))
        return fields, content_type, body

    def _static(self, path: str) -> _Answer:
        cached = self.server.static.get(path)
        if cached is None:
            status, headers, body = self._upstream("GET", path, None, {})
            if status != 200:
                raise _Refused(502, f"the engine did not serve {path}")
            cached = (body, headers.get("content-type", "application/octet-stream"))
            self.server.static[path] = cached
        return _Answer(200, cached[0], cached[1], {"Cache-Control": "max-age=3600"})

    # ---------------------------------------------------------------- SPARQL

    def _update(self, update: str) -> _Answer:
        options = self.server.options
        if not options.allow_update:
            raise _Refused(
                403, "this endpoint is read-only (kg serve --allow-update accepts updates)"
            )
        for keyword in ("SERVICE", "LOAD"):
            if not options.allow_service and uses_keyword(update, keyword):
                raise _Refused(
                    403,
                    f"{keyword} reaches other servers or files and is refused "
                    "(kg serve --allow-service allows it)",
                )
        body = urllib.parse.urlencode({"update": update}).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, upstream_headers, data = self._upstream("POST", "/update", body, headers)
        return _Answer(status, data, upstream_headers.get("content-type", "text/plain"))

    def _query(self, fields: dict[str, str]) -> _Answer:
        options = self.server.options
        query = fields["query"]
        if query_kind(query) == "UPDATE":
            raise _Refused(403, "updates go to /update; this endpoint is read-only")
        if not options.allow_service and uses_keyword(query, "SERVICE"):
            raise _Refused(
                403,
                "SERVICE sends the query to other servers and is refused "
                "(kg serve --allow-service allows it)",
            )
        forwarded = {
            k: v
            for k, v in fields.items()
            if k in ("query", "default-graph-uri", "named-graph-uri")
        }
        body = urllib.parse.urlencode(forwarded).encode("utf-8")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "text/tab-separated-values, application/n-triples;q=0.9",
        }
        deadline = time.monotonic() + options.timeout
        with self.server.watchdog.inflight():
            for attempt in range(2):
                port, generation = self.server.engine.current()
                try:
                    kind, lines, truncated = _ask_engine(port, body, headers, deadline, options)
                except _EngineAnswer as answer:
                    return answer.answer
                except TimeoutError:
                    self.server.watchdog.abandoned()
                    return _Answer(
                        504,
                        f"the query did not finish within {options.timeout:g} s and was stopped "
                        "(kg serve --timeout); narrow the pattern or add LIMIT\n".encode(),
                    )
                except (OSError, http.client.HTTPException):
                    # The engine was restarted under this query (a runaway one was stopped):
                    # ask the new one, once.
                    if attempt == 0 and self.server.engine.generation != generation:
                        continue
                    raise _Refused(503, "the query engine did not answer; retry") from None
                return self._convert(kind, lines, truncated)
        raise _Refused(503, "the query engine did not answer; retry")

    def _convert(self, kind: str, lines: list[bytes], truncated: bool) -> _Answer:
        limit = self.server.options.limit
        accept = self.headers.get("Accept")
        extra = {"X-Kg-Result-Limit": str(limit), "Vary": "Accept"}
        if truncated:
            extra["X-Kg-Truncated"] = "true"
        data = b"".join(lines)
        try:
            if kind == "application/n-triples":
                media = negotiate(accept, GRAPH_TYPES, "text/turtle")
                if media is None:
                    raise _Refused(406, "a graph comes as " + ", ".join(GRAPH_TYPES))
                triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
                prefixes = {p: i for p, i in PREFIXES.items() if p != "kgid"}
                out = ox.serialize(
                    triples,
                    format=GRAPH_TYPES[media],
                    prefixes=prefixes if media == "text/turtle" else None,
                )
            else:
                media = negotiate(accept, SOLUTION_TYPES, "application/sparql-results+json")
                if media is None:
                    raise _Refused(406, "results come as " + ", ".join(SOLUTION_TYPES))
                results = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
                out = results.serialize(format=SOLUTION_TYPES[media])
        except (SyntaxError, ValueError):
            # Oxigraph ends a body it had to cancel with a message instead of results.
            raise _Refused(
                504, "the query was cancelled by the engine's timeout (kg serve --timeout)"
            ) from None
        charset = "; charset=utf-8" if media.startswith("text/") else ""
        return _Answer(200, out or b"", media + charset, extra)

    def _upstream(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        port, _generation = self.server.engine.current()
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=self.server.options.timeout
        )
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        except (OSError, http.client.HTTPException) as exc:
            raise _Refused(503, f"the query engine did not answer ({exc}); retry") from None
        finally:
            connection.close()


class _EngineAnswer(Exception):
    """The engine answered with an error status (a syntax error, say): passed on as it is."""

    def __init__(self, answer: _Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def _ask_engine(
    port: int, body: bytes, headers: dict[str, str], deadline: float, options: ServeOptions
) -> tuple[str, list[bytes], bool]:
    """The engine's answer: its media type, the lines read (at most the limit), whether cut."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=options.timeout)
    try:
        connection.request("POST", "/query", body, headers)
        sock = connection.sock
        response = connection.getresponse()
        if response.status != 200:
            detail = response.read()
            content_type = response.getheader("Content-Type", "text/plain")
            raise _EngineAnswer(_Answer(response.status, detail, content_type))
        kind = (response.getheader("Content-Type") or "").split(";")[0].strip()
        lines, truncated = _read_lines(sock, response, options.limit, deadline)
        return kind, lines, truncated
    finally:
        connection.close()


def _read_lines(
    sock: socket.socket | None,
    response: http.client.HTTPResponse,
    limit: int,
    deadline: float,
) -> tuple[list[bytes], bool]:
    """The header line (TSV) and at most `limit` result lines; whether more were left unread.

    Reading stops at the deadline (TimeoutError): each read may wait only the time left."""
    lines: list[bytes] = []
    header = response.getheader("Content-Type", "").startswith("text/tab-separated-values")
    wanted = limit + (1 if header else 0)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        if sock is not None:
            sock.settimeout(left)
        line = response.readline()
        if not line:
            return lines, False
        if len(lines) == wanted:
            return lines, True
        lines.append(line)


@contextlib.contextmanager
def running(location: str | Path, options: ServeOptions | None = None) -> Iterator[SparqlServer]:
    """The server serving in a background thread, stopped on exit (for tests and notebooks)."""
    server = serve(location, options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(5)


__all__ = ["ServeOptions", "SparqlServer", "negotiate", "running", "serve"]

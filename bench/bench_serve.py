"""Load test of kg serve: 1,000 SPARQL queries from 8 concurrent clients, on loopback only.

Builds the dev corpus into a temporary store, starts `kg serve` on it (the guard in front of
Oxigraph's server, default options), and sends the example queries of examples/queries plus
point lookups, round-robin, from 8 threads. Reports throughput and latency percentiles, for the
guard and, for comparison, for Oxigraph's server directly behind it; then one query designed to
explode, to show the timeout holding under load.

    .venv/bin/python bench/bench_serve.py [--queries 1000] [--clients 8] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import statistics
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from kg.build import build
from kg.rdf.store import open_store
from kg.serve import ServeOptions, example_queries, running

HERE = Path(__file__).resolve().parent
LOOKUPS = [
    "SELECT ?label WHERE { ?z a <https://w3id.org/kg-innovation/ontology#Zone> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 20",
    "ASK { ?a a <https://w3id.org/kg-innovation/ontology#Article> }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
]
EXPLODING = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
TIMEOUT = 30.0  # kg serve's default


def send(url: str, query: str) -> tuple[float, int]:
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Accept": "application/sparql-results+json"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        with error:
            status = error.code
    return time.perf_counter() - started, status


def load(url: str, queries: list[str], total: int, clients: int) -> dict[str, float]:
    work = [queries[i % len(queries)] for i in range(total)]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda q: send(url, q), work))
    seconds = time.perf_counter() - started
    latencies = sorted(r[0] for r in results)
    errors = sum(1 for r in results if r[1] != 200)

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "queries": total,
        "clients": clients,
        "errors": errors,
        "seconds": round(seconds, 2),
        "queries_per_second": round(total / seconds, 1),
        "p50_ms": round(percentile(0.50), 1),
        "p95_ms": round(percentile(0.95), 1),
        "p99_ms": round(percentile(0.99), 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "mean_ms": round(statistics.mean(latencies) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared/corpus/dev")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kg-bench-serve-") as tmp:
        location = Path(tmp) / "store"
        writer = open_store(location)
        try:
            build([str(args.corpus)], writer, workers=1)
        finally:
            writer.close()
        queries = [e["query"] for e in example_queries()] + LOOKUPS
        with running(location, ServeOptions(port=0, timeout=TIMEOUT)) as server:
            guard = load(server.url + "query", queries, args.queries, args.clients)
            port, _generation = server.engine.current()
            engine = load(f"http://127.0.0.1:{port}/query", queries, args.queries, args.clients)
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                exploding = pool.submit(send, server.url + "query", EXPLODING)
                during = load(server.url + "query", queries, 200, args.clients - 1)
                explode_seconds, explode_status = exploding.result()
            time.sleep(3)  # the watchdog restarts the engine if it still works on the query
            restarts = server.watchdog.restarts
    report = {
        "corpus": str(args.corpus),
        "distinct_queries": len(queries),
        "kg_serve": guard,
        "oxigraph_direct": engine,
        "exploding_query": {
            "status": explode_status,
            "seconds": round(explode_seconds, 2),
            "timeout": TIMEOUT,
            "engine_restarts": restarts,
        },
        "load_during_exploding_query": during,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

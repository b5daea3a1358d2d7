"""Build: inputs in, the store updated; one named graph per article, written in one transaction.

An article whose fingerprint (its content and the version of the extractor) is already in the
store is left alone; a changed article replaces its graph; a bad file is reported and skipped.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg import __version__
from kg.extract import EXTRACTOR_VERSION, extract_many
from kg.ingest import Notice, Skipped, read_inputs
from kg.model import Article, Extraction
from kg.rdf.mapping import extraction_quads
from kg.rdf.namespaces import ONTOLOGY, article_id_of_graph, graph_iri
from kg.rdf.store import KgStore

ProgressCallback = Callable[[int], None]


@dataclass
class BuildReport:
    """What a build did; `to_json` is what `kg build --report` writes."""

    built: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    entities: int = 0
    relations: int = 0
    indicators: int = 0
    stage_seconds: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def articles_per_second(self) -> float:
        done = self.built + self.unchanged
        return done / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "built": self.built,
            "unchanged": self.unchanged,
            "skipped": [{"input": s.where, "reason": s.reason} for s in self.skipped],
            "notices": [{"input": n.where, "message": n.message} for n in self.notices],
            "entities_added": self.entities,
            "relations_added": self.relations,
            "indicators_added": self.indicators,
            "seconds": round(self.seconds, 3),
            "articles_per_second": round(self.articles_per_second, 1),
            "stage_seconds": {k: round(v, 3) for k, v in sorted(self.stage_seconds.items())},
        }


def fingerprint(article: Article) -> str:
    """What decides whether an article must be extracted again."""
    parts = [
        __version__,
        EXTRACTOR_VERSION,
        article.id,
        article.title,
        article.text,
        article.date or "",
        article.source or "",
        article.url or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def stored_fingerprints(store: KgStore) -> dict[str, str]:
    """Article id -> fingerprint of every article in the store."""
    results = store.query(f"SELECT ?g ?f WHERE {{ GRAPH ?g {{ ?a <{ONTOLOGY}fingerprint> ?f }} }}")
    return {article_id_of_graph(row["g"]): row["f"].value for row in results}


def build(
    inputs: Iterable[str],
    store: KgStore,
    *,
    encoding: str | None = None,
    workers: int = 1,
    progress: ProgressCallback | None = None,
    scheduler: str | Any | None = None,
) -> BuildReport:
    """Ingest, normalize, extract and write every article of `inputs` into `store`.

    Extraction runs in `workers` local processes, or on the Dask cluster at `scheduler`; the
    store is written by this process alone, so the result is the same either way.
    """
    report = BuildReport()
    started = time.perf_counter()
    known = stored_fingerprints(store)
    seen: dict[str, str] = {}

    def to_extract() -> Iterator[Article]:
        clock = time.perf_counter()
        for item in read_inputs(inputs, encoding=encoding):
            report.stage_seconds["ingest"] += time.perf_counter() - clock
            if isinstance(item, Skipped):
                report.skipped.append(item)
            elif isinstance(item, Notice):
                report.notices.append(item)
            else:
                fp = fingerprint(item)
                if item.id in seen and seen[item.id] != fp:
                    report.skipped.append(
                        Skipped(
                            item.file or item.id,
                            f"id {item.id!r} was already given to another article in this "
                            "build; give each article its own id",
                        )
                    )
                elif item.id in seen or known.get(item.id) == fp:
                    report.unchanged += 1
                    seen[item.id] = fp
                    if progress:
                        progress(1)
                else:
                    seen[item.id] = fp
                    yield item
            clock = time.perf_counter()

    batch: list[tuple[ox.NamedNode, list[ox.Quad]]] = []
    batch_quads = 0

    def flush() -> None:
        nonlocal batch, batch_quads
        if not batch:
            return
        clock = time.perf_counter()
        store.replace_graphs(batch)
        report.stage_seconds["store"] += time.perf_counter() - clock
        report.built += len(batch)
        if progress:
            progress(len(batch))
        batch, batch_quads = [], 0

    if scheduler is not None:
        from kg.distributed import extract_on_dask

        extractions = extract_on_dask(to_extract(), scheduler)
    else:
        extractions = extract_many(to_extract(), workers=workers, timings=report.stage_seconds)
    for extraction in extractions:
        clock = time.perf_counter()
        graph, quads = article_graph(extraction)
        report.stage_seconds["rdf"] += time.perf_counter() - clock
        batch.append((graph, quads))
        batch_quads += len(quads)
        report.entities += len(extraction.entities)
        report.relations += len(extraction.relations)
        report.indicators += len(extraction.indicators)
        if len(batch) >= BATCH_ARTICLES or batch_quads >= BATCH_QUADS:
            flush()
    flush()
    report.seconds = time.perf_counter() - started
    return report


# Articles are written in batches: one transaction per batch is much faster than one per
# article, and each article still lands whole or not at all.
BATCH_ARTICLES = 256
BATCH_QUADS = 200_000


def article_graph(extraction: Extraction) -> tuple[ox.NamedNode, list[ox.Quad]]:
    """The article's named graph and the quads that make it up."""
    article = extraction.article
    return graph_iri(article.id), extraction_quads(extraction, fingerprint(article))


def write_extraction(store: KgStore, extraction: Extraction) -> None:
    """Replace the article's named graph with what was extracted from it, in one transaction."""
    store.replace_graphs([article_graph(extraction)])


def remove_article(store: KgStore, article_id: str) -> bool:
    """Delete an article and everything only it supported; False if it was not in the store."""
    graph = graph_iri(article_id)
    if graph not in store.named_graphs():
        return False
    store.remove_graph(graph)
    return True

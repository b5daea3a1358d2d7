"""Extraction on a Dask cluster: articles in, extractions out, in input order.

Dask (the `dask` extra) ships batches of articles to the cluster's workers, which run the same
`extract_article` as a local build; the results come back here, to the one process that writes
the store (embedded, or a remote SPARQL store shared by the team). At most `window` batches are
in flight, so memory stays flat however many articles stream through.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from kg.errors import KgError, MissingExtraError
from kg.ingest import Skipped
from kg.model import Article, Extraction


def extract_batch(articles: list[Article]) -> list[Extraction | Skipped]:
    """What one Dask task does: extract a batch of articles (runs on a worker); an article the
    extractor fails on comes back as a `Skipped` naming it, as in a local build."""
    from kg.extract import extract_or_skip

    return [extract_or_skip(article) for article in articles]


def connect(scheduler: str | Any, *, timeout: float = 10) -> Any:
    """A Dask client for a scheduler address (tcp://host:8786) or an existing cluster object."""
    try:
        from distributed import Client
    except ImportError:
        raise MissingExtraError("kg build --executor dask", "dask") from None
    try:
        # distributed.Client has no annotated __init__
        return Client(scheduler, timeout=f"{timeout}s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise KgError(
            f"{scheduler}: cannot reach the Dask scheduler ({exc}); check --scheduler"
        ) from None


def extract_on_dask(
    articles: Iterable[Article],
    scheduler: str | Any,
    *,
    batch_size: int = 64,
    window: int = 16,
    connect_timeout: float = 10,
) -> Iterator[Extraction | Skipped]:
    """Extractions of `articles` computed on the cluster at `scheduler`, in input order."""
    client = connect(scheduler, timeout=connect_timeout)
    try:
        stream = iter(articles)
        pending: deque[Any] = deque()

        def submit() -> bool:
            batch = list(islice(stream, batch_size))
            if batch:
                pending.append(client.submit(extract_batch, batch, pure=False))
            return bool(batch)

        while len(pending) < window and submit():
            pass
        while pending:
            results = pending.popleft().result()
            submit()
            yield from results
    finally:
        client.close()

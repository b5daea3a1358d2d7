"""Extract: an article in; its entities, relations and indicators, each with evidence, out.

`extract_article` runs the default pipeline (`kg.extract.pipeline`, built from config.cfg) on one
article; `extract_many` streams articles through it, in several processes when asked, in input
order and with the same output whatever the number of processes. An article whose extraction
fails with an unexpected error (a bug of the extractor) comes out of `extract_many` and
`extract_or_skip` as a `kg.ingest.Skipped` that names it, so one article never ends a build.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.ingest import Skipped
from kg.model import Article, Extraction

if TYPE_CHECKING:
    from spacy.language import Language

# Bump when extraction output changes, so that `kg build` extracts unchanged articles again.
EXTRACTOR_VERSION = "8"

_CHUNK = 16


def extract_article(article: Article) -> Extraction:
    """Entities, relations and indicators of one article (an unexpected error is raised)."""
    from kg.extract.pipeline import article_doc, default_pipeline, to_extraction

    nlp = default_pipeline()
    doc, normalized = article_doc(nlp, article)
    for _, component in nlp.pipeline:
        doc = component(doc)
    return to_extraction(article, normalized, doc)


def extract_or_skip(article: Article) -> Extraction | Skipped:
    """The extraction of one article, or a `Skipped` naming it when the extractor fails."""
    return _extract_chunk([article])[0][0]


def internal_error(article: Article, exc: BaseException) -> Skipped:
    """What is reported for an article whose extraction raised `exc`."""
    where = article.file or article.id
    if article.file and article.id_given:
        where = f"{article.file} (id {article.id})"
    return Skipped(
        where,
        f"internal error while extracting ({type(exc).__name__}: {exc}); "
        "the article was skipped; please report it with this file",
    )


def _extract_chunk(
    articles: list[Article],
) -> list[tuple[Extraction | Skipped, dict[str, float]]]:
    """Extract a few articles with this process's pipeline, timing normalize and extract.

    The chunk runs in a spaCy memory zone: the strings and lexemes its texts add to the
    vocabulary are dropped after it, so a worker that extracts 50,000 articles does not keep
    every word it met (extractions are plain Python and outlive the zone).
    """
    from kg.extract.pipeline import default_pipeline

    nlp = default_pipeline()
    with nlp.memory_zone():
        return [_extract_one(nlp, article) for article in articles]


def _extract_one(nlp: Language, article: Article) -> tuple[Extraction | Skipped, dict[str, float]]:
    from kg.extract.pipeline import article_doc, to_extraction

    clock = time.perf_counter()
    ready = clock
    try:
        doc, normalized = article_doc(nlp, article)
        ready = time.perf_counter()
        for _, component in nlp.pipeline:
            doc = component(doc)
        result: Extraction | Skipped = to_extraction(article, normalized, doc)
    except KgError:
        raise  # a missing word list or model: no article can be extracted, say so once
    except Exception as exc:
        # A bug met on one article must not end a build of thousands: report and go on.
        result = internal_error(article, exc)
    done = time.perf_counter()
    return result, {"normalize": ready - clock, "extract": done - ready}


def _chunks(articles: Iterable[Article]) -> Iterator[list[Article]]:
    it = iter(articles)
    while chunk := list(islice(it, _CHUNK)):
        yield chunk


def extract_many(
    articles: Iterable[Article],
    *,
    workers: int = 1,
    timings: dict[str, float] | None = None,
) -> Iterator[Extraction | Skipped]:
    """Extractions of `articles` in their order; `workers` > 1 extracts in that many processes.

    An article that the extractor fails on (an unexpected error) gives a `Skipped` in its place.
    """
    if workers <= 1:
        results: Iterable[list[tuple[Extraction | Skipped, dict[str, float]]]] = map(
            _extract_chunk, _chunks(articles)
        )
        yield from _collect(results, timings)
        return
    yield from _collect(_in_processes(articles, workers), timings)


def _in_processes(
    articles: Iterable[Article], workers: int
) -> Iterator[list[tuple[Extraction | Skipped, dict[str, float]]]]:
    """Chunks extracted in `workers` processes, in order, with a bounded number in flight.

    A worker that dies (the OOM killer, a kill -9) breaks the pool: that is an error naming the
    articles it had, where multiprocessing.Pool would have waited for it forever."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context)
    pending: deque[tuple[Future[list[tuple[Extraction | Skipped, dict[str, float]]]], str]]
    pending = deque()
    finished = False
    try:
        chunks = _chunks(articles)
        while True:
            while len(pending) < 2 * workers and (chunk := next(chunks, None)) is not None:
                first = chunk[0].file or chunk[0].id
                pending.append((pool.submit(_extract_chunk, chunk), first))
            if not pending:
                finished = True
                return
            future, first = pending.popleft()
            try:
                yield future.result()
            except BrokenProcessPool:
                raise KgError(
                    f"an extraction worker died (killed, or out of memory) while extracting "
                    f"articles from {first} on; what was stored before is whole: run the build "
                    "again with --workers 1 to find the article, or give it more memory"
                ) from None
    finally:
        # Closed early (the store failed, say), this may run in whatever thread collects the
        # generator, even the pool's own: waiting there would join that thread with itself.
        # The workers end after their current chunk.
        pool.shutdown(wait=finished, cancel_futures=True)


def _collect(
    results: Iterable[list[tuple[Extraction | Skipped, dict[str, float]]]],
    timings: dict[str, float] | None,
) -> Iterator[Extraction | Skipped]:
    for chunk in results:
        for extraction, seconds in chunk:
            if timings is not None:
                for stage, spent in seconds.items():
                    timings[stage] = timings.get(stage, 0.0) + spent
            yield extraction

"""Extract: an article in; its entities, relations and indicators, each with evidence, out.

`extract_article` runs the default pipeline (`kg.extract.pipeline`, built from config.cfg) on one
article; `extract_many` streams articles through it, in several processes when asked, in input
order and with the same output whatever the number of processes.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice

from kg.model import Article, Extraction

# Bump when extraction output changes, so that `kg build` extracts unchanged articles again.
EXTRACTOR_VERSION = "3"

_CHUNK = 16


def extract_article(article: Article) -> Extraction:
    """Entities, relations and indicators of one article."""
    return _extract_chunk([article])[0][0]


def _extract_chunk(articles: list[Article]) -> list[tuple[Extraction, dict[str, float]]]:
    """Extract a few articles with this process's pipeline, timing normalize and extract."""
    from kg.extract.pipeline import article_doc, default_pipeline, to_extraction

    nlp = default_pipeline()
    results = []
    for article in articles:
        clock = time.perf_counter()
        doc, normalized = article_doc(nlp, article)
        ready = time.perf_counter()
        for _, component in nlp.pipeline:
            doc = component(doc)
        extraction = to_extraction(article, normalized, doc)
        done = time.perf_counter()
        results.append((extraction, {"normalize": ready - clock, "extract": done - ready}))
    return results


def _chunks(articles: Iterable[Article]) -> Iterator[list[Article]]:
    it = iter(articles)
    while chunk := list(islice(it, _CHUNK)):
        yield chunk


def extract_many(
    articles: Iterable[Article],
    *,
    workers: int = 1,
    timings: Counter[str] | None = None,
) -> Iterator[Extraction]:
    """Extractions of `articles` in their order; `workers` > 1 extracts in that many processes."""
    if workers <= 1:
        results: Iterable[list[tuple[Extraction, dict[str, float]]]] = map(
            _extract_chunk, _chunks(articles)
        )
        yield from _collect(results, timings)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        yield from _collect(pool.imap(_extract_chunk, _chunks(articles)), timings)


def _collect(
    results: Iterable[list[tuple[Extraction, dict[str, float]]]], timings: Counter[str] | None
) -> Iterator[Extraction]:
    for chunk in results:
        for extraction, seconds in chunk:
            if timings is not None:
                timings.update(seconds)
            yield extraction

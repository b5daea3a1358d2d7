"""Extract: an article in; its entities, relations and indicators, each with evidence, out.

`extract_article` runs the default pipeline on one article; `extract_many` streams articles
through it, in several processes when asked, in input order.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Iterable, Iterator

from kg.model import Article, Extraction
from kg.normalize import normalize_text

# Bump when extraction output changes, so that `kg build` extracts unchanged articles again.
EXTRACTOR_VERSION = "0"


def extract_article(article: Article) -> Extraction:
    """Entities, relations and indicators of one article."""
    return _extract_timed(article)[0]


def _extract_timed(article: Article) -> tuple[Extraction, dict[str, float]]:
    clock = time.perf_counter()
    normalize_text(article.full_text)
    normalized = time.perf_counter()
    extraction = Extraction(article=article)
    done = time.perf_counter()
    return extraction, {"normalize": normalized - clock, "extract": done - normalized}


def extract_many(
    articles: Iterable[Article],
    *,
    workers: int = 1,
    timings: Counter[str] | None = None,
) -> Iterator[Extraction]:
    """Extractions of `articles` in their order; `workers` > 1 extracts in that many processes."""
    if workers <= 1:
        results: Iterable[tuple[Extraction, dict[str, float]]] = map(_extract_timed, articles)
        yield from _collect(results, timings)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        yield from _collect(pool.imap(_extract_timed, articles, chunksize=8), timings)


def _collect(
    results: Iterable[tuple[Extraction, dict[str, float]]], timings: Counter[str] | None
) -> Iterator[Extraction]:
    for extraction, seconds in results:
        if timings is not None:
            timings.update(seconds)
        yield extraction

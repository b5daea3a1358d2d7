"""A long build holds its memory: an extraction worker that reads tens of thousands of articles
keeps neither every word it met in spaCy's vocabulary nor every name in its caches."""

from __future__ import annotations

from kg.extract import extract_many
from kg.extract.pipeline import default_pipeline
from kg.model import Article, Extraction

# Invented two-character given names: each article names enterprises and people no other names.
SYLLABLES = "岚澈枫珂琰瑾璟熠骁翊"


def invented(n: int) -> Article:
    a, b = SYLLABLES[n % 10], SYLLABLES[n // 10 % 10]
    text = (
        f"青梧高新区引进{a}{b}科技有限公司，发展储能材料产业。"
        f"公司董事长程{a}{b}表示，力争2027年产值达到{n + 3}亿元。"
    )
    return Article(id=f"m{n}", title="青梧高新区动态", text=text)


def test_extracting_many_articles_leaves_the_vocabulary_as_it_was() -> None:
    nlp = default_pipeline()
    list(extract_many([invented(0)]))  # the pipeline's own strings are in
    before = len(nlp.vocab.strings)
    extractions = list(extract_many([invented(n) for n in range(1, 60)]))
    assert len(nlp.vocab.strings) == before
    # ... and what the articles said outlives the vocabulary that read them
    assert all(isinstance(x, Extraction) for x in extractions)
    names = {e.name for x in extractions if isinstance(x, Extraction) for e in x.entities}
    assert sum(name.endswith("科技有限公司") for name in names) >= 50


def test_no_cache_of_the_extractor_grows_with_every_name_it_meets() -> None:
    """Every memoised function that takes an argument keeps a bounded number of results: a
    cache without bound, keyed by words or names, would grow with every article a worker reads."""
    import importlib
    import pkgutil

    import kg

    unbounded = []
    for module_info in pkgutil.walk_packages(kg.__path__, "kg."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            parameters = getattr(value, "cache_parameters", None)
            if parameters is None or getattr(value, "__module__", None) != module.__name__:
                continue
            takes_arguments = value.__wrapped__.__code__.co_argcount > 0
            if takes_arguments and parameters()["maxsize"] is None:
                unbounded.append(f"{module.__name__}.{name}")
    assert unbounded == []

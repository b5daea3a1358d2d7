"""Shared fixtures: the corpus beside the repo (read, never copied) and built stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
EXAMPLES = REPO / "examples"


def need(path: Path) -> Path:
    """The path, or skip the test: the shared corpus is third-party text kept beside the repo."""
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared corpus sits beside the repo)")
    return path


@pytest.fixture(scope="session")
def corpus() -> Path:
    return need(CORPUS)


def load_gold(name: str) -> list[dict[str, Any]]:
    path = need(CORPUS / "gold" / name)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="session")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the hand-written graph of tests/synthetic_graph.py (built once)."""
    from kg.rdf.store import open_store
    from tests.synthetic_graph import synthetic_quads

    path = tmp_path_factory.mktemp("synthetic") / "store"
    store = open_store(path)
    store.add_quads(synthetic_quads())
    store.close()
    return path


@pytest.fixture(scope="session")
def synthetic_graph(synthetic_store: Path) -> Any:
    """The synthetic store projected into networkx by kg.analysis."""
    from kg import analysis
    from kg.rdf.store import open_store

    store = open_store(synthetic_store, read_only=True)
    try:
        return analysis.project_graph(store)
    finally:
        store.close()

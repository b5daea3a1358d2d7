"""A build whose extraction runs on a Dask cluster equals the local build."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import build
from kg.rdf.store import EmbeddedStore

from .conftest import CORPUS, need


def quad_set(store: EmbeddedStore) -> set[str]:
    return {str(q) for q in store.quads()}


@pytest.mark.slow
def test_a_dask_build_equals_the_local_build(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    inputs = [str(need(CORPUS / "dev"))]
    local = EmbeddedStore(tmp_path / "local")
    remote = EmbeddedStore(tmp_path / "dask")
    try:
        local_report = build(inputs, local, workers=1)
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            dask_report = build(inputs, remote, scheduler=cluster.scheduler_address)
        assert dask_report.built == local_report.built == 18
        assert (dask_report.entities, dask_report.relations, dask_report.indicators) == (
            local_report.entities,
            local_report.relations,
            local_report.indicators,
        )
        assert quad_set(remote) == quad_set(local)
    finally:
        local.close()
        remote.close()


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from kg.distributed import extract_on_dask
    from kg.errors import KgError
    from kg.ingest import read_inputs

    articles = read_inputs([str(need(CORPUS / "dev" / "dev-01.txt"))])
    with pytest.raises(KgError, match="cannot reach the Dask scheduler"):
        list(extract_on_dask(articles, "tcp://127.0.0.1:9", connect_timeout=1))

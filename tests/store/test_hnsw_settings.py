"""Every collection of the vector index gets the HNSW settings of decisions/0072, embedded
and on a Chroma server; one made before them searches as widely once the service opens it.
(The recall they keep under churn is measured by `python -m bench churn`, not here.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from memory_service.store.vectors import VectorIndex
from tests.support.servers import ChromaServer, fresh_collection

VECTOR = [1.0] + [0.0] * 383
META = {"project": "shop", "status": "active"}


@pytest.fixture(params=["embedded", "server"])
def index(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[VectorIndex, VectorIndex]]:
    """Two clients of one index: the service's, and another for what existed before it."""
    if request.param == "embedded":
        first = VectorIndex(path=tmp_path / "chroma")
        yield first, first
        return
    server: ChromaServer = request.getfixturevalue("chroma_server")
    name = fresh_collection()
    service = VectorIndex(url=server.url, collection=name)
    yield service, VectorIndex(url=server.url, collection=name)
    for project in ("shop", "blog"):
        server.delete_collection(service.collection_name(project))


def _hnsw(index: VectorIndex, project: str) -> dict[str, object]:
    """The HNSW configuration Chroma keeps for the project's collection."""
    collection = index._client.get_collection(index.collection_name(project))
    return dict(collection.configuration_json["hnsw"])


def test_a_new_collection_is_built_and_searched_with_the_wider_candidate_lists(
    index: tuple[VectorIndex, VectorIndex],
) -> None:
    service, _ = index
    service.upsert(["m1"], [VECTOR], [META])
    hnsw = _hnsw(service, "shop")
    assert (hnsw["space"], hnsw["ef_construction"], hnsw["ef_search"]) == ("cosine", 200, 200)
    assert [h.memory_id for h in service.query(VECTOR, projects=["shop"], where=None, n=1)] == [
        "m1"
    ]


def test_a_collection_made_before_the_settings_searches_as_widely_once_opened(
    index: tuple[VectorIndex, VectorIndex],
) -> None:
    service, before = index
    # As the service made collections before decisions/0072: Chroma's defaults.
    old = before._client.create_collection(
        before.collection_name("blog"), configuration={"hnsw": {"space": "cosine"}}
    )
    old.upsert(ids=["m2"], embeddings=[VECTOR], metadatas=[{**META, "project": "blog"}])
    assert _hnsw(before, "blog")["ef_search"] == 100
    found = service.query(VECTOR, projects=["blog"], where=None, n=1)
    assert [h.memory_id for h in found] == ["m2"]
    hnsw = _hnsw(before, "blog")
    # ef_search changes in place; the graph keeps how it was built until `reindex`.
    assert (hnsw["ef_search"], hnsw["ef_construction"]) == (200, 100)

"""Shared fixtures: the real model once per session, a fresh real store per test.

`client` runs every API test twice: on the embedded stack (SQLite + embedded Chroma in
tmp_path) and on the scale-out stack (a real PostgreSQL and a real `chroma run` server,
started once per session; each test gets emptied tables and a fresh collection).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from tests.support.servers import (
    ChromaServer,
    PostgresServer,
    fresh_collection,
    start_chroma,
    start_postgres,
)
from tests.support.service import IN_PROCESS_URL

STACKS = ["embedded", "scaleout"]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2 as the service serves it (int8), loaded once for the run."""
    return Embedder()


@pytest.fixture(scope="session")
def published_embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    """The model at its published fp32 weights, exported afresh for this run."""
    return Embedder(precision="fp32", cache_dir=tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL cluster from the installed binaries, for the whole run."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chroma_server() -> Iterator[ChromaServer]:
    """A real `chroma run` server on loopback, for the whole run."""
    server = start_chroma()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def scaleout_settings(
    tmp_path: Path, postgres: PostgresServer, chroma_server: ChromaServer
) -> Iterator[Settings]:
    """Settings for an emptied PostgreSQL database and a fresh Chroma collection."""
    url = postgres.emptied_database()
    collection = fresh_collection()
    yield Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        chroma_url=chroma_server.url,
        chroma_collection=collection,
    )
    chroma_server.delete_collection(collection)


def _stack(request: pytest.FixtureRequest) -> str:
    callspec = getattr(request.node, "callspec", None)
    return str(callspec.params.get("client", "embedded")) if callspec else "embedded"


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The store's settings; in a test parametrized by `client`, that client's stack."""
    if _stack(request) == "scaleout":
        scaleout: Settings = request.getfixturevalue("scaleout_settings")
        return scaleout
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture(params=STACKS)
def client(settings: Settings, embedder: Embedder) -> Iterator[TestClient]:
    """The app in-process on real stores: embedded, then PostgreSQL + Chroma server."""
    with TestClient(create_app(settings, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        yield c

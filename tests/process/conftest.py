"""Fixtures for tests of real `memory-service` processes (helpers: tests/support/service.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import ChromaServer, PostgresServer, fresh_collection


@pytest.fixture
def scaleout_env(postgres: PostgresServer, chroma_server: ChromaServer) -> Iterator[dict[str, str]]:
    """MEMORY_* variables for a fresh PostgreSQL database and a fresh Chroma collection."""
    url = postgres.fresh_database()
    collection = fresh_collection()
    yield {
        "MEMORY_DATABASE_URL": url,
        "MEMORY_CHROMA_URL": chroma_server.url,
        "MEMORY_CHROMA_COLLECTION": collection,
    }
    postgres.drop_database(url)
    chroma_server.delete_collection(collection)

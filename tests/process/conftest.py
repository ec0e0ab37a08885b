"""Fixtures for tests of real `memory-service` processes (helpers: tests/support/service.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import ChromaServer, PostgresServer, scaleout_settings


@pytest.fixture
def scaleout_env(postgres: PostgresServer, chroma_server: ChromaServer) -> Iterator[dict[str, str]]:
    """MEMORY_* variables for a fresh PostgreSQL database and a fresh Chroma collection."""
    with scaleout_settings(postgres, chroma_server) as env:
        yield env

"""Shared fixtures: the real model once per session, a fresh real store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.settings import Settings
from memory_service.store.embedder import Embedder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2, loaded once for the whole run."""
    return Embedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def client(settings: Settings, embedder: Embedder) -> Iterator[TestClient]:
    """The app in-process on real SQLite and real embedded Chroma in tmp_path."""
    with TestClient(create_app(settings, embedder=embedder)) as c:
        yield c

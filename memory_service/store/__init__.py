"""Storage: the SQL record store, the derived vector index and the embedder."""

from __future__ import annotations

from dataclasses import dataclass

from memory_service.settings import Settings
from memory_service.store.db import Database
from memory_service.store.embedding.embedder import Embedder
from memory_service.store.vectors import VectorIndex


@dataclass
class Store:
    """The resources every service function works with, opened once per process."""

    settings: Settings
    db: Database
    vectors: VectorIndex
    embedder: Embedder

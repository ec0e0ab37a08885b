"""Storage: the SQL record store, the derived vector index and the embedder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from memory_service.settings import Settings
from memory_service.store.db import Database
from memory_service.store.embedding.embedder import Embedder
from memory_service.store.vectors import VectorIndex


class IndexWriter(Protocol):
    """Who brings the vector index up to SQL's outbox in the background, if anyone."""

    def nudge(self) -> None: ...

    def caught_up(self) -> bool: ...

    def behind(self) -> int: ...

    def wait_for(self, high: int, patience_s: float) -> bool: ...


@dataclass
class Store:
    """The resources every service function works with, opened once per process."""

    settings: Settings
    db: Database
    vectors: VectorIndex
    embedder: Embedder
    # The service's index writer (services/indexing/background.py); without one, as in
    # the command-line tools, each write indexes its own memories before it returns.
    indexer: IndexWriter | None = None

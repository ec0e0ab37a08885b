"""The vector index: a Chroma collection derived from SQL, rebuildable at any time."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from memory_service.models import Memory
from memory_service.settings import Settings

COLLECTION = "memories"


@dataclass(frozen=True)
class VectorHit:
    memory_id: str
    distance: float


def chroma_metadata(memory: Memory) -> dict[str, Any]:
    """What Chroma needs to filter like SQL does (it cannot store None or empty lists)."""
    meta: dict[str, Any] = {
        "project": memory.project,
        "agent": memory.agent,
        "kind": memory.kind,
        "status": memory.status,
        "occurred_ts": memory.occurred_at.timestamp(),
    }
    if memory.topic:
        meta["topic"] = memory.topic
    if memory.tags:
        meta["tags"] = list(memory.tags)
    if memory.for_agents:
        meta["for_agents"] = list(memory.for_agents)
    return meta


def open_index(settings: Settings) -> VectorIndex:
    """The configured index: a Chroma server's collection, or embedded in data_dir."""
    return VectorIndex(
        path=None if settings.chroma_url else settings.chroma_path,
        url=settings.chroma_url,
        collection=settings.chroma_collection,
    )


class VectorIndex:
    """One Chroma collection of memory embeddings (cosine space)."""

    def __init__(
        self, *, path: Path | None = None, url: str | None = None, collection: str = COLLECTION
    ) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if url:
            parsed = urlparse(url)
            self._client: Any = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        else:
            assert path is not None, "an embedded index needs a path"
            path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        self.name = collection
        # One outbox drain at a time per process; replicas coordinate through SQL locks.
        self.drain_lock = threading.Lock()
        self._collection = self._open()

    def _open(self) -> Any:
        return self._client.get_or_create_collection(
            self.name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )

    def upsert(
        self, ids: list[str], embeddings: list[list[float]], metadatas: list[dict[str, Any]]
    ) -> None:
        if ids:
            self._collection.upsert(ids=ids, embeddings=embeddings, metadatas=metadatas)

    def delete(self, ids: list[str]) -> None:
        if ids:
            self._collection.delete(ids=ids)

    def query(
        self, embedding: list[float], *, where: dict[str, Any] | None, n: int
    ) -> list[VectorHit]:
        result = self._collection.query(
            query_embeddings=[embedding], n_results=n, where=where, include=["distances"]
        )
        ids = result["ids"][0]
        distances = result["distances"][0] if result["distances"] else [0.0] * len(ids)
        return [VectorHit(i, float(d)) for i, d in zip(ids, distances, strict=True)]

    def embeddings(self, ids: list[str]) -> dict[str, list[float]]:
        """The stored embedding of each id that the index holds."""
        got = self._collection.get(ids=ids, include=["embeddings"])
        return {i: list(e) for i, e in zip(got["ids"], got["embeddings"], strict=True)}

    def count(self) -> int:
        return int(self._collection.count())

    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        offset, page = 0, 5000
        while True:
            got = self._collection.get(limit=page, offset=offset, include=[])["ids"]
            ids.update(got)
            if len(got) < page:
                return ids
            offset += page

    def recreate(self) -> None:
        """Drop every entry (used by reindex before rebuilding from SQL)."""
        self._client.delete_collection(self.name)
        self._collection = self._open()

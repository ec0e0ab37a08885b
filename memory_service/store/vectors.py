"""The vector index: a Chroma collection derived from SQL, rebuildable at any time."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from memory_service.models import Memory
from memory_service.settings import Settings

COLLECTION = "memories"
# Chroma's graph index for every collection (decisions/0072): built with twice Chroma's
# default candidate list, so entries updated in place stay linked, and searched as widely.
HNSW: dict[str, Any] = {"space": "cosine", "ef_construction": 200, "ef_search": 200}


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


# Chroma files this process switched to WAL (and Chroma has opened since).
_SWITCHED: set[Path] = set()


def _write_ahead_log(db_file: Path) -> None:
    """Put embedded Chroma's SQLite file in WAL mode before Chroma opens it.

    Chroma's Rust layer leaves it in rollback-journal mode (chroma-core/chroma#7040):
    several fsyncs per upsert, all with the GIL held. In WAL mode (the mode lives in the
    file), with SQLite's default synchronous=FULL, a commit is one fsync and stays durable.
    Only before Chroma's first open in this process: Chroma links its own SQLite, and
    closing a second library's handle on a file would drop the locks Chroma holds on it.
    """
    key = db_file.resolve()
    if key in _SWITCHED:
        return
    with closing(sqlite3.connect(db_file, timeout=30)) as conn:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode != "wal":
        raise RuntimeError(f"could not put {db_file} in WAL mode (it is in {mode!r} mode)")
    _SWITCHED.add(key)


def _searched_widely(collection: Any) -> Any:
    """The collection, searching with HNSW's ef_search even when it was made before that
    setting: the only one Chroma changes on an existing collection (`reindex` makes the
    collections again, with every setting)."""
    ef_search = (collection.configuration_json.get("hnsw") or {}).get("ef_search")
    if ef_search is not None and ef_search != HNSW["ef_search"]:
        collection.modify(configuration={"hnsw": {"ef_search": HNSW["ef_search"]}})
    return collection


class VectorIndex:
    """Memory embeddings in Chroma (cosine space), one collection per project.

    Chroma filters by listing the ids that match a `where` before its graph search, which
    costs more than the search once a project is a few thousand memories: a collection per
    project makes the project filter free (decisions/0023). Collections are named
    `<base>-p-<hash of the project>`, so several deployments can share one Chroma server.
    """

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
            _write_ahead_log(path / "chroma.sqlite3")
            self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        self.name = collection
        # One outbox drain at a time per process; replicas coordinate through SQL locks.
        self.drain_lock = threading.Lock()
        self._open: dict[str, Any] = {}
        self._open_lock = threading.Lock()
        self._pattern = re.compile(re.escape(collection) + r"-p-[0-9a-f]{16}")

    def collection_name(self, project: str) -> str:
        return f"{self.name}-p-{hashlib.sha256(project.encode()).hexdigest()[:16]}"

    def _collection(self, project: str, *, create: bool) -> Any | None:
        name = self.collection_name(project)
        with self._open_lock:
            if name in self._open:
                return self._open[name]
        if create:
            found = self._client.get_or_create_collection(
                name, configuration={"hnsw": HNSW}, embedding_function=None
            )
        else:
            from chromadb.errors import NotFoundError

            try:
                found = self._client.get_collection(name, embedding_function=None)
            except NotFoundError:
                return None  # no memory of that project was ever indexed
        with self._open_lock:
            return self._open.setdefault(name, _searched_widely(found))

    def _collections(self, projects: Iterable[str] | None) -> list[Any]:
        """The collections of these projects that exist (None: of every project)."""
        if projects is not None:
            found = (self._collection(p, create=False) for p in dict.fromkeys(projects))
            return [c for c in found if c is not None]
        names = [c.name for c in self._client.list_collections()]
        return [
            _searched_widely(self._client.get_collection(n, embedding_function=None))
            for n in names
            if self._pattern.fullmatch(n)
        ]

    def upsert(
        self, ids: list[str], embeddings: list[list[float]], metadatas: list[dict[str, Any]]
    ) -> None:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, meta in enumerate(metadatas):
            groups[meta["project"]].append(i)
        for project, rows in groups.items():
            self._collection(project, create=True).upsert(  # type: ignore[union-attr]
                ids=[ids[i] for i in rows],
                embeddings=[embeddings[i] for i in rows],
                metadatas=[metadatas[i] for i in rows],
            )

    def delete(self, ids: list[str], *, projects: Iterable[str] | None = None) -> None:
        """Remove these ids, looking in the given projects' collections (None: in all)."""
        if ids:
            for collection in self._collections(projects):
                collection.delete(ids=ids)

    def query(
        self,
        embedding: list[float],
        *,
        projects: Iterable[str] | None,
        where: dict[str, Any] | None,
        n: int,
    ) -> list[VectorHit]:
        """The `n` nearest entries in these projects (None: every project) passing `where`."""
        hits: list[VectorHit] = []
        for collection in self._collections(projects):
            result = collection.query(
                query_embeddings=[embedding], n_results=n, where=where, include=["distances"]
            )
            ids = result["ids"][0]
            distances = result["distances"][0] if result["distances"] else [0.0] * len(ids)
            hits += [VectorHit(i, float(d)) for i, d in zip(ids, distances, strict=True)]
        return sorted(hits, key=lambda h: h.distance)[:n]

    def embeddings(
        self, ids: list[str], *, projects: Iterable[str] | None = None
    ) -> dict[str, np.ndarray]:
        """The stored embedding of each id that the index holds, as float32 rows.

        Kept as arrays: turning them into lists of floats cost more than Chroma's read."""
        found: dict[str, np.ndarray] = {}
        for collection in self._collections(projects):
            got = collection.get(ids=ids, include=["embeddings"])
            if len(got["ids"]):
                rows = np.asarray(got["embeddings"], dtype=np.float32)
                found.update(zip(got["ids"], rows, strict=True))
        return found

    def count(self) -> int:
        return sum(int(c.count()) for c in self._collections(None))

    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        for collection in self._collections(None):
            offset, page = 0, 5000
            while True:
                got = collection.get(limit=page, offset=offset, include=[])["ids"]
                ids.update(got)
                if len(got) < page:
                    break
                offset += page
        return ids

    def recreate(self) -> None:
        """Drop every entry (used by reindex before rebuilding from SQL)."""
        for collection in self._collections(None):
            self._client.delete_collection(collection.name)
        if self.name in {c.name for c in self._client.list_collections()}:
            # The one collection of every project that versions before 0023 kept.
            self._client.delete_collection(self.name)
        with self._open_lock:
            self._open.clear()

"""Embeddings by text, remembered in SQL: a rollback, undo or reindex that brings back an
earlier text reuses its vector instead of running the model again."""

from __future__ import annotations

import hashlib

import numpy as np
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

from memory_service.models import EmbeddingCache
from memory_service.store import Store


def cache_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()


def embed_texts(store: Store, texts: list[str]) -> list[list[float]]:
    """Vectors for `texts` in order: cached ones from SQL, then those embedded ahead of
    time (store/embedding/prefetch.py), the rest from the model."""
    if not texts:
        return []
    ready = store.embedder.prefetch.take(texts)
    keys = [cache_key(store.embedder.model_id, t) for t in texts]
    with store.db.read() as session:
        rows = session.exec(
            select(EmbeddingCache.key, EmbeddingCache.vector).where(
                col(EmbeddingCache.key).in_(set(keys))
            )
        ).all()
    cached = {key: np.frombuffer(vector, dtype=np.float32).tolist() for key, vector in rows}
    text_of = dict(zip(keys, texts, strict=True))
    missing = list(dict.fromkeys(k for k in keys if k not in cached))
    fresh = {k: ready[text_of[k]] for k in missing if text_of[k] in ready}
    unready = [k for k in missing if k not in fresh]
    if unready:
        fresh.update(zip(unready, store.embedder.embed([text_of[k] for k in unready]), strict=True))
    if fresh:
        _cache_vectors(store, fresh)
    cached.update(fresh)
    return [cached[k] for k in keys]


def _cache_vectors(store: Store, vectors: dict[str, list[float]]) -> None:
    table = EmbeddingCache.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if store.db.dialect == "postgresql" else sqlite.insert
    rows = [
        {"key": k, "vector": np.asarray(v, dtype=np.float32).tobytes()} for k, v in vectors.items()
    ]
    # Another replica may have cached the same text meanwhile: first one wins, same vector.
    with store.db.write() as session:
        session.execute(insert(table).values(rows).on_conflict_do_nothing(index_elements=["key"]))

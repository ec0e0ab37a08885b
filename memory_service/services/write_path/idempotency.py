"""Idempotency-Key: a request sent again with its key is answered with the memories its first
sending produced, and a key sent again with another body is refused."""

from __future__ import annotations

import hashlib
import json

from sqlmodel import Session

from memory_service.errors import StateConflict
from memory_service.models import IdempotencyKey
from memory_service.schemas.memories import MemoryCreate
from memory_service.services.write_path.creation import Remembered
from memory_service.store.memories import load_memories


def request_hash_of(dumped: list[dict[str, object]]) -> str:
    """What a request with an Idempotency-Key is compared by: its items as JSON, hashed."""
    body = json.dumps(dumped, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def scoped_key(key: str, token: str | None, items: list[MemoryCreate]) -> str:
    """The key as stored: one client's key names nothing of another token or project, so
    two tenants choosing the same key neither collide nor learn of each other."""
    projects = ",".join(sorted({item.project for item in items}))
    return hashlib.sha256(f"{token or ''}\0{projects}\0{key}".encode()).hexdigest()


def replay(session: Session, key: str, request_hash: str) -> list[Remembered] | None:
    """The memories a first request with this Idempotency-Key produced, if any."""
    stored = session.get(IdempotencyKey, key)
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise StateConflict(
            "this Idempotency-Key was already used with a different request body: "
            "use a new key for a new request"
        )
    by_id = load_memories(session, stored.memory_ids)
    return [Remembered(by_id[i]) for i in stored.memory_ids]

"""Memories looked up by id, through one statement compiled once.

Building `select(Memory).where(Memory.id.in_([...]))` anew on every call cost more than
loading the rows: 0.88 ms against 0.48 ms for ten memories at 10,000 (decisions/0029).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from memory_service.models import Memory


def _by_id_statement() -> Any:
    return select(Memory).where(col(Memory.id).in_(sa.bindparam("ids", expanding=True)))


_BY_ID = _by_id_statement()


def load_memories(session: Session, ids: Collection[str]) -> dict[str, Memory]:
    """The memories with these ids that exist, by id."""
    if not ids:
        return {}
    return {m.id: m for m in session.exec(_BY_ID, params={"ids": list(ids)})}

"""Memories looked up by id, through one statement compiled once.

Building `select(Memory).where(Memory.id.in_([...]))` anew on every call cost nearly as
much as loading the rows: ten memories at 10,000 took 0.88 ms that way, 0.48 ms through the
statement built once (decisions/0029).
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

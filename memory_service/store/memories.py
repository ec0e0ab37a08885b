"""The memory repository: memories read by id, and the newest under a filter.

Lookups by id go through one statement compiled once: building the select anew on every
call costs nearly as much as loading the rows (decisions/0029; bench/README.md).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from memory_service.models import Memory
from memory_service.store.filters import MemoryFilter, sql_where


def _by_id_statement() -> Any:
    return select(Memory).where(col(Memory.id).in_(sa.bindparam("ids", expanding=True)))


_BY_ID = _by_id_statement()


def load_memories(session: Session, ids: Collection[str]) -> dict[str, Memory]:
    """The memories with these ids that exist, by id."""
    if not ids:
        return {}
    return {m.id: m for m in session.exec(_BY_ID, params={"ids": list(ids)})}


def memory_by_id(session: Session, memory_id: str) -> Memory | None:
    """The memory with this id, if there is one."""
    return load_memories(session, [memory_id]).get(memory_id)


def _newest(
    columns: Any, where: MemoryFilter, k: int, dialect: str, after: tuple[datetime, int] | None
) -> Any:
    conds = sql_where(where, dialect)
    if after is not None:
        at, pk = after
        occurred = col(Memory.occurred_at)
        conds.append(sa.or_(occurred < at, sa.and_(occurred == at, col(Memory.pk) < pk)))
    return (
        select(columns)
        .where(*conds)
        .order_by(col(Memory.occurred_at).desc(), col(Memory.pk).desc())
        .limit(k)
    )


def newest_memories(
    session: Session,
    where: MemoryFilter,
    k: int,
    dialect: str,
    *,
    after: tuple[datetime, int] | None = None,
) -> list[Memory]:
    """The newest `k` memories under the filter, newest first (by occurred_at, then pk);
    with `after`, an (occurred_at, pk) place in that order, only those that follow it."""
    return list(session.exec(_newest(Memory, where, k, dialect, after)).all())


def newest_ids(session: Session, where: MemoryFilter, k: int, dialect: str) -> list[str]:
    """The ids of `newest_memories`, in its order, without reading the memories."""
    return list(session.exec(_newest(col(Memory.id), where, k, dialect, None)).all())

"""Versions and time travel: reading the event log as the store stood at a sequence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from memory_service.errors import InvalidInput, MemoryNotFound
from memory_service.models import Event, Memory
from memory_service.store import Store

# Fields that change with every version and so never count as a difference in state.
VOLATILE = frozenset({"version", "updated_at"})


def current_seq(session: Session) -> int:
    return int(session.exec(select(func.max(Event.seq))).one() or 0)


_AGO = re.compile(r"(\d{1,6}|an?|one)\s+(second|minute|hour|day|week)s?\s+ago", re.I)


def parse_time(text: str) -> datetime | None:
    """An ISO-8601 time (naive means UTC) or a time relative to now as agents say it
    ("2 hours ago", "a day ago"), or None when `text` is neither."""
    relative = _AGO.fullmatch(text.strip())
    if relative:
        count, unit = relative.groups()
        amount = int(count) if count.isdigit() else 1
        return datetime.now(UTC) - timedelta(**{f"{unit.lower()}s": amount})
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def seq_at_time(session: Session, when: datetime) -> int:
    """The last event sequence recorded at or before `when`."""
    stmt = select(func.max(Event.seq)).where(Event.at <= when)
    return int(session.exec(stmt).one() or 0)


# Event sequences are 64-bit integers in SQL; a longer number names no event.
MAX_SEQ = 2**63 - 1


def event_seq(text: str, field: str) -> int | None:
    """`text` as an event sequence when it is one (ASCII digits), else None; a number
    beyond any sequence is refused naming `field`."""
    if not (text.isascii() and text.isdigit()):
        return None
    if len(text) > 19 or int(text) > MAX_SEQ:
        raise InvalidInput(
            f"{field} {text!r} is beyond any event sequence: give a sequence of at most "
            f"{MAX_SEQ} or an ISO time",
            field=field,
        )
    return int(text)


def resolve_as_of(session: Session, as_of: str) -> int:
    """`as_of` given as an event sequence or an ISO time, as a sequence."""
    text = as_of.strip()
    seq = event_seq(text, "as_of")
    if seq is not None:
        return seq
    when = parse_time(text)
    if when is None:
        raise InvalidInput(
            f"as_of {as_of!r} is neither an event sequence (e.g. 42) nor an ISO time "
            "(e.g. 2026-11-26T10:00:00Z)"
        )
    return seq_at_time(session, when)


def states_at(session: Session, memory_ids: Iterable[str], seq: int) -> dict[str, dict[str, Any]]:
    """Each memory's snapshot as of `seq`; memories that did not exist yet are absent."""
    ids = list(memory_ids)
    if not ids:
        return {}
    latest = (
        select(Event.memory_id, func.max(Event.seq).label("seq"))
        .where(col(Event.memory_id).in_(ids), Event.seq <= seq)  # type: ignore[operator]
        .group_by(col(Event.memory_id))
        .subquery()
    )
    stmt = select(Event.memory_id, Event.after).join(
        latest,
        sa.and_(col(Event.memory_id) == latest.c.memory_id, col(Event.seq) == latest.c.seq),
    )
    return {mid: dict(after) for mid, after in session.exec(stmt) if mid and after}


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    if before is None or after is None:
        return []
    keys = (set(before) | set(after)) - VOLATILE
    changed = (k for k in keys if before.get(k) != after.get(k))
    return sorted("metadata" if k == "meta" else k for k in changed)


def memory_history(store: Store, *, memory_id: str) -> list[Event]:
    """Every event of a memory, oldest first."""
    with store.db.read() as session:
        events = session.exec(
            select(Event).where(Event.memory_id == memory_id).order_by(col(Event.seq))
        ).all()
        if not events:
            exists = session.exec(select(Memory.id).where(Memory.id == memory_id)).first()
            if exists is None:
                raise MemoryNotFound(f"no memory has id {memory_id!r}", id=memory_id)
    return list(events)


def memory_as_of(store: Store, *, memory_id: str, as_of: str) -> tuple[Memory, str | None]:
    """The memory as it stood at `as_of`, with its replacement's title then."""
    with store.db.read() as session:
        seq = resolve_as_of(session, as_of)
        state = states_at(session, [memory_id], seq).get(memory_id)
        if state is None:
            raise MemoryNotFound(
                f"memory {memory_id!r} did not exist at {as_of!r} (event sequence {seq})",
                id=memory_id,
                seq=seq,
            )
        memory = memory_from_snapshot(state)
        title = None
        if memory.superseded_by:
            replacement = states_at(session, [memory.superseded_by], seq).get(memory.superseded_by)
            title = replacement["title"] if replacement else None
    return memory, title


def memory_from_snapshot(state: dict[str, Any]) -> Memory:
    """A detached Memory carrying a snapshot's values (not attached to any session)."""
    return Memory.model_validate(state)

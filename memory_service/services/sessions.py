"""A memory's neighbours in its session: the context it is embedded with.

Agents write a session's memories in order, and a short memory ("Yes, last May") often
means little without the one before it. The vector index therefore embeds each memory
together with the memory written just before it in the same project and session, and
search lifts a memory written next to a strong match (services/search/ranking.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from memory_service.models import Memory
from memory_service.store import Store

# How much of the previous memory joins the embedding text: enough to carry its topic,
# short enough that the model's 256-token window and its cost stay with the memory itself.
CONTEXT_CHARS = 300


def _by_session(memories: list[Memory]) -> dict[tuple[str, str], list[Memory]]:
    """The memories that have a session, grouped by project and session, in write order."""
    groups: dict[tuple[str, str], list[Memory]] = defaultdict(list)
    for m in memories:
        if m.session and m.pk is not None:
            groups[(m.project, m.session)].append(m)
    for members in groups.values():
        members.sort(key=lambda m: m.pk or 0)
    return groups


def _live_in_session(project: str, name: str) -> SelectOfScalar[Memory]:
    return select(Memory).where(
        Memory.project == project, Memory.session == name, Memory.status != "retracted"
    )


def newest_in_sessions(store: Store, sessions: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The content of the newest live memory of each (project, session) that has one: the
    context of the next memory written there."""
    found: dict[tuple[str, str], str] = {}
    with store.db.read() as session:
        for project, name in sessions:
            newest = session.exec(
                _live_in_session(project, name).order_by(col(Memory.pk).desc()).limit(1)
            ).first()
            if newest is not None:
                found[(project, name)] = newest.content
    return found


def previous_in_session(store: Store, memories: list[Memory]) -> dict[str, Memory]:
    """For each memory with a session, the live memory written just before it there."""
    groups = _by_session(memories)
    found: dict[str, Memory] = {}
    if not groups:
        return found
    with store.db.read() as session:
        for (project, name), members in groups.items():
            lowest, highest = members[0].pk or 0, members[-1].pk or 0
            live = _live_in_session(project, name)
            first = session.exec(
                live.where(col(Memory.pk) < lowest).order_by(col(Memory.pk).desc()).limit(1)
            ).first()
            window = session.exec(
                live.where(col(Memory.pk) >= lowest, col(Memory.pk) < highest).order_by(
                    col(Memory.pk)
                )
            ).all()
            before = ([first] if first else []) + list(window)
            i = 0
            for m in members:
                while i + 1 < len(before) and (before[i + 1].pk or 0) < (m.pk or 0):
                    i += 1
                if before and (before[i].pk or 0) < (m.pk or 0):
                    found[m.id] = before[i]
    return found


def next_in_session(store: Store, memories: list[Memory]) -> list[Memory]:
    """The live memory written just after each of these in its session (whose context
    they are), for re-embedding after a change."""
    groups = _by_session(memories)
    found: dict[str, Memory] = {}
    if not groups:
        return []
    # Two queries per session, as for previous_in_session, not one per memory.
    with store.db.read() as session:
        for (project, name), members in groups.items():
            lowest, highest = members[0].pk or 0, members[-1].pk or 0
            live = _live_in_session(project, name)
            window = session.exec(
                live.where(col(Memory.pk) > lowest, col(Memory.pk) <= highest).order_by(
                    col(Memory.pk)
                )
            ).all()
            last = session.exec(
                live.where(col(Memory.pk) > highest).order_by(col(Memory.pk)).limit(1)
            ).first()
            after = list(window) + ([last] if last else [])
            i = 0
            for m in members:
                while i < len(after) and (after[i].pk or 0) <= (m.pk or 0):
                    i += 1
                if i < len(after):
                    found[after[i].id] = after[i]
    return list(found.values())


@dataclass(frozen=True)
class SessionPlace:
    """Where a memory sits: its project and session, and the live memories written just
    before and after it there (none for a memory without a session); and its status."""

    project: str
    session: str | None
    adjacent: tuple[str, ...]
    status: str


def _places_statement() -> Any:
    # Core, not ORM: plain rows skip the ORM's loading machinery, which cost as much as
    # the query.
    table = Memory.__table__  # type: ignore[attr-defined]
    me = table.alias("me")

    def beside(before: bool) -> Any:
        other = table.alias("before" if before else "after")
        side = other.c.pk < me.c.pk if before else other.c.pk > me.c.pk
        return (
            sa.select(other.c.id)
            .where(
                other.c.project == me.c.project,
                other.c.session == me.c.session,
                side,
                other.c.status != "retracted",
            )
            .order_by(other.c.pk.desc() if before else other.c.pk)
            .limit(1)
            .scalar_subquery()
        )

    ids: Any = sa.bindparam("ids", expanding=True)
    return sa.select(
        me.c.id, me.c.project, me.c.session, me.c.status, beside(True), beside(False)
    ).where(me.c.id.in_(ids))


# Built once: compiling it costs far more than SQLite takes to run it.
_PLACES = _places_statement()


def session_places(session: Session, memory_ids: list[str]) -> dict[str, SessionPlace]:
    """The place of each of these memories: one query, two index seeks on
    (project, session, pk) for each memory that has a session."""
    if not memory_ids:
        return {}
    found = session.execute(_PLACES, {"ids": memory_ids})
    return {
        mid: SessionPlace(project, name, tuple(n for n in (before, after) if n), status)
        for mid, project, name, status, before, after in found
    }

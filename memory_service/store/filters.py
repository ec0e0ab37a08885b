"""A search filter that both stores translate: SQL clauses and Chroma `where`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from memory_service.models import Memory

# What a search hides unless asked otherwise.
HIDDEN_STATUSES = ("retracted", "superseded")


@dataclass(frozen=True)
class MemoryFilter:
    project: str | None = None
    # The projects a token may read; None is every project, () is none.
    projects: tuple[str, ...] | None = None
    agent: str | None = None
    kinds: tuple[str, ...] = ()
    topic: str | None = None
    tags_all: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()
    # Addressed to this agent (see `addressed_to`).
    for_agent: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    exclude_statuses: tuple[str, ...] = field(default=HIDDEN_STATUSES)

    def scope_and_status_only(self) -> bool:
        """True when the filter says nothing beyond projects and the hidden statuses."""
        rest = dataclasses.replace(
            self, project=None, projects=None, exclude_statuses=HIDDEN_STATUSES
        )
        return rest == MemoryFilter() and set(self.exclude_statuses) <= set(HIDDEN_STATUSES)


def addressed_to(agent: str, *, for_agents: list[str], tags: list[str], author: str) -> bool:
    """The one addressing rule: a memory is for `agent` when it names the agent in
    for_agents, or when another agent tagged it with the agent's name (as agents are told
    to tag a deliverable or a handoff with the receiver's name). SQL and Chroma filters
    below say the same."""
    return agent in for_agents or (agent in tags and author != agent)


def _json_contains(column: Any, value: str, dialect: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return column.op("?")(value)  # type: ignore[no-any-return]
    each = sa.func.json_each(column).table_valued("value")
    return sa.exists(sa.select(1).select_from(each).where(each.c.value == value))


def sql_where(f: MemoryFilter, dialect: str) -> list[ColumnElement[bool]]:
    """The filter as SQLAlchemy conditions on the `memory` table."""
    m = Memory.__table__.c  # type: ignore[attr-defined]
    conds: list[ColumnElement[bool]] = []
    if f.project:
        conds.append(m.project == f.project)
    if f.projects is not None:
        conds.append(m.project.in_(f.projects) if f.projects else sa.false())
    if f.agent:
        conds.append(m.agent == f.agent)
    if f.kinds:
        conds.append(m.kind.in_(f.kinds))
    if f.topic:
        conds.append(m.topic == f.topic)
    if f.exclude_statuses:
        conds.append(m.status.not_in(f.exclude_statuses))
    if f.since:
        conds.append(m.occurred_at >= f.since)
    if f.until:
        conds.append(m.occurred_at <= f.until)
    for tag in f.tags_all:
        conds.append(_json_contains(m.tags, tag, dialect))
    if f.tags_any:
        conds.append(sa.or_(*(_json_contains(m.tags, t, dialect) for t in f.tags_any)))
    if f.for_agent:
        tagged = sa.and_(_json_contains(m.tags, f.for_agent, dialect), m.agent != f.for_agent)
        conds.append(sa.or_(_json_contains(m.for_agents, f.for_agent, dialect), tagged))
    return conds


def chroma_where(f: MemoryFilter) -> dict[str, Any] | None:
    """The filter as a Chroma `where` document (None when it filters nothing)."""
    conds: list[dict[str, Any]] = []
    if f.project:
        conds.append({"project": f.project})
    if f.projects is not None:
        # Chroma refuses an empty $in: a project no memory can have matches nothing instead.
        conds.append({"project": {"$in": list(f.projects) or [""]}})
    if f.agent:
        conds.append({"agent": f.agent})
    if f.kinds:
        conds.append({"kind": {"$in": list(f.kinds)}})
    if f.topic:
        conds.append({"topic": f.topic})
    if f.exclude_statuses:
        conds.append({"status": {"$nin": list(f.exclude_statuses)}})
    if f.since:
        conds.append({"occurred_ts": {"$gte": f.since.timestamp()}})
    if f.until:
        conds.append({"occurred_ts": {"$lte": f.until.timestamp()}})
    for tag in f.tags_all:
        conds.append({"tags": {"$contains": tag}})
    if f.tags_any:
        any_of = [{"tags": {"$contains": t}} for t in f.tags_any]
        conds.append(any_of[0] if len(any_of) == 1 else {"$or": any_of})
    if f.for_agent:
        tagged = {"$and": [{"tags": {"$contains": f.for_agent}}, {"agent": {"$ne": f.for_agent}}]}
        conds.append({"$or": [{"for_agents": {"$contains": f.for_agent}}, tagged]})
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}

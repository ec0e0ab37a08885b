"""Recall's candidates, section by section: the ids in order, and the memories read only
as far as the token budget reaches (decisions/0075)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from sqlmodel import Session, col, select

from memory_service.errors import ProjectNotFound
from memory_service.models import Memory
from memory_service.schemas.fields import Kind
from memory_service.schemas.recall import RecallRequest
from memory_service.schemas.search import SearchRequest
from memory_service.services.search.search import Started, search_memories
from memory_service.store import Store
from memory_service.store.filters import MemoryFilter
from memory_service.store.memories import load_memories, newest_ids, newest_memories

# How many of each section are candidates at most, newest first.
OPEN_HANDOFFS, DECISIONS, DELIVERABLES, RELEVANT = 100, 100, 50, 20
GONE = ("retracted", "superseded")
NOT_HANDOFFS = tuple(kind for kind in get_args(Kind) if kind != "handoff")


@dataclass
class Candidates:
    """One section's candidate ids in order; `rows` holds those read already."""

    name: str
    ids: list[str]
    rows: dict[str, Memory] = field(default_factory=dict)

    def read(self, session: Session | None, ids: list[str]) -> list[Memory]:
        """These candidates' memories, in order; one gone since it was listed is skipped."""
        missing = [i for i in ids if i not in self.rows]
        if missing and session is not None:
            self.rows.update(load_memories(session, missing))
        return [self.rows[i] for i in ids if i in self.rows]


def _loaded(name: str, memories: list[Memory]) -> Candidates:
    return Candidates(name, [m.id for m in memories], {m.id: m for m in memories})


def _referenced(session: Session, handoffs: list[Memory]) -> list[Memory]:
    """What the handoffs refer to, in their order, as far as it is still current."""
    # Superseded or retracted references are left out: the reader must not act on them.
    ids = list(dict.fromkeys(i for h in handoffs for i in h.refs))
    if not ids:
        return []
    rows = session.exec(
        select(Memory).where(col(Memory.id).in_(ids), col(Memory.status).not_in(GONE))
    ).all()
    by_id = {m.id: m for m in rows}
    return [by_id[i] for i in ids if i in by_id]


def addressed(session: Session, request: RecallRequest, dialect: str) -> list[Candidates]:
    """Open handoffs to the agent (read whole: none is ever left out) and what they cite,
    then the current decisions and the deliverables for the agent (ids only)."""
    project, agent = request.project, request.agent
    handoffs = newest_memories(
        session,
        MemoryFilter(
            project=project,
            kinds=("handoff",),
            for_agent=agent,
            exclude_statuses=(*GONE, "completed"),
        ),
        OPEN_HANDOFFS,
        dialect,
    )
    decisions = MemoryFilter(
        project=project,
        kinds=("decision",),
        exclude_statuses=(*GONE, "rejected", "deprecated"),
    )
    deliverables = MemoryFilter(project=project, kinds=("deliverable",), for_agent=agent)
    return [
        _loaded("handoffs", handoffs),
        _loaded("references", _referenced(session, handoffs)),
        Candidates("decisions", newest_ids(session, decisions, DECISIONS, dialect)),
        Candidates("deliverables", newest_ids(session, deliverables, DELIVERABLES, dialect)),
    ]


def recent(session: Session, request: RecallRequest, dialect: str) -> Candidates:
    """Without a query, the relevant memories are the newest with the request's tags, but
    not handoffs: the agent's open ones have a section of their own, and one addressed to
    another agent is that agent's work, not this one's context."""
    tagged = MemoryFilter(project=request.project, kinds=NOT_HANDOFFS, tags_all=tuple(request.tags))
    return Candidates("relevant", newest_ids(session, tagged, RELEVANT, dialect))


def relevant_search(request: RecallRequest) -> SearchRequest:
    """The search behind the relevant memories of a recall with a query."""
    return SearchRequest(
        query=request.query or "", project=request.project, tags_all=request.tags, k=RELEVANT
    )


def searched(store: Store, request: RecallRequest, started: Started | None) -> Candidates:
    """With a query, the relevant memories are its search's best hits (read whole);
    `started` is that search's vector side, begun before the sections' SQL."""
    try:
        hits = search_memories(store, request=relevant_search(request), started=started)
    except ProjectNotFound:
        hits = []  # a project's first session: nothing to recall yet
    return _loaded("relevant", [h.memory for h in hits])

"""The decision log as reviewers read it: filtered timelines, facets, chains and references."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from memory_service.errors import MemoryNotFound
from memory_service.models import Event, Memory
from memory_service.schemas.fields import DECISION_STATUSES
from memory_service.schemas.search import SearchRequest
from memory_service.services.decisions.chains import candidate_links, candidates_of
from memory_service.services.projects import ensure_project
from memory_service.services.search.search import search_memories
from memory_service.services.views import replacement_titles
from memory_service.store import Store
from memory_service.store.filters import MemoryFilter, sql_where
from memory_service.store.memories import load_memories, memory_by_id

SEARCH_LIMIT = 100
CHAIN_LIMIT = 50


@dataclass(frozen=True)
class LogFilter:
    """What the reviewer narrowed the log to; every field is optional."""

    status: str | None = None
    topic: str | None = None
    tag: str | None = None
    agent: str | None = None
    query: str | None = None


@dataclass
class Facets:
    """The values the project's decisions take, with how many decisions carry each."""

    statuses: dict[str, int] = field(default_factory=dict)
    topics: list[tuple[str, int]] = field(default_factory=list)
    tags: list[tuple[str, int]] = field(default_factory=list)
    agents: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0


@dataclass
class DecisionPage:
    """One page of the log: decisions newest first, or ranked by relevance to a query."""

    decisions: list[Memory]
    total: int
    facets: Facets
    replacements: dict[str, str]
    ranked: bool
    # Candidate replacements (decisions/0066): by decision, the proposals naming it; by
    # proposal, the decision it would replace.
    candidates: dict[str, list[Memory]] = field(default_factory=dict)
    proposed_for: dict[str, Memory] = field(default_factory=dict)


def _with_candidates(session: Session, page: DecisionPage) -> DecisionPage:
    """The page with the candidate replacements of its decisions, both ways."""
    page.candidates, page.proposed_for = candidate_links(session, page.decisions)
    return page


def _facets(session: Session, project: str) -> Facets:
    rows = session.exec(
        select(Memory.status, Memory.topic, Memory.tags, Memory.agent).where(
            Memory.project == project, Memory.kind == "decision", Memory.status != "retracted"
        )
    ).all()
    statuses = Counter(r[0] for r in rows)
    topics = Counter(r[1] for r in rows if r[1])
    tags = Counter(t for r in rows for t in r[2] or [])
    agents = Counter(r[3] for r in rows)
    return Facets(
        statuses={s: statuses[s] for s in DECISION_STATUSES if statuses[s]},
        topics=sorted(topics.items()),
        tags=sorted(tags.items()),
        agents=sorted(agents.items()),
        total=len(rows),
    )


def _where(project: str, wanted: LogFilter, dialect: str) -> list[sa.ColumnElement[bool]]:
    memory_filter = MemoryFilter(
        project=project,
        agent=wanted.agent,
        kinds=("decision",),
        topic=wanted.topic,
        tags_any=(wanted.tag,) if wanted.tag else (),
        exclude_statuses=("retracted",),
    )
    conds = sql_where(memory_filter, dialect)
    if wanted.status:
        conds.append(col(Memory.status) == wanted.status)
    return conds


def _adr_number(dialect: str) -> sa.ColumnElement[Any]:
    """The ADR number an import pinned in metadata.adr: imported ADRs share their file's
    date, so on a tie they keep their numbers' order. Compared as stored JSON, never cast:
    metadata is free, and a number written as text must not fail the log."""
    meta = col(Memory.meta)
    if dialect == "postgresql":
        path: sa.ColumnElement[Any] = sa.literal_column("'{adr,number}'::text[]")
        return meta.op("#>")(path)
    return sa.func.json_extract(meta, "$.adr.number")


def decision_log(
    store: Store, *, project: str, wanted: LogFilter, offset: int = 0, limit: int = 100
) -> DecisionPage:
    """The project's decisions under the filter: newest first, or by relevance to a query."""
    dialect = store.db.dialect
    if wanted.query and wanted.query.strip():
        request = SearchRequest(
            query=wanted.query,
            project=project,
            agent=wanted.agent,
            kinds=["decision"],
            topic=wanted.topic,
            tags_any=[wanted.tag] if wanted.tag else [],
            include_superseded=True,
            k=SEARCH_LIMIT,
        )
        hits = search_memories(store, request=request)
        found = [h.memory for h in hits if not wanted.status or h.memory.status == wanted.status]
        shown = found[offset : offset + limit]
        with store.db.read() as session:
            return _with_candidates(
                session,
                DecisionPage(
                    shown,
                    len(found),
                    _facets(session, project),
                    replacement_titles(session, shown),
                    True,
                ),
            )
    with store.db.read() as session:
        ensure_project(session, project)
        conds = _where(project, wanted, dialect)
        total = int(session.exec(select(func.count()).select_from(Memory).where(*conds)).one())
        rows = list(
            session.exec(
                select(Memory)
                .where(*conds)
                .order_by(
                    col(Memory.occurred_at).desc(),
                    _adr_number(dialect).desc().nulls_last(),
                    col(Memory.id).desc(),
                )
                .offset(offset)
                .limit(limit)
            ).all()
        )
        return _with_candidates(
            session,
            DecisionPage(
                rows, total, _facets(session, project), replacement_titles(session, rows), False
            ),
        )


def get_in_project(store: Store, *, project: str, memory_id: str) -> Memory:
    """A memory of the project by id (any status), or MemoryNotFound."""
    with store.db.read() as session:
        memory = memory_by_id(session, memory_id)
    if memory is None or memory.project != project:
        raise MemoryNotFound(
            f"project {project!r} has no memory with id {memory_id!r}", id=memory_id
        )
    return memory


def supersession_chain(store: Store, *, memory: Memory) -> list[Memory]:
    """The decisions this one replaced and that replaced it, oldest first (itself included),
    then its candidate replacements: proposals naming it, not yet accepted."""
    chain = [memory]
    seen = {memory.id}
    with store.db.read() as session:
        for attr, at_end in (("supersedes", False), ("superseded_by", True)):
            current = memory
            while len(chain) < CHAIN_LIMIT:
                next_id = getattr(current, attr)
                if not next_id or next_id in seen:
                    break
                found = memory_by_id(session, next_id)
                if found is None:
                    break
                seen.add(found.id)
                chain.insert(len(chain) if at_end else 0, found)
                current = found
        proposals = candidates_of(session, [memory.id]).get(memory.id, [])
    return chain + [m for m in proposals if m.id not in seen]


def referencing(store: Store, *, memory_id: str) -> list[Memory]:
    """The memories whose refs name this one (deliverables, handoffs ...), newest first."""
    refs = sa.cast(col(Memory.refs), sa.String)
    with store.db.read() as session:
        rows = session.exec(
            select(Memory)
            .where(refs.like(f'%"{memory_id}"%'))
            .order_by(col(Memory.occurred_at).desc())
        ).all()
    return [m for m in rows if memory_id in m.refs]


def memories_by_id(store: Store, *, ids: list[str]) -> list[Memory]:
    """The memories with these ids that exist, in the order given."""
    if not ids:
        return []
    with store.db.read() as session:
        by_id = load_memories(session, ids)
    return [by_id[i] for i in ids if i in by_id]


def last_event(store: Store, *, project: str) -> int:
    """The project's newest event sequence: a preview confirmed later must still match it."""
    with store.db.read() as session:
        stmt = select(func.max(Event.seq)).where(Event.project == project)
        return int(session.exec(stmt).one() or 0)

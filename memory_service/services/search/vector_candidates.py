"""A search's vector candidates: the nearest memories that pass its filter.

The index keeps one Chroma collection per project, so a project filter only picks the
collection. Chroma applies any other `where` by listing the matching ids before its graph
search, which costs several times the search itself; the statuses every search hides
(retracted, superseded) are therefore filtered in SQL instead, from a few more neighbours
than asked for. That is exact, not a guess: if at least `n` of the unfiltered nearest pass, no
memory that passes can be nearer than the `n`-th of them. Only when too few pass, or the
filter says more than project and status, is Chroma asked with the filter (decisions/0023).
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import Future
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from memory_service.models import Memory
from memory_service.services.sessions import SessionPlace, session_places
from memory_service.store import Store
from memory_service.store.filters import MemoryFilter, chroma_where, sql_where
from memory_service.store.vectors import VectorHit

# Neighbours asked for beyond `n`, for the ones SQL filters out (superseded decisions).
SPARE = 10


def index_projects(where: MemoryFilter) -> tuple[str, ...] | None:
    """The projects whose collections a search under `where` reads (None: all of them)."""
    if where.project is not None:
        return (where.project,)
    return where.projects


def _passing(
    session: Session, store: Store, hits: list[VectorHit], where: MemoryFilter
) -> set[str]:
    """The hits SQL lets through: the truth, when the index lags a change."""
    m = Memory.__table__.c  # type: ignore[attr-defined]
    # A Core statement: plain rows, without the ORM's result machinery.
    stmt = sa.select(m.id).where(
        m.id.in_([h.memory_id for h in hits]), *sql_where(where, store.db.dialect)
    )
    return set(session.execute(stmt).scalars())


def _passing_statuses(
    session: Session, hits: list[VectorHit], where: MemoryFilter, placed: dict[str, SessionPlace]
) -> set[str]:
    """`_passing` for a filter on projects and statuses only, checked in Python on the hits'
    places: those `placed` already in this read, the others looked up and added to it. By
    id alone: with a condition on the project too, SQLite (without statistics) scanned the
    project's rows instead of looking up each id, a cost that grew with the project."""
    placed.update(session_places(session, [h.memory_id for h in hits if h.memory_id not in placed]))
    return {
        h.memory_id
        for h in hits
        if (p := placed.get(h.memory_id)) is not None
        and (not where.project or p.project == where.project)
        and (where.projects is None or p.project in where.projects)
        and p.status not in where.exclude_statuses
    }


@dataclass(frozen=True)
class Nearest:
    """The vector candidates, and how similar any memory that passes the filter but is not
    among them can be at most (None when that is not known: the index held fewer)."""

    hits: list[VectorHit]
    bound: float | None


def _found(hits: list[VectorHit], asked: int, passing: set[str]) -> Nearest:
    # The index answered with the `asked` nearest: whatever it left out is no nearer than
    # the last of them (up to the approximation of its graph search).
    bound = 1.0 - hits[-1].distance if hits and len(hits) >= asked else None
    return Nearest([h for h in hits if h.memory_id in passing], bound)


@dataclass(frozen=True)
class EmbeddedQuery:
    """A query's vector and, when its filter is project and status only, the index's
    `n + SPARE` nearest in those projects, asked without a filter."""

    query: list[float]
    unfiltered: list[VectorHit] | None


def start_nearest(store: Store, text: str, *, where: MemoryFilter, n: int) -> Future[EmbeddedQuery]:
    """Embed the query and ask the index on the model's worker thread, while the caller's
    SQL finds the keyword matches (decisions/0029); `nearest` finishes the work."""

    def ask(query: list[float]) -> EmbeddedQuery:
        return EmbeddedQuery(query, _unfiltered_nearest(store, query, where=where, n=n))

    return store.embedder.start_query(text, then=ask)


def _unfiltered_nearest(
    store: Store, query: list[float], *, where: MemoryFilter, n: int
) -> list[VectorHit] | None:
    if not where.scope_and_status_only():
        return None
    return store.vectors.query(query, projects=index_projects(where), where=None, n=n + SPARE)


def nearest(
    store: Store,
    session: Session,
    *,
    query: list[float],
    where: MemoryFilter,
    n: int,
    unfiltered: list[VectorHit] | None = None,
    placed: dict[str, SessionPlace] | None = None,
) -> Nearest:
    """The nearest memories passing `where`: at least `n` of them when that many exist.
    `unfiltered` is what `start_nearest` already asked the index, if anything; `placed`, the
    places looked up in this read, gains those of the index's nearest (one query checks
    their status and says where they sit)."""
    projects = index_projects(where)
    hits = (
        unfiltered
        if unfiltered is not None
        else _unfiltered_nearest(store, query, where=where, n=n)
    )
    if hits is not None:
        passing = _passing_statuses(session, hits, where, {} if placed is None else placed)
        if len(passing) >= n or len(hits) < n + SPARE:
            return _found(hits, n + SPARE, passing)
    rest = dataclasses.replace(where, project=None, projects=None)
    hits = store.vectors.query(query, projects=projects, where=chroma_where(rest), n=n)
    return _found(hits, n, _passing(session, store, hits, where))

"""Chains of memories linked by `supersedes`: the candidate replacements of a decision, and
the invariants every chain keeps (decisions/0066).

Transitions keep the invariants one move at a time (lifecycle.py). What restores states
instead of moving them (rollback, undo, ADR import) is checked here afterwards, inside the
restore's transaction, so that a restore breaking a chain is refused whole; a chain broken before
(by an older version of the service) does not block a restore that leaves it as it was.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from memory_service.errors import DecisionStateConflict
from memory_service.models import Memory
from memory_service.services.decisions.lifecycle import (
    CANDIDATE,
    CURRENT,
    REPLACEMENT_STATES,
    RETRACTED,
)
from memory_service.store.memories import load_memories

SHOWN = 5


def candidates_of(session: Session, ids: Collection[str]) -> dict[str, list[Memory]]:
    """The proposals naming each of these memories in `supersedes`, oldest first: its
    candidate replacements, which supersede it only once accepted."""
    if not ids:
        return {}
    rows = session.exec(
        select(Memory)
        .where(Memory.status == CANDIDATE, col(Memory.supersedes).in_(list(set(ids))))
        .order_by(col(Memory.pk))
    ).all()
    found: dict[str, list[Memory]] = {}
    for row in rows:
        found.setdefault(row.supersedes or "", []).append(row)
    return found


def candidate_links(
    session: Session, decisions: Sequence[Memory]
) -> tuple[dict[str, list[Memory]], dict[str, Memory]]:
    """For a page of decisions: by current decision, its candidate replacements; by
    proposal among them, the decision it proposes to replace."""
    current = [m.id for m in decisions if m.status == CURRENT.get(m.kind)]
    candidates = candidates_of(session, current)
    named = {m.id: m.supersedes for m in decisions if m.status == CANDIDATE and m.supersedes}
    found = load_memories(session, set(named.values()))
    live = {i: found[old] for i, old in named.items() if old in found}
    return candidates, {i: m for i, m in live.items() if m.status == CURRENT.get(m.kind)}


@dataclass(frozen=True)
class BrokenLink:
    """A memory whose state or links break an invariant, and how."""

    memory_id: str
    problem: str


def _linked(session: Session, project: str) -> dict[str, Memory]:
    """The project's memories that take part in a chain, and those they name."""
    rows = session.exec(
        select(Memory)
        .where(
            Memory.project == project,
            col(Memory.kind).in_(tuple(CURRENT)),
            sa.or_(
                col(Memory.supersedes).is_not(None),
                col(Memory.superseded_by).is_not(None),
                col(Memory.status) == "superseded",
            ),
        )
        .order_by(col(Memory.pk))
    ).all()
    by_id = {m.id: m for m in rows}
    named = {i for m in rows for i in (m.supersedes, m.superseded_by) if i and i not in by_id}
    by_id.update(load_memories(session, named))
    return by_id


def _replacement_problem(m: Memory, by_id: dict[str, Memory]) -> str | None:
    """What is wrong between a superseded memory and its replacement, if anything."""
    if not m.superseded_by:
        return f"{m.kind} {m.id} is superseded but names no replacement"
    new = by_id.get(m.superseded_by)
    if new is None or new.project != m.project or new.kind != m.kind:
        return f"{m.kind} {m.id} is superseded by {m.superseded_by}, no {m.kind} of its project"
    if new.status not in REPLACEMENT_STATES[m.kind]:
        return f"{m.kind} {m.id} is superseded by {new.id}, which is {new.status}"
    if new.supersedes != m.id:
        return f"{m.kind} {m.id} is superseded by {new.id}, which does not name it back"
    return None


def _chain_roots(by_id: dict[str, Memory]) -> dict[str, str]:
    """Each live memory's chain, named by one of its members (links through live ones)."""
    parent = {i: i for i, m in by_id.items() if m.status != RETRACTED}

    def root(i: str) -> str:
        """The member naming `i`'s chain (union-find, halving the path as it goes)."""
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in parent:
        for j in (by_id[i].supersedes, by_id[i].superseded_by):
            if j in parent:
                parent[root(i)] = root(j)
    return {i: root(i) for i in parent}


def broken_links(session: Session, project: str) -> list[BrokenLink]:
    """Every break of the invariants in the project: a superseded memory names a replacement
    that names it back and is current or moved on from current (never proposed, rejected or
    retracted); only a superseded memory names a replacement; a replacement's predecessor is
    superseded by it; a chain holds at most one current memory (an accepted decision)."""
    by_id = _linked(session, project)
    broken: list[BrokenLink] = []
    for m in by_id.values():
        if m.project != project or m.status == RETRACTED:
            continue
        problem = None
        if m.status == "superseded":
            problem = _replacement_problem(m, by_id)
        elif m.superseded_by:
            problem = f"{m.kind} {m.id} names replacement {m.superseded_by} but is {m.status}"
        elif m.supersedes and m.status in REPLACEMENT_STATES[m.kind]:
            old = by_id.get(m.supersedes)
            if old is not None and old.status != RETRACTED and old.superseded_by != m.id:
                problem = f"{m.kind} {m.id} replaces {old.id}, which is {old.status}"
        if problem:
            broken.append(BrokenLink(m.id, problem))
    current: dict[str, list[str]] = {}
    for i, chain in _chain_roots(by_id).items():
        if by_id[i].project == project and by_id[i].status == CURRENT[by_id[i].kind]:
            current.setdefault(chain, []).append(i)
    for members in current.values():
        if len(members) > 1:
            kind = by_id[members[0]].kind
            broken.append(
                BrokenLink(
                    min(members),
                    f"one chain holds {len(members)} current {kind}s: {', '.join(members)}",
                )
            )
    return broken


@contextmanager
def chains_kept(
    session: Session,
    project: str,
    *,
    doing: str,
    todo: str,
    names: dict[str, str] | None = None,
) -> Iterator[None]:
    """Run a restore of states (rollback, undo, import), then refuse it whole (409) if it
    broke an invariant of a chain of the project that held before: restoring history is
    no transition, but must leave the lifecycle's invariants as it found them. `names`
    shows memory ids by another name in the message (an ADR file's)."""
    before = {b.memory_id for b in broken_links(session, project)}
    yield
    broken = [b for b in broken_links(session, project) if b.memory_id not in before]
    if not broken:
        return
    shown = "; ".join(b.problem for b in broken[:SHOWN])
    for memory_id, name in (names or {}).items():
        shown = shown.replace(memory_id, name)
    more = f" (and {len(broken) - SHOWN} more)" if len(broken) > SHOWN else ""
    raise DecisionStateConflict(
        f"{doing} would leave chains of replacements broken: {shown}{more}; {todo}",
        broken=[b.memory_id for b in broken],
    )

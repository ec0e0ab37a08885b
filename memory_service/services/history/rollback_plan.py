"""What a rollback would do: the memories in scope, which it keeps and why, the change it
makes to each, and the deliverables and handoffs that build on what it reverts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from memory_service.errors import NothingToRollBack
from memory_service.models import Event, Memory
from memory_service.schemas.rollback import (
    FieldChange,
    ImpactItem,
    KeptItem,
    PlannedChange,
    RollbackRequest,
)
from memory_service.services.history.checkpoints import Target, resolve_target
from memory_service.services.history.history import VOLATILE, states_at
from memory_service.services.write_path.changes import Change, snapshot
from memory_service.store.filters import addressed_to

# Never restored from an old version: identity, and the fields every version rewrites.
KEPT = VOLATILE | {"id", "project", "kind", "recorded_at"}


def _diff(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, FieldChange]:
    keys = (set(current) | set(wanted)) - KEPT
    return {
        k: FieldChange(before=current.get(k), after=wanted.get(k))
        for k in sorted(keys)
        if current.get(k) != wanted.get(k)
    }


@dataclass
class Step:
    memory: Memory
    change: PlannedChange
    current: dict[str, Any]  # the memory's snapshot before the step: its event's `before`


def plan_one(memory: Memory, wanted: dict[str, Any] | None) -> Step | None:
    """What it takes to bring `memory` to `wanted` (None: it did not exist then)."""
    current = snapshot(memory)
    if wanted is None:
        if memory.status == "retracted":
            return None
        wanted = {**current, "status": "retracted"}
        action = "retract"
    else:
        action = "restore"
    fields = _diff(current, wanted)
    if not fields:
        return None
    change = PlannedChange(
        memory_id=memory.id, kind=memory.kind, title=memory.title, action=action, fields=fields
    )
    return Step(memory, change, current)


def _in_scope(session: Session, request: RollbackRequest, project: str, seq: int) -> list[Memory]:
    changed = select(Event.memory_id).where(Event.project == project, col(Event.seq) > seq)
    stmt = select(Memory).where(col(Memory.id).in_(changed.scalar_subquery()))
    if request.agent:
        stmt = stmt.where(Memory.agent == request.agent)
    if request.topic:
        stmt = stmt.where(Memory.topic == request.topic)
    return list(session.exec(stmt.order_by(col(Memory.pk))).all())


def apply_step(step: Step) -> Change:
    for name, values in step.change.fields.items():
        value = values.after
        if name.endswith("_at") and isinstance(value, str):
            value = datetime.fromisoformat(value)  # snapshots hold JSON
        setattr(step.memory, name, value)
    return Change(step.memory, step.current)


def impact(session: Session, project: str, changes: list[PlannedChange]) -> list[ImpactItem]:
    reverted_decisions = {c.memory_id for c in changes if c.kind == "decision"}
    if not reverted_decisions:
        return []
    reverted = {c.memory_id for c in changes}
    dependants = session.exec(
        select(Memory).where(
            Memory.project == project,
            col(Memory.kind).in_(("deliverable", "handoff")),
            Memory.status != "retracted",
        )
    ).all()
    items = []
    for m in dependants:
        refs = [r for r in m.refs if r in reverted_decisions]
        if refs:
            items.append(
                ImpactItem(
                    memory_id=m.id,
                    kind=m.kind,
                    title=m.title,
                    status=m.status,
                    references=refs,
                    reverted=m.id in reverted,
                )
            )
    return items


def _kept(
    session: Session, project: str, request: RollbackRequest, memories: list[Memory], seq: int
) -> dict[str, KeptItem]:
    """What the rollback must not revert: in an agent's rollback, memories others changed
    after the target (a reviewer's status change is not the agent's to undo); by default,
    what other agents addressed to the actor (the QA report that prompted the rollback)."""
    kept: dict[str, KeptItem] = {}

    def keep(m: Memory, why: str, by: list[str]) -> None:
        kept[m.id] = KeptItem(memory_id=m.id, kind=m.kind, title=m.title, why=why, by=by)  # type: ignore[arg-type]

    if request.agent and memories:
        rows = session.exec(
            select(Event.memory_id, Event.actor).where(
                Event.project == project,
                col(Event.seq) > seq,
                Event.actor != request.agent,
                col(Event.memory_id).in_(
                    select(Memory.id).where(
                        Memory.project == project, Memory.agent == request.agent
                    )
                ),
            )
        ).all()
        others: dict[str, set[str]] = {}
        for memory_id, other in rows:
            others.setdefault(memory_id or "", set()).add(other)
        for m in memories:
            if m.id in others:
                keep(m, "changed-by-others", sorted(others[m.id]))
    actor = request.actor
    if request.keep_addressed and actor is not None:
        for m in memories:
            addressed = addressed_to(actor, for_agents=m.for_agents, tags=m.tags, author=m.agent)
            if m.id not in kept and addressed:
                keep(m, "addressed-to-you", [m.agent])
    return kept


def plan(
    session: Session, project: str, request: RollbackRequest
) -> tuple[Target, list[Step], list[KeptItem]]:
    target = resolve_target(session, project, request.to)
    scoped = _in_scope(session, request, project, target.seq)
    kept = _kept(session, project, request, scoped, target.seq)
    memories = [m for m in scoped if m.id not in kept]
    wanted = states_at(session, [m.id for m in memories], target.seq)
    planned = (plan_one(m, wanted.get(m.id)) for m in memories)
    steps = [s for s in planned if s is not None]
    if not steps:
        raise NothingToRollBack(
            f"nothing to roll back in project {project!r}: no memory in scope changed after "
            f"{request.to!r}"
            + (
                f" ({len(kept)} kept: changed by others or addressed to "
                "you; pass keep_addressed=false to revert what was addressed to you)"
                if kept
                else ""
            ),
            target_seq=target.seq,
            kept=[k.memory_id for k in kept.values()],
        )
    return target, steps, list(kept.values())

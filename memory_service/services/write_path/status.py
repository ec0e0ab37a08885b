"""Status changes on the write path: a PATCH of the status, where accepting a candidate
replacement supersedes the decision it names in the same transaction, and a retraction,
which must not leave a replaced memory pointing at a retracted replacement. Each is a move
the lifecycle allows (services/decisions/lifecycle.py, decisions/0066)."""

from __future__ import annotations

from sqlmodel import Session

from memory_service.errors import DecisionStateConflict, InvalidInput, StateConflict
from memory_service.models import Memory
from memory_service.schemas.fields import STATUSES_BY_KIND
from memory_service.services.decisions import lifecycle
from memory_service.services.write_path.creation import memory_row
from memory_service.services.write_path.supersession import supersede
from memory_service.store.memories import memory_by_id


def check_status_change(session: Session, memory: Memory, status: str, *, role: str | None) -> None:
    """Refuse a status the memory's kind lacks or the lifecycle does not reach from its
    current one; for a candidate's acceptance, also a decision it can no longer replace."""
    if memory.kind == "handoff" and status != memory.status:
        # A handoff's state says what its receiver did; only the receiver's own ack or
        # complete may change it, with their note.
        raise StateConflict(
            f"handoff {memory.id!r} changes state only through POST /v1/handoffs/"
            f"{memory.id}/ack or /complete (agentmem ack / complete), by its receiver",
            state=memory.status,
        )
    statuses = STATUSES_BY_KIND[memory.kind]
    if status not in statuses:
        raise InvalidInput(
            f"status {status!r} is not valid for a {memory.kind}: {', '.join(statuses)}"
        )
    move = lifecycle.transition(memory, status, role=role)
    if move is None or status != lifecycle.CURRENT.get(memory.kind) or not memory.supersedes:
        return
    old = memory_row(session, memory.supersedes)
    if old.status != lifecycle.CURRENT[old.kind]:
        raise lifecycle.conflict(
            old,
            old.kind,
            old.status,
            "superseded",
            f"{memory.kind} {memory.id!r} proposed to replace it, and a proposal replaces "
            f"only the current {old.kind}: reject {memory.id!r} (PATCH status rejected), or "
            f"record a new proposal that names the current {old.kind} in supersedes",
        )


def accept_candidate(session: Session, memory: Memory, *, actor: str, token: str | None) -> None:
    """After a proposal naming `supersedes` is accepted: the decision it names becomes
    superseded by it, in the same transaction (checked by `check_status_change`)."""
    if memory.kind != "decision" or memory.status != "accepted" or not memory.supersedes:
        return
    old = memory_row(session, memory.supersedes)
    if old.superseded_by != memory.id:
        supersede(session, old=old, new=memory, actor=actor, token=token)


def check_retract(session: Session, memory: Memory) -> None:
    """Refuse to retract a replacement while the memory it replaced is superseded by it:
    that one would point at a retracted replacement, and its chain have no current one."""
    if not memory.supersedes or memory.status == lifecycle.RETRACTED:
        return
    old = memory_by_id(session, memory.supersedes)
    if old is None or old.status != "superseded" or old.superseded_by != memory.id:
        return
    instead = f"record a new {memory.kind} that supersedes it"
    if memory.kind == "decision":
        instead = f"have a reviewer deprecate it (PATCH status deprecated), or {instead}"
    raise DecisionStateConflict(
        f"{memory.kind} {memory.id!r} replaced {old.id!r}, which would be left superseded by "
        f"a retracted {memory.kind}: {instead}; to undo the replacement, roll back to before "
        "it",
        state=memory.status,
        target=lifecycle.RETRACTED,
        replaces=old.id,
    )

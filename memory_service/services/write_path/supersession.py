"""One memory replacing another: the rules both ways of superseding follow (a new memory
that names `supersedes`, and POST /v1/memories/{id}/supersede between two stored ones),
and the versions it writes, so that both end in the same state (decisions/0061). Which
states may replace and be replaced is the lifecycle's to say (decisions/0066)."""

from __future__ import annotations

from sqlmodel import Session

from memory_service.errors import DecisionStateConflict, InvalidInput, StateConflict
from memory_service.models import Memory
from memory_service.services.decisions import lifecycle
from memory_service.services.write_path.changes import record_change, snapshot

GONE = ("superseded", "retracted")


def _check_pair(old: Memory, new: Memory, replacement: str) -> None:
    """Same project, same kind, and a kind that is superseded at all."""
    if old.id == new.id:
        raise InvalidInput(
            f"memory {old.id!r} cannot supersede itself: name the memory that replaces it"
        )
    if old.project != new.project:
        raise InvalidInput(
            f"{old.id!r} is not in the project of {replacement}: a memory is superseded only "
            "by one of its own project; record the replacement there",
            project=new.project,
        )
    if old.kind == "handoff":
        raise InvalidInput(
            f"{old.id!r} is a handoff, and a handoff is not superseded: complete or retract "
            "it, and cite it in the next handoff's refs",
            kind=old.kind,
        )
    if old.kind != new.kind:
        raise InvalidInput(
            f"a {old.kind} is superseded only by a {old.kind}, and {replacement} is a "
            f"{new.kind}: record the replacement as a {old.kind}, or cite {old.id!r} in refs",
            kind=old.kind,
        )


def _check_states(old: Memory, new: Memory, replacement: str) -> None:
    """The old one current, as the lifecycle says (decisions/0066); the replacement current
    too (an accepted decision, a live note or deliverable), replacing nothing else."""
    lifecycle.check_replaceable(old)
    if new.status in GONE:
        raise StateConflict(
            f"{replacement} is {new.status}: a memory is superseded only by a live one; "
            f"name the current {new.kind} instead",
            state=new.status,
        )
    if new.status != lifecycle.CURRENT[new.kind]:
        then = (
            f"name {old.id!r} in its supersedes and a reviewer's accepting it supersedes {old.id!r}"
            if new.status == lifecycle.CANDIDATE
            else f"record a new {new.kind} that supersedes {old.id!r}"
        )
        raise DecisionStateConflict(
            f"{replacement} is {new.status}: only an accepted decision supersedes another; {then}",
            state=new.status,
            allowed=lifecycle.allowed(new.kind, new.status),
        )
    if new.supersedes not in (None, old.id):
        raise StateConflict(
            f"{replacement} already supersedes {new.supersedes!r}, and a memory replaces one "
            f"memory: retract {old.id!r} instead, or record another {new.kind} to replace it",
            supersedes=new.supersedes,
        )


def check_candidate(old: Memory, new: Memory) -> None:
    """A new decision naming `old` in supersedes without superseding it yet: a proposal
    (a candidate, which supersedes `old` once accepted) or a rejected one."""
    _check_pair(old, new, f"the new {new.kind}")
    lifecycle.check_candidate(old, new.status)


def supersede(
    session: Session,
    *,
    old: Memory,
    new: Memory,
    actor: str,
    token: str | None,
    fresh: bool = False,
) -> None:
    """Mark `old` superseded by `new` (`fresh`: being created) and make `new` name it in
    `supersedes`, each change a version with its event; InvalidInput or StateConflict when
    a rule forbids it."""
    replacement = f"the new {new.kind}" if fresh else f"{new.kind} {new.id!r}"
    _check_pair(old, new, replacement)
    _check_states(old, new, replacement)
    if new.supersedes != old.id:
        # A new memory names it from its first version; a stored one gains a version.
        before = snapshot(new)
        new.supersedes = old.id
        record_change(
            session, memory=new, event_type="updated", actor=actor, token=token, before=before
        )
    before = snapshot(old)
    old.status = "superseded"
    old.superseded_by = new.id
    record_change(
        session, memory=old, event_type="superseded", actor=actor, token=token, before=before
    )

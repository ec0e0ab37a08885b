"""One memory replacing another: the rules both ways of superseding follow (a new memory
that names `supersedes`, and POST /v1/memories/{id}/supersede between two stored ones),
and the versions it writes, so that both end in the same state (decisions/0061)."""

from __future__ import annotations

from sqlmodel import Session

from memory_service.errors import InvalidInput, StateConflict
from memory_service.models import Memory
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
    """The old one still current; the replacement live, accepted if a decision, and
    replacing nothing else."""
    if old.status in GONE:
        by = f" by {old.superseded_by!r}" if old.superseded_by else ""
        then = (
            f"supersede its replacement {old.superseded_by!r} instead"
            if old.superseded_by
            else "roll back its retraction first if it should be replaced"
        )
        raise StateConflict(
            f"{old.kind} {old.id!r} is already {old.status}{by}: {then}",
            state=old.status,
            superseded_by=old.superseded_by,
        )
    if new.status in GONE:
        raise StateConflict(
            f"{replacement} is {new.status}: a memory is superseded only by a live one; "
            f"name the current {new.kind} instead",
            state=new.status,
        )
    if new.kind == "decision" and new.status != "accepted":
        raise StateConflict(
            f"{replacement} is {new.status}: only an accepted decision supersedes another; "
            f"have it accepted first, then supersede {old.id!r} by it",
            state=new.status,
        )
    if new.supersedes not in (None, old.id):
        raise StateConflict(
            f"{replacement} already supersedes {new.supersedes!r}, and a memory replaces one "
            f"memory: retract {old.id!r} instead, or record another {new.kind} to replace it",
            supersedes=new.supersedes,
        )


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

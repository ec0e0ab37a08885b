"""The lifecycle of a memory's status as one state machine (decisions/0066).

Each kind has its states and the transitions between them, and each transition is made by
a role: the memory's author (`agent`) or a `reviewer`. Every path that sets a status asks
this module: remember (the first state, and what `supersedes` does), PATCH status,
supersede, retract and ADR import make transitions. Rollback, undo and ADR import restore
states, which are no transitions; the invariants of `chains.broken_links` must hold after
them. A handoff's states (open, acknowledged, completed) are its receiver's, moved by ack
and complete (services/handoffs/states.py, decisions/0030).
"""

from __future__ import annotations

from dataclasses import dataclass

from memory_service.errors import DecisionStateConflict, Forbidden
from memory_service.models import Memory

AGENT = "agent"
REVIEWER = "reviewer"
RETRACTED = "retracted"
NEW = "new"  # the state a memory is in before it is stored


@dataclass(frozen=True)
class Transition:
    """A move from one status to another; `by` is the least role that makes it (the
    memory's author, `agent`, or a `reviewer`), `how` what a caller sends to make it."""

    source: str
    target: str
    by: str
    how: str


_REPLACED = "an accepted replacement that names it in supersedes"
_REPLACED_NOTE = "a live replacement of its kind that names it in supersedes"

TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    "decision": (
        Transition("proposed", "accepted", REVIEWER, 'PATCH {"status": "accepted"}'),
        Transition("proposed", "rejected", REVIEWER, 'PATCH {"status": "rejected"}'),
        Transition("accepted", "deprecated", REVIEWER, 'PATCH {"status": "deprecated"}'),
        Transition("accepted", "superseded", AGENT, _REPLACED),
    ),
    "note": (Transition("active", "superseded", AGENT, _REPLACED_NOTE),),
    "deliverable": (Transition("active", "superseded", AGENT, _REPLACED_NOTE),),
}
# The states a new memory may start in. Superseded is not one: it needs a replacement,
# which the new memory would have to name (an ADR import brings both files at once).
INITIAL: dict[str, tuple[str, ...]] = {
    "decision": ("proposed", "accepted", "rejected", "deprecated"),
    "note": ("active",),
    "deliverable": ("active",),
    "handoff": ("open",),
}
# The one current state of a chain of replacements, and the states its replacements may
# be in: current, or moved on from current by the lifecycle's own transitions.
CURRENT = {"decision": "accepted", "note": "active", "deliverable": "active"}
REPLACEMENT_STATES = {
    "decision": ("accepted", "superseded", "deprecated"),
    "note": ("active", "superseded"),
    "deliverable": ("active", "superseded"),
}
# A proposal naming `supersedes` is a candidate replacement: it supersedes when accepted.
# A rejected one keeps its link for the record; neither changes the decision it names.
CANDIDATE = "proposed"
LINKED_ONLY = (CANDIDATE, "rejected")


def allowed(kind: str, state: str) -> list[str]:
    """The states a memory of `kind` may move to from `state` (retracted aside)."""
    return [t.target for t in TRANSITIONS.get(kind, ()) if t.source == state]


def _allowed_text(kind: str, state: str) -> str:
    """Where a memory may go from `state`, in words for a refusal."""
    if state == NEW:
        return f"a new {kind} may start as {', '.join(INITIAL.get(kind, ()))}"
    targets = allowed(kind, state)
    if targets:
        return f"from {state} it may become {', '.join(targets)}"
    return f"from {state} it moves only by a rollback or undo"


def conflict(
    memory: Memory | None, kind: str, state: str, target: str, todo: str
) -> DecisionStateConflict:
    """The 409 for a move the lifecycle does not allow (`memory` None: a new one): its
    current state, the allowed ones, and what to do instead."""
    if memory is None:
        said = f"a new {kind} cannot start as {target}"
    else:
        by = f" by {memory.superseded_by!r}" if memory.superseded_by else ""
        said = f"{kind} {memory.id!r} is {state}{by} and cannot become {target}"
    return DecisionStateConflict(
        f"{said}: {todo} ({_allowed_text(kind, state)})",
        state=state,
        target=target,
        allowed=list(INITIAL.get(kind, ())) if state == NEW else allowed(kind, state),
    )


def check_initial(kind: str, status: str) -> None:
    """Refuse a new memory in a state it cannot start in."""
    if status in INITIAL.get(kind, (status,)):
        return
    raise conflict(
        None,
        kind,
        NEW,
        status,
        f"a {kind} becomes superseded when its replacement names it: record it as "
        f"{CURRENT.get(kind, 'accepted')}, then its replacement with supersedes=<its id>",
    )


def _todo(memory: Memory, target: str) -> str:
    """What to do instead of an illegal move, by where it starts and where it goes."""
    kind, state = memory.kind, memory.status
    if state == RETRACTED:
        return "roll back or undo the retraction to restore it first"
    if target == "superseded":
        return (
            f"a {kind} becomes superseded when {_REPLACED}: POST /v1/memories/{memory.id}/"
            f'supersede with {{"by": "<replacement id>"}} (MCP: supersede), or record the '
            f"replacement with supersedes={memory.id}"
        )
    if state == "superseded":
        return (
            f"roll back its replacement, or record a new {kind} that supersedes "
            f"{memory.superseded_by!r}"
        )
    if state in ("rejected", "deprecated"):
        return f"record a new {kind} (proposed, or accepted) instead"
    if state == "proposed":
        return "a reviewer accepts or rejects it first"
    return f"deprecate it, or record a new {kind} that supersedes it"


def transition(memory: Memory, target: str, *, role: str | None) -> Transition | None:
    """The transition that moves `memory` to `target` (None: it is there already);
    DecisionStateConflict when there is none, Forbidden when `role` may not make it
    (`role` None: a trusted caller inside the service)."""
    if memory.status == target:
        return None
    moves = TRANSITIONS.get(memory.kind, ())
    move = next((t for t in moves if (t.source, t.target) == (memory.status, target)), None)
    # Superseded is set by naming a replacement (supersession.py), never as a bare status.
    if move is None or target == "superseded":
        raise conflict(memory, memory.kind, memory.status, target, _todo(memory, target))
    if role == AGENT and move.by == REVIEWER:
        raise Forbidden(
            f"a {memory.kind} becomes {target} by a reviewer's call ({move.how} with a reviewer "
            f"token); record a new {memory.kind} that supersedes it instead",
            needed=REVIEWER,
        )
    return move


def check_replaceable(old: Memory) -> None:
    """Refuse to supersede `old` unless its state may become superseded."""
    if "superseded" in allowed(old.kind, old.status):
        return
    if old.status in ("superseded", RETRACTED):
        then = (
            f"supersede its replacement {old.superseded_by!r} instead"
            if old.superseded_by
            else "roll back its retraction first if it should be replaced"
        )
        raise DecisionStateConflict(
            f"{old.kind} {old.id!r} is already {old.status}"
            + (f" by {old.superseded_by!r}" if old.superseded_by else "")
            + f": {then} ({_allowed_text(old.kind, old.status)})",
            state=old.status,
            superseded_by=old.superseded_by,
            allowed=allowed(old.kind, old.status),
        )
    raise conflict(
        old,
        old.kind,
        old.status,
        "superseded",
        f"only the current {old.kind} ({CURRENT.get(old.kind)}) is replaced; "
        + _todo(old, old.status),
    )


def check_candidate(old: Memory, status: str) -> None:
    """Refuse a new decision that names `old` in supersedes without superseding it, unless
    it is a proposal for the current decision (a candidate replacement, which supersedes
    `old` once accepted) or a rejected one (a candidate turned down, kept for the record)."""
    if status not in LINKED_ONLY:
        raise conflict(
            None,
            old.kind,
            NEW,
            status,
            f"naming {old.id!r} in supersedes, it would replace it, and a {status} "
            f"{old.kind} replaces nothing: record it accepted to supersede {old.id!r}, or "
            "proposed to propose replacing it",
        )
    if status != CANDIDATE or old.status == CURRENT.get(old.kind):
        return
    then = (
        f"name its replacement {old.superseded_by!r} in supersedes instead"
        if old.superseded_by
        else f"leave supersedes out and cite {old.id!r} in refs"
    )
    raise conflict(
        old,
        old.kind,
        old.status,
        "superseded",
        f"a proposal is a candidate replacement of the current {old.kind} only; {then}",
    )


def check_restore(memory: Memory, status: str, *, where: str) -> None:
    """Refuse a status an ADR import writes over a stored, live decision unless the
    lifecycle reaches it from the stored one: a move it allows, or superseded from a state
    that may be replaced (the replacement is checked with the chains). `where` names the
    file in the message."""
    if status == memory.status or memory.status == RETRACTED:
        return
    if status == "superseded" and "superseded" in allowed(memory.kind, memory.status):
        return
    try:
        transition(memory, status, role=None)
    except DecisionStateConflict as exc:
        raise DecisionStateConflict(
            f"{where}: {exc.message}; or give the file the status the store holds",
            file=where,
            **exc.details,
        ) from None

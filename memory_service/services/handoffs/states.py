"""Handoff state changes: open -> acknowledged -> completed (or open -> completed).

Each change is an event through the one write path; its note is kept in the memory's
metadata (`notes`), so the history shows who moved the handoff, when and why.
"""

from __future__ import annotations

from memory_service.errors import StateConflict
from memory_service.models import utcnow
from memory_service.schemas.handoffs import HandoffNote, HandoffPublic
from memory_service.services.handoffs.handoffs import get_handoff_row, public_handoffs
from memory_service.services.indexing import indexing
from memory_service.services.write_path.changes import record_change, snapshot
from memory_service.services.write_path.secrets import scrub
from memory_service.store import Store
from memory_service.store.filters import addressed_to


def _refusal(handoff_id: str, state: str, to_state: str) -> str:
    if state == "retracted":
        return f"handoff {handoff_id!r} was retracted; there is nothing to mark {to_state}"
    if state == to_state:
        return f"handoff {handoff_id!r} is already {state}" + (
            "; complete it when its pending work is done" if state == "acknowledged" else ""
        )
    return (
        f"handoff {handoff_id!r} is already {state}, so it cannot be {to_state} any more; "
        "record a new handoff for new work"
    )


def _transition(
    store: Store,
    *,
    handoff_id: str,
    to_state: str,
    allowed_from: tuple[str, ...],
    actor: str | None,
    note: str | None,
    token: str | None,
) -> HandoffPublic:
    note = scrub(note, policy=store.settings.secrets, field="note")
    with store.db.write() as session:
        memory = get_handoff_row(session, handoff_id)
        receiver = memory.for_agents[0] if memory.for_agents else None
        actor = actor or receiver or memory.agent
        if memory.status not in allowed_from:
            raise StateConflict(_refusal(handoff_id, memory.status, to_state), state=memory.status)
        # Acknowledging says "I have it": only an agent it is addressed to can; the sender
        # may also complete a handoff that became moot.
        addressed = addressed_to(
            actor, for_agents=memory.for_agents, tags=memory.tags, author=memory.agent
        )
        if not (addressed or (to_state == "completed" and actor == memory.agent)):
            to = repr(receiver) if receiver else "the agents tagged on it"
            raise StateConflict(
                f"handoff {handoff_id!r} is addressed to {to}; {actor!r} cannot mark it "
                f"{to_state}: act as the receiver (agentmem --agent <receiver>)",
                receiver=receiver,
                actor=actor,
            )
        before = snapshot(memory)
        entry = HandoffNote(state=to_state, actor=actor, at=utcnow(), note=note)  # type: ignore[arg-type]
        notes = [*memory.meta.get("notes", []), entry.model_dump(mode="json")]
        memory.meta = {**memory.meta, "notes": notes}
        memory.status = to_state
        record_change(
            session,
            memory=memory,
            event_type=to_state,
            actor=actor,
            token=token,
            before=before,
        )
        public = public_handoffs(session, [memory])[0]
    indexing.sync(store)
    return public


def acknowledge_handoff(
    store: Store,
    *,
    handoff_id: str,
    actor: str | None = None,
    note: str | None = None,
    token: str | None = None,
) -> HandoffPublic:
    """The receiver confirms it has taken the handoff (open -> acknowledged)."""
    return _transition(
        store,
        handoff_id=handoff_id,
        to_state="acknowledged",
        allowed_from=("open",),
        actor=actor,
        note=note,
        token=token,
    )


def complete_handoff(
    store: Store,
    *,
    handoff_id: str,
    actor: str | None = None,
    note: str | None = None,
    token: str | None = None,
) -> HandoffPublic:
    """Close a handoff whose pending work is done (open or acknowledged -> completed)."""
    return _transition(
        store,
        handoff_id=handoff_id,
        to_state="completed",
        allowed_from=("open", "acknowledged"),
        actor=actor,
        note=note,
        token=token,
    )

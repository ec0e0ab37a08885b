"""New memories: the checks each one passes and the rows it writes, together for a batch.

The one write path (services/write_path/changes.py) records each memory with its event and outbox
row; a batch's new memories go through it together, one statement per table, and are
written before any check that must see them (decisions/0027). A resend of stored content
is a replay, a version or a new memory (resends.py, decisions/0067); a new memory's state
and what its `supersedes` does follow the lifecycle (decisions/0066).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlmodel import Session, col, select
from ulid import ULID

from memory_service.errors import DecisionConflict, InvalidInput, MemoryNotFound
from memory_service.models import Memory, utcnow
from memory_service.schemas.fields import DEFAULT_STATUS
from memory_service.schemas.memories import ConflictRef, MemoryCreate, WriteResult
from memory_service.services.access.access import named_actor
from memory_service.services.decisions import lifecycle
from memory_service.services.decisions.chains import candidates_of
from memory_service.services.texts import title_for
from memory_service.services.views import to_public
from memory_service.services.write_path.changes import (
    Change,
    record_change,
    record_changes,
    snapshot,
)
from memory_service.services.write_path.limits import check_fields_size
from memory_service.services.write_path.resends import apply_resend, match_resend
from memory_service.services.write_path.supersession import check_candidate, supersede
from memory_service.store.memories import load_memories, memory_by_id


@dataclass
class Remembered:
    """A memory as one item of a remember left it, and what happened to the item."""

    memory: Memory
    result: WriteResult = "created"
    conflicts: list[ConflictRef] = field(default_factory=list)
    candidates: list[str] | None = None

    @property
    def duplicate(self) -> bool:
        """A replay: the item was already stored, and nothing was written for it."""
        return self.result == "duplicate"


def content_hash(project: str, kind: str, content: str) -> str:
    return hashlib.sha256(f"{project}\0{kind}\0{content.strip()}".encode()).hexdigest()


def memory_row(session: Session, memory_id: str) -> Memory:
    """The memory with this id, for a change; MemoryNotFound if there is none."""
    memory = memory_by_id(session, memory_id)
    if memory is None:
        raise MemoryNotFound(f"no memory has id {memory_id!r}", id=memory_id)
    return memory


def check_refs(session: Session, project: str, refs: list[str]) -> None:
    """Refuse refs that name no memory, or a memory of another project (whose title and text
    recall and the web UI would then show in this one)."""
    if not refs:
        return
    found = load_memories(session, refs)
    missing = [r for r in refs if r not in found]
    if missing:
        raise InvalidInput(
            f"refs name unknown memory ids: {', '.join(missing)}; refer to existing memories",
            missing=missing,
        )
    foreign = [r for r in refs if found[r].project != project]
    if foreign:
        raise InvalidInput(
            f"refs {', '.join(foreign)} belong to another project; a memory of project "
            f"{project!r} may refer only to that project's memories",
            foreign=foreign,
        )


def _conflicts(
    session: Session, item: MemoryCreate, status: str, itself: str | None = None
) -> list[ConflictRef]:
    """The accepted decisions on the item's topic it would stand beside (not the one it
    supersedes, nor `itself` when a resend makes a version of it)."""
    if item.kind != "decision" or not item.topic or status != "accepted":
        return []
    rows = session.exec(
        select(Memory).where(
            Memory.project == item.project,
            Memory.kind == "decision",
            Memory.topic == item.topic,
            Memory.status == "accepted",
        )
    ).all()
    return [
        ConflictRef(id=m.id, title=m.title) for m in rows if m.id not in (item.supersedes, itself)
    ]


def _refuse_conflicts(item: MemoryCreate, conflicts: list[ConflictRef]) -> None:
    """Refuse an item that asked to be (on_conflict=error) when its topic has conflicts."""
    if conflicts and item.on_conflict == "error":
        raise DecisionConflict(
            f"project {item.project!r} already has an accepted decision on topic "
            f"{item.topic!r} ({', '.join(c.id for c in conflicts)}): record this one with "
            "supersedes=<that id> to replace it, or give it another topic",
            conflicts=[c.model_dump() for c in conflicts],
        )


class _Created:
    """New memories whose rows are not written yet: a batch writes them together, with
    one statement per table, instead of four statements for each memory."""

    def __init__(self, session: Session, token: str | None) -> None:
        self.session = session
        self.token = token
        self.memories: list[Memory] = []
        self.actor: str | None = None

    def add(self, memory: Memory, actor: str) -> None:
        if actor != self.actor:
            self.write()
            self.actor = actor
        self.memories.append(memory)

    def write(self) -> None:
        """Write what is pending, in order (before any read that must see it)."""
        if self.memories and self.actor is not None:
            changes = [Change(m, None) for m in self.memories]
            record_changes(
                self.session,
                changes=changes,
                event_type="created",
                actor=self.actor,
                token=self.token,
            )
        self.memories = []


def _create(session: Session, item: MemoryCreate, hashed: str, created: _Created) -> Remembered:
    status = item.status or DEFAULT_STATUS[item.kind]
    lifecycle.check_initial(item.kind, status)
    if item.refs or item.supersedes or (item.kind == "decision" and item.topic):
        created.write()  # the checks below read the memories stored before this one
    conflicts = _conflicts(session, item, status)
    _refuse_conflicts(item, conflicts)
    check_refs(session, item.project, item.refs)
    author = named_actor(item.agent, "agent")
    now = utcnow()
    fields = item.model_dump(
        exclude={"agent", "metadata", "on_conflict", "status", "title", "occurred_at"},
        exclude_none=True,
    )
    memory = Memory(
        **fields,
        agent=author,
        id=str(ULID()),
        title=title_for(item.title, item.content),
        status=status,
        meta=item.metadata,
        occurred_at=item.occurred_at or now,
        recorded_at=now,
        content_hash=hashed,
    )
    created.add(memory, author)
    if item.supersedes:
        created.write()
        old = memory_row(session, item.supersedes)
        if status in lifecycle.LINKED_ONLY and item.kind == "decision":
            # A candidate replacement: the old decision stays current until a reviewer
            # accepts this one (decisions/0066).
            check_candidate(old, memory)
        else:
            supersede(session, old=old, new=memory, actor=author, token=created.token, fresh=True)
    return Remembered(memory, conflicts=conflicts)


def _version(
    session: Session,
    item: MemoryCreate,
    memory: Memory,
    fields: tuple[str, ...],
    created: _Created,
    limits: tuple[int | None, int | None],
) -> Remembered:
    """The author's resend with other descriptive `fields`: a new version of `memory`;
    `limits` are the byte budget of a memory and the item's place in its batch."""
    max_bytes, index = limits
    created.write()  # the memory may be this batch's, and its first version comes first
    conflicts = (
        _conflicts(session, item, memory.status, itself=memory.id) if "topic" in fields else []
    )
    _refuse_conflicts(item, conflicts)
    if "refs" in fields:
        check_refs(session, item.project, item.refs)
    before = snapshot(memory)
    apply_resend(memory, item, fields)
    if max_bytes is not None:
        check_fields_size(max_bytes, to_public(memory).model_dump(mode="json"), index=index)
    actor = named_actor(item.agent, "agent")
    record_change(
        session,
        memory=memory,
        event_type="updated",
        actor=actor,
        token=created.token,
        before=before,
    )
    return Remembered(memory, result="version", conflicts=conflicts)


def _stored_by_hash(session: Session, hashes: list[str]) -> dict[str, list[Memory]]:
    """The live memories holding each of these content hashes (project and kind are in
    it), oldest first."""
    rows = session.exec(
        select(Memory)
        .where(col(Memory.content_hash).in_(set(hashes)), Memory.status != "retracted")
        .order_by(col(Memory.pk))
    ).all()
    found: dict[str, list[Memory]] = {}
    for m in rows:
        found.setdefault(m.content_hash, []).append(m)
    return found


def _with_candidates(session: Session, results: list[Remembered]) -> list[Remembered]:
    """Each result with the ids of its decision's candidate replacements."""
    found = candidates_of(session, [r.memory.id for r in results if r.memory.kind == "decision"])
    for r in results:
        r.candidates = [c.id for c in found.get(r.memory.id, [])]
    return results


def store_new(
    session: Session,
    items: list[MemoryCreate],
    *,
    token: str | None,
    deduplicate: bool = True,
    max_bytes: int | None = None,
) -> list[Remembered]:
    """Each item as a new memory; with `deduplicate`, an item whose content a live memory
    of its project and kind holds is a replay of it, a version of it or a new memory
    (resends.py); `max_bytes` bounds a memory a version makes."""
    results: list[Remembered] = []
    hashes = [content_hash(item.project, item.kind, item.content) for item in items]
    # One query for the whole batch, not one per memory: each query would first flush the
    # memories before it, one INSERT at a time, instead of all of them at the commit.
    seen = _stored_by_hash(session, hashes) if deduplicate else {}
    pending = _Created(session, token)
    for index, (item, hashed) in enumerate(zip(items, hashes, strict=True)):
        holding = seen.get(hashed, [])
        resend = match_resend(item, named_actor(item.agent, "agent"), holding) if holding else None
        if resend is not None and resend.memory is not None:
            if resend.result == "duplicate":
                results.append(Remembered(resend.memory, result="duplicate"))
            else:
                limits = (max_bytes, index if len(items) > 1 else None)
                made = _version(session, item, resend.memory, resend.fields, pending, limits)
                results.append(made)
            continue
        created = _create(session, item, hashed, pending)
        if deduplicate:
            seen.setdefault(hashed, []).append(created.memory)
        results.append(created)
    pending.write()
    return _with_candidates(session, results)

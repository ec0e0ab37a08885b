"""New memories: the checks each one passes and the rows it writes, together for a batch.

The one write path (services/write_path/changes.py) records each memory with its event and outbox
row; a batch's new memories go through it together, one statement per table, and are
written before any check that must see them (decisions/0027).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlmodel import Session, col, select
from ulid import ULID

from memory_service.errors import DecisionConflict, InvalidInput, MemoryNotFound
from memory_service.models import Memory, utcnow
from memory_service.schemas.fields import DEFAULT_STATUS
from memory_service.schemas.memories import ConflictRef, MemoryCreate
from memory_service.services.access.access import named_actor
from memory_service.services.texts import title_for
from memory_service.services.write_path.changes import Change, record_changes
from memory_service.services.write_path.resends import check_resend
from memory_service.services.write_path.supersession import supersede
from memory_service.store.memories import load_memories, memory_by_id


@dataclass
class Remembered:
    memory: Memory
    duplicate: bool = False
    conflicts: list[ConflictRef] = field(default_factory=list)


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


def _conflicts(session: Session, item: MemoryCreate, status: str) -> list[ConflictRef]:
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
    return [ConflictRef(id=m.id, title=m.title) for m in rows if m.id != item.supersedes]


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
    if item.refs or item.supersedes or (item.kind == "decision" and item.topic):
        created.write()  # the checks below read the memories stored before this one
    conflicts = _conflicts(session, item, status)
    if conflicts and item.on_conflict == "error":
        raise DecisionConflict(
            f"project {item.project!r} already has an accepted decision on topic "
            f"{item.topic!r} ({', '.join(c.id for c in conflicts)}): record this one with "
            "supersedes=<that id> to replace it, or give it another topic",
            conflicts=[c.model_dump() for c in conflicts],
        )
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
        supersede(session, old=old, new=memory, actor=author, token=created.token, fresh=True)
    return Remembered(memory, conflicts=conflicts)


def _stored_by_hash(session: Session, hashes: list[str]) -> dict[str, Memory]:
    """The live memory with each of these content hashes (project and kind are in it)."""
    rows = session.exec(
        select(Memory).where(
            col(Memory.content_hash).in_(set(hashes)), Memory.status != "retracted"
        )
    ).all()
    return {m.content_hash: m for m in rows}


def store_new(
    session: Session,
    items: list[MemoryCreate],
    *,
    token: str | None,
    deduplicate: bool = True,
) -> list[Remembered]:
    """Each item as a new memory, or (with `deduplicate`) the live memory that already holds
    its content, when the item sets no field otherwise (DuplicateContent if it does)."""
    results: list[Remembered] = []
    hashes = [content_hash(item.project, item.kind, item.content) for item in items]
    # One query for the whole batch, not one per memory: each query would first flush the
    # memories before it, one INSERT at a time, instead of all of them at the commit.
    seen = _stored_by_hash(session, hashes) if deduplicate else {}
    made_by: dict[str, int] = {}  # content hash -> the batch item that made its memory
    pending = _Created(session, token)
    for index, (item, hashed) in enumerate(zip(items, hashes, strict=True)):
        existing = seen.get(hashed)
        if existing is not None:
            # A refusal undoes the whole request: the transaction never commits.
            at = index if len(items) > 1 else None
            check_resend(item, existing, index=at, earlier=made_by.get(hashed))
            results.append(Remembered(existing, duplicate=True))
            continue
        created = _create(session, item, hashed, pending)
        if deduplicate:
            seen[hashed] = created.memory
            made_by[hashed] = index
        results.append(created)
    pending.write()
    return results

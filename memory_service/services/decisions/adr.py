"""Decisions as ADR files: export a project's decision log as MADR files.

The file format lives in `services.madr`; this module maps decisions to records and back.
A decision's ADR number and file slug are pinned in `metadata.adr` when it is imported, so
its file keeps its name; decisions never imported are numbered after the pinned ones by
`occurred_at`, then id. Importing lives in `adr_import`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import select
from ulid import ULID

from memory_service.models import Memory
from memory_service.schemas.adr import AdrFile
from memory_service.schemas.fields import SLUG_RE
from memory_service.services.decisions import madr
from memory_service.services.decisions.madr import (
    AdrLink,
    AdrOption,
    AdrRecord,
    clean_text,
    heading,
)
from memory_service.services.projects import ensure_project
from memory_service.store import Store

INDEX_FILE = "README.md"
META_KEY = "adr"
# Record fields with no memory column: kept in `metadata.adr` so that they survive a round trip.
EXTRA_FIELDS = (
    "consulted",
    "informed",
    "drivers",
    "options_note",
    "consequences_note",
    "confirmation",
    "more_information",
    "because_break",
)


@dataclass
class Numbered:
    """A decision with the ADR number and file slug its export uses."""

    memory: Memory
    number: int
    slug: str

    @property
    def file(self) -> str:
        return madr.file_name(self.number, self.slug)


def derived_id(project: str, number: int) -> str:
    """The memory id a file without `memory-id` imports under: fixed by project and number."""
    digest = hashlib.sha256(f"adr\0{project}\0{number}".encode()).digest()
    return str(ULID.from_bytes(bytes(6) + digest[:10]))


def derived_agent(makers: list[str]) -> str | None:
    """The author a file without `agent` gets: its first decision maker, as a slug."""
    agent = madr.agent_from_makers(makers)
    return agent if agent and SLUG_RE.match(agent) else None


def _pinned(memory: Memory) -> dict[str, Any]:
    value = (memory.meta or {}).get(META_KEY)
    return value if isinstance(value, dict) else {}


def number_decisions(memories: Iterable[Memory]) -> list[Numbered]:
    """Every decision with its number: pinned numbers first, the rest after them in order."""
    ordered = sorted(memories, key=lambda m: (m.occurred_at, m.id))
    numbers: dict[str, int] = {}
    taken: set[int] = set()
    for m in ordered:
        pinned = _pinned(m).get("number")
        if isinstance(pinned, int) and pinned > 0 and pinned not in taken:
            numbers[m.id] = pinned
            taken.add(pinned)
    following = max(taken, default=0) + 1
    for m in ordered:
        if m.id not in numbers:
            numbers[m.id] = following
            following += 1
    out = []
    for m in ordered:
        slug = _pinned(m).get("slug")
        if not (isinstance(slug, str) and madr.is_adr_file(madr.file_name(1, slug))):
            slug = madr.slugify(m.title)
        out.append(Numbered(m, numbers[m.id], slug))
    return sorted(out, key=lambda n: n.number)


def _texts(values: Any) -> list[str]:
    items = values if isinstance(values, list) else []
    return [t for t in (clean_text(str(v)) for v in items if v is not None) if t]


def _option(data: dict[str, Any]) -> AdrOption:
    return AdrOption(
        name=clean_text(str(data.get("name") or "")) or "",
        description=clean_text(data.get("description")),
        pros=_texts(data.get("pros")),
        cons=_texts(data.get("cons")),
    )


def record_of(memory: Memory, files: dict[str, Numbered]) -> AdrRecord:
    """A decision as its ADR file shows it; links name only decisions in `files`."""

    def link(memory_id: str | None) -> AdrLink | None:
        target = files.get(memory_id) if memory_id else None
        if target is None:
            return None
        return AdrLink(file=target.file, number=target.number, memory_id=target.memory.id)

    this = files[memory.id]
    pinned = _pinned(memory)
    consequences = memory.consequences or {}
    record = AdrRecord(
        number=this.number,
        slug=this.slug,
        title=heading(memory.title),
        status=memory.status,
        date=memory.occurred_at.date(),
        content=clean_text(memory.content),
        decision_makers=[" ".join(p.split()) for p in memory.decision_makers if p.strip()],
        agent=memory.agent,
        tags=list(memory.tags),
        topic=memory.topic,
        memory_id=memory.id,
        context=clean_text(memory.context),
        options=[o for o in map(_option, memory.options) if o.name],
        outcome=clean_text(memory.outcome),
        reasoning=clean_text(memory.reasoning),
        good=_texts(consequences.get("good")),
        bad=_texts(consequences.get("bad")),
        supersedes=link(memory.supersedes),
        superseded_by=link(memory.superseded_by),
    )
    record.consulted = _texts(pinned.get("consulted"))
    record.informed = _texts(pinned.get("informed"))
    for name in EXTRA_FIELDS[2:]:
        value = pinned.get(name)
        setattr(record, name, clean_text(value) if isinstance(value, str) else None)
    return record


def values_of(
    record: AdrRecord, *, agent: str, memory_id: Callable[[AdrLink | None], str | None]
) -> dict[str, Any]:
    """What a record says about a decision, keyed by memory field (`day` is the date).

    Import compares these for the file and for the stored decision, so a file that says
    what the store already holds changes nothing, whatever the file leaves implicit.
    """
    title = heading(record.title)
    pinned: dict[str, Any] = {"number": record.number, "slug": record.slug}
    for name in EXTRA_FIELDS:
        if getattr(record, name):
            pinned[name] = getattr(record, name)
    return {
        "title": title,
        "content": record.content or title,
        "status": record.status,
        "day": record.date,
        "decision_makers": record.decision_makers,
        "agent": agent,
        "tags": record.tags,
        "topic": record.topic,
        "context": record.context,
        "options": [asdict(o) for o in record.options],
        "outcome": record.outcome or title,
        "reasoning": record.reasoning,
        "consequences": {"good": record.good, "bad": record.bad},
        "supersedes": memory_id(record.supersedes),
        "superseded_by": memory_id(record.superseded_by),
        META_KEY: pinned,
    }


def exported_decisions(store: Store, *, project: str) -> list[Numbered]:
    """The project's decisions that an export writes (all but retracted), numbered."""
    with store.db.read() as session:
        ensure_project(session, project)
        rows = session.exec(
            select(Memory).where(
                Memory.project == project,
                Memory.kind == "decision",
                Memory.status != "retracted",
            )
        ).all()
    return number_decisions(rows)


def export_files(store: Store, *, project: str) -> list[AdrFile]:
    """The project's decision log as MADR files, the index file `README.md` first."""
    numbered = exported_decisions(store, project=project)
    files = {n.memory.id: n for n in numbered}
    records = [record_of(n.memory, files) for n in numbered]
    out = [AdrFile(name=INDEX_FILE, content=madr.render_index(records))]
    for record in records:
        text = madr.render(
            record,
            derived_agent=derived_agent(record.decision_makers),
            derived_id=derived_id(project, record.number),
        )
        out.append(AdrFile(name=record.file_name, content=text))
    return out

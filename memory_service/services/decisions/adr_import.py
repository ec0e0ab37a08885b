"""Import ADR files (MADR, Nygard, adr-tools) into a project through the one write path.

Every file is read before anything is written, and the whole import is one transaction:
a file that cannot be read refuses the import with a message naming it. A file with a
`memory-id` imports under that id; one without gets an id fixed by project and ADR number,
so importing the same folder again finds the same decisions. Each decision whose file says
something new is written as one `imported` event; one whose file says what the store holds
is left alone, so re-importing the same files makes no new versions. A file's status over a
stored decision's is a move of the lifecycle, and the imported chains of replacements must
keep its invariants (decisions/0066).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import partial
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from memory_service.errors import InvalidInput, PayloadTooLarge, StateConflict
from memory_service.models import Memory, utcnow
from memory_service.schemas.adr import AdrFile, AdrFileResult, AdrImportResult
from memory_service.schemas.fields import check_slug, normalise_tag
from memory_service.services.decisions import lifecycle, madr
from memory_service.services.decisions.adr import (
    META_KEY,
    Numbered,
    derived_agent,
    derived_id,
    number_decisions,
    record_of,
    values_of,
)
from memory_service.services.decisions.chains import chains_kept
from memory_service.services.decisions.madr import AdrLink, AdrRecord
from memory_service.services.indexing import indexing
from memory_service.services.views import to_public
from memory_service.services.write_path.changes import record_change, snapshot
from memory_service.services.write_path.creation import content_hash
from memory_service.services.write_path.secrets import ScanBudget, scrub
from memory_service.store import Store
from memory_service.store.memories import load_memories

ULID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
MAX_TITLE = 300
LINKS = (
    "mark a replaced decision 'Superseded by [NNNN](file)' and its replacement "
    "'Supersedes [NNNN](file)', the replacement accepted (decisions/0066)"
)


@dataclass
class _Parsed:
    name: str
    record: AdrRecord
    memory_id: str
    agent: str


def _refuse(name: str, message: str) -> InvalidInput:
    return InvalidInput(f"{name}: {message}", file=name)


def _read(file: AdrFile, project: str, actor: str) -> _Parsed:
    """Parse one file and bring its values to the store's rules (slugs, tags, ids)."""
    try:
        record = madr.parse(file.name, file.content)
        record.tags = list(dict.fromkeys(normalise_tag(t) for t in record.tags))
        if record.topic:
            record.topic = check_slug(re.sub(r"[\s_]+", "-", record.topic.lower()))
        if record.agent:
            record.agent = check_slug(record.agent)
    except ValueError as exc:  # AdrFormatError, or a tag, topic or agent that is no slug
        raise _refuse(file.name, str(exc).removeprefix("Value error, ")) from exc
    if len(record.title) > MAX_TITLE:
        raise _refuse(file.name, f"its title is over {MAX_TITLE} characters: shorten it")
    memory_id = record.memory_id or derived_id(project, record.number)
    if not ULID_RE.match(memory_id):
        raise _refuse(
            file.name, f"memory-id {memory_id!r} is not a memory id (26 characters, a ULID)"
        )
    agent = record.agent or derived_agent(record.decision_makers) or actor
    return _Parsed(file.name, record, memory_id, agent)


def _check_unique(parsed: list[_Parsed]) -> None:
    for attr, label in (("number", "ADR number"), ("memory_id", "memory-id")):
        seen: dict[Any, str] = {}
        for p in parsed:
            value = p.memory_id if attr == "memory_id" else p.record.number
            if value in seen:
                raise InvalidInput(
                    f"{seen[value]} and {p.name} have the same {label} {value}: give each "
                    "decision its own",
                    files=[seen[value], p.name],
                )
            seen[value] = p.name


def _resolver(parsed: list[_Parsed], existing: list[Numbered], project: str) -> Any:
    by_file = {p.record.file_name: p.memory_id for p in parsed}
    by_number = {p.record.number: p.memory_id for p in parsed}
    old_file = {n.file: n.memory.id for n in existing}
    old_number = {n.number: n.memory.id for n in existing}

    def resolve(name: str, link: AdrLink | None) -> str | None:
        if link is None:
            return None
        for table, key in ((by_file, link.file), (by_number, link.number)):
            if key is not None and key in table:
                return table[key]  # type: ignore[index]
        for table, key in ((old_file, link.file), (old_number, link.number)):
            if key is not None and key in table:
                return table[key]  # type: ignore[index]
        raise _refuse(
            name,
            f"it links to {link.file or link.number}, which is neither among the imported "
            f"files nor a decision of project {project!r}: import that file too",
        )

    return resolve


def _apply(memory: Memory, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key == "day":
            memory.occurred_at = datetime.combine(value, time(), UTC)
        elif key == META_KEY:
            memory.meta = {**(memory.meta or {}), META_KEY: value}
        else:
            setattr(memory, key, value)
    memory.content_hash = content_hash(memory.project, memory.kind, memory.content)


def _check(store: Store, name: str, memory: Memory) -> None:
    limit = store.settings.max_content_bytes
    if len(memory.content.encode()) > limit:
        raise PayloadTooLarge(f"{name}: its text is over the {limit}-byte limit", file=name)
    try:
        to_public(memory)
    except ValidationError as exc:
        problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise _refuse(name, f"it holds values a decision cannot have ({problem})") from exc


def _existing(session: Session, parsed: list[_Parsed], project: str) -> dict[str, Memory]:
    ids = [p.memory_id for p in parsed]
    by_id = load_memories(session, ids)
    for p in parsed:
        found = by_id.get(p.memory_id)
        if found is not None and (found.project != project or found.kind != "decision"):
            raise StateConflict(
                f"{p.name}: memory-id {p.memory_id} is a {found.kind} of project "
                f"{found.project!r}; import into that project, or remove the memory-id line "
                "to import the file as a new decision",
                file=p.name,
            )
    return by_id


def import_files(
    store: Store, *, project: str, files: list[AdrFile], actor: str, token: str | None = None
) -> AdrImportResult:
    """Create or update the project's decisions from ADR files; unchanged files write nothing."""
    budget = ScanBudget(store.settings.max_scan_chars)
    files = scrub(files, policy=store.settings.secrets, field="files", budget=budget)
    try:
        check_slug(project)
    except ValueError as exc:
        raise InvalidInput(f"project {exc}") from exc
    results: list[AdrFileResult] = []
    parsed = []
    for file in files:
        if madr.is_adr_file(file.name):
            parsed.append(_read(file, project, actor))
        else:
            results.append(AdrFileResult(name=file.name, result="skipped"))
    _check_unique(parsed)
    with store.db.write() as session:
        project_rows = session.exec(
            select(Memory).where(
                Memory.project == project,
                Memory.kind == "decision",
                Memory.status != "retracted",
            )
        ).all()
        numbered = number_decisions(project_rows)
        files_now = {n.memory.id: n for n in numbered}
        resolve = _resolver(parsed, numbered, project)
        existing = _existing(session, parsed, project)
        names = {p.memory_id: p.name for p in parsed}
        with chains_kept(session, project, doing="this import", todo=LINKS, names=names):
            for p in sorted(parsed, key=lambda p: p.record.number):
                target = values_of(p.record, agent=p.agent, memory_id=partial(resolve, p.name))
                memory = existing.get(p.memory_id)
                outcome = _write(
                    store,
                    session,
                    p,
                    target,
                    memory,
                    files_now,
                    project=project,
                    actor=actor,
                    token=token,
                )
                results.append(
                    AdrFileResult(
                        name=p.name, result=outcome, memory_id=p.memory_id, number=p.record.number
                    )
                )
    indexing.sync(store)
    counts = {
        k: sum(r.result == k for r in results)
        for k in ("created", "updated", "unchanged", "skipped")
    }
    return AdrImportResult(project=project, files=sorted(results, key=lambda r: r.name), **counts)


def _write(
    store: Store,
    session: Session,
    p: _Parsed,
    target: dict[str, Any],
    memory: Memory | None,
    files_now: dict[str, Numbered],
    *,
    project: str,
    actor: str,
    token: str | None,
) -> str:
    """Write one decision if its file says something new; the word for what happened."""
    if memory is None:
        now = utcnow()
        memory = Memory(
            id=p.memory_id,
            project=project,
            agent=p.agent,
            kind="decision",
            title="",
            content="",
            status="accepted",
            occurred_at=now,
            recorded_at=now,
            content_hash="",
        )
        _apply(memory, {k: v for k, v in target.items() if not (k == "day" and v is None)})
        _check(store, p.name, memory)
        record_change(
            session, memory=memory, event_type="imported", actor=actor, token=token, before=None
        )
        return "created"
    current: dict[str, Any] = {}
    if memory.id in files_now:
        current = values_of(
            record_of(memory, files_now),
            agent=memory.agent,
            memory_id=lambda link: link.memory_id if link else None,
        )
    changed = {
        k: v for k, v in target.items() if current.get(k) != v and not (k == "day" and v is None)
    }
    if not changed:
        return "unchanged"
    changed[META_KEY] = target[META_KEY]
    if "status" in changed:
        lifecycle.check_restore(memory, changed["status"], where=p.name)
    before = snapshot(memory)
    _apply(memory, changed)
    _check(store, p.name, memory)
    record_change(
        session, memory=memory, event_type="imported", actor=actor, token=token, before=before
    )
    return "updated"

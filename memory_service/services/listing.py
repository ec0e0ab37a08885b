"""Listing memories by their fields, newest first, a page at a time (GET /v1/memories).

Each page but the last ends with a cursor naming its last memory's place in the order
(occurred_at, then pk); the next page starts after that place, so memories written in
between neither repeat a memory nor push one off its page (decisions/0061).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from memory_service.errors import InvalidInput
from memory_service.models import Memory
from memory_service.schemas.fields import STATUSES_BY_KIND
from memory_service.schemas.memories import MemoryListQuery, MemoryPage
from memory_service.services.projects import ensure_project
from memory_service.services.views import public_memories
from memory_service.store import Store
from memory_service.store.filters import HIDDEN_STATUSES, MemoryFilter
from memory_service.store.memories import newest_memories

EVERY_STATUS = (
    *dict.fromkeys(status for statuses in STATUSES_BY_KIND.values() for status in statuses),
    "retracted",
)
# A pk beyond 64 bits is no row's, and SQLite could not even bind it.
MAX_PK = 2**63 - 1
BAD_CURSOR = (
    "cursor is not one this service gave: pass the next_cursor of the previous page "
    "unchanged, or leave cursor out to start from the newest"
)


def encode_cursor(memory: Memory) -> str:
    """The place of `memory` in the listing order, as an opaque string."""
    place = f"{memory.occurred_at.isoformat()}|{memory.pk}"
    return base64.urlsafe_b64encode(place.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (occurred_at, pk) place a cursor names; InvalidInput for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, pk = text.partition("|")
        when, row = datetime.fromisoformat(at), int(pk)
        if when.tzinfo is None or not 0 < row <= MAX_PK:
            raise ValueError(cursor)
        return when.astimezone(UTC), row
    except (ValueError, OverflowError):  # binascii and Unicode errors are ValueErrors too
        raise InvalidInput(BAD_CURSOR, field="cursor") from None


def _excluded(statuses: list[str]) -> tuple[str, ...]:
    """The statuses left out: the hidden ones unless the caller names what it wants."""
    if not statuses:
        return HIDDEN_STATUSES
    return tuple(status for status in EVERY_STATUS if status not in statuses)


def list_memories(
    store: Store, *, query: MemoryListQuery, projects: tuple[str, ...] | None = None
) -> MemoryPage:
    """A page of the memories matching the query (within `projects`), newest first."""
    after = decode_cursor(query.cursor) if query.cursor else None
    where = MemoryFilter(
        project=query.project,
        projects=projects,
        agent=query.agent,
        kinds=tuple(query.kind),
        topic=query.topic,
        tags_all=tuple(query.tags),
        tags_any=tuple(query.tags_any),
        for_agent=query.for_agent,
        since=query.since,
        exclude_statuses=_excluded(list(query.status)),
    )
    with store.db.read() as session:
        # One more than the page holds: whether it exists says if there is a next page.
        rows = newest_memories(session, where, query.limit + 1, store.db.dialect, after=after)
        if not rows and after is None:
            ensure_project(session, query.project)
        page = rows[: query.limit]
        memories = public_memories(session, page)
    more = len(rows) > query.limit
    return MemoryPage(memories=memories, next_cursor=encode_cursor(page[-1]) if more else None)

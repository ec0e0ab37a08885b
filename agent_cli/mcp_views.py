"""What the MCP tools answer with: compact memories an agent can read in its context
window (the whole memory is one `get_memory` away)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from memory_service.schemas.memories import ConflictRef, MemoryCreated, MemoryPublic

SNIPPET = 200


def snippet(text: str, limit: int = SNIPPET) -> str:
    """`text` on one line, cut at a word near `limit` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + "…"


class MemoryHit(BaseModel):
    """A memory in a list of results: enough to judge it, and its id to act on it."""

    id: str
    kind: str
    status: str
    title: str
    snippet: str
    score: float | None = Field(default=None, description="Relevance, for a search.")
    tags: list[str]
    for_agents: list[str]
    agent: str
    project: str
    topic: str | None
    date: datetime = Field(description="When it happened (occurred_at).")


def hit(memory: MemoryPublic, score: float | None = None) -> MemoryHit:
    """The compact form of `memory`."""
    return MemoryHit(
        id=memory.id,
        kind=memory.kind,
        status=memory.status,
        title=memory.title,
        snippet=snippet(memory.content),
        score=round(score, 3) if score is not None else None,
        tags=memory.tags,
        for_agents=memory.for_agents,
        agent=memory.agent,
        project=memory.project,
        topic=memory.topic,
        date=memory.occurred_at,
    )


class MemoryHits(BaseModel):
    """A page of memories, newest first; pass next_cursor as cursor for the next page."""

    memories: list[MemoryHit]
    next_cursor: str | None = None


class Remembered(BaseModel):
    """What `remember` stored, and what the service noticed while storing it."""

    id: str
    project: str
    agent: str
    kind: str
    status: str
    title: str
    tags: list[str]
    for_agents: list[str]
    supersedes: str | None
    result: str = Field(
        description="created; duplicate (already stored, nothing written); version (your "
        "memory of the same content, with the other fields as its new version)."
    )
    duplicate: bool = Field(description="The same memory was already stored: this is it.")
    conflicts: list[ConflictRef] = Field(
        description="Accepted decisions on the same topic; pass supersedes=<id> to replace one."
    )
    hint: str | None = None


def remembered(created: MemoryCreated) -> Remembered:
    """The compact answer to `remember`."""
    return Remembered(
        id=created.id,
        project=created.project,
        agent=created.agent,
        kind=created.kind,
        status=created.status,
        title=created.title,
        tags=created.tags,
        for_agents=created.for_agents,
        supersedes=created.supersedes,
        result=created.result,
        duplicate=created.duplicate,
        conflicts=created.conflicts,
        hint=created.hint,
    )

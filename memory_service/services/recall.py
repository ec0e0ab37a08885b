"""Session-start recall: what an agent must know, fitted to a token budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from memory_service.errors import ProjectNotFound
from memory_service.models import Memory
from memory_service.schemas.recall import RecallRequest, RecallResponse, RecallSections
from memory_service.schemas.search import SearchRequest
from memory_service.services.access.access import named_actor
from memory_service.services.history.public import checkpoint_public, rollback_public
from memory_service.services.history.standing import Standing, standing
from memory_service.services.search.search import search_memories
from memory_service.services.views import to_public
from memory_service.store import Store
from memory_service.store.filters import MemoryFilter
from memory_service.store.memories import newest_memories

SNIPPET = 400
SECTION_TITLES = {
    "handoffs": "Open handoffs to you",
    "references": "Referenced by your handoffs",
    "decisions": "Current decisions",
    "deliverables": "Deliverables for you",
    "relevant": "Relevant memories",
}


def _snip(text: str | None, limit: int = SNIPPET) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_item(section: str, m: Memory) -> str:
    """One memory as a markdown bullet, compact enough for a context window."""
    head = f"- **{m.title}** (`{m.id}`"
    body = "" if m.content.strip() == m.title else f": {_snip(m.content)}"
    if section == "handoffs":
        lines = [f"{head}, from {m.agent}, {m.status}){body}"]
        for label, items in (
            ("Completed", m.completed),
            ("Pending", m.pending),
            ("Risks", m.risks),
            ("Refs", m.refs),
        ):
            if items:
                lines.append(f"  - {label}: " + "; ".join(_snip(i, 200) for i in items))
        return "\n".join(lines)
    if section == "decisions" or (section == "references" and m.kind == "decision"):
        topic = f", {m.topic}" if m.topic else ""
        text = f"{head}{topic}, {m.status}){body}"
        return text + (f"\n  - Why: {_snip(m.reasoning, 300)}" if m.reasoning else "")
    return f"{head}, {m.kind} by {m.agent}){body}"


def _referenced(session: Session, handoffs: list[Memory]) -> list[Memory]:
    """What the handoffs refer to, in their order, as far as it is still current."""
    # Superseded or retracted references are left out: the reader must not act on them.
    ids = list(dict.fromkeys(i for h in handoffs for i in h.refs))
    if not ids:
        return []
    rows = session.exec(
        select(Memory).where(
            col(Memory.id).in_(ids), col(Memory.status).not_in(("retracted", "superseded"))
        )
    ).all()
    by_id = {m.id: m for m in rows}
    return [by_id[i] for i in ids if i in by_id]


def _candidates(store: Store, request: RecallRequest) -> dict[str, list[Memory]]:
    dialect = store.db.dialect
    project = request.project
    with store.db.read() as session:
        handoffs = newest_memories(
            session,
            MemoryFilter(
                project=project,
                kinds=("handoff",),
                for_agent=request.agent,
                exclude_statuses=("retracted", "completed", "superseded"),
            ),
            100,
            dialect,
        )
        references = _referenced(session, handoffs)
        decisions = newest_memories(
            session,
            MemoryFilter(
                project=project,
                kinds=("decision",),
                exclude_statuses=("retracted", "superseded", "rejected", "deprecated"),
            ),
            100,
            dialect,
        )
        deliverables = newest_memories(
            session,
            MemoryFilter(project=project, kinds=("deliverable",), for_agent=request.agent),
            50,
            dialect,
        )
        if not request.query:
            tagged = MemoryFilter(project=project, tags_all=tuple(request.tags))
            relevant = newest_memories(session, tagged, 20, dialect)
    if request.query:
        try:
            asked = SearchRequest(
                query=request.query, project=request.project, tags_all=request.tags, k=20
            )
            hits = search_memories(store, request=asked)
        except ProjectNotFound:
            hits = []  # a project's first session: nothing to recall yet
        relevant = [h.memory for h in hits]
    return {
        "handoffs": handoffs,
        "references": references,
        "decisions": decisions,
        "deliverables": deliverables,
        "relevant": relevant,
    }


@dataclass
class Recalled:
    sections: dict[str, list[Memory]]
    markdown: str
    used_tokens: int
    omitted: int
    standing: Standing


def _standing(store: Store, project: str) -> Standing:
    with store.db.read() as session:
        return standing(session, project)


def _standing_lines(now: Standing) -> str:
    checkpoint, rollback = now.checkpoint, now.rollback
    if checkpoint is None:
        text = "No known-good checkpoint yet.\n"
    else:
        text = (
            f"Last known-good: **{checkpoint.label}** (`{checkpoint.id}`, by {checkpoint.agent}, "
            f"{checkpoint.created_at:%Y-%m-%d %H:%M} UTC)"
            + (f"; {now.changes} changes since.\n" if rollback is None else ".\n")
        )
    if rollback is not None:
        why = f": {_snip(rollback.reason, 300)}" if rollback.reason else ""
        text += (
            f"Last rollback: to `{rollback.target}` by {rollback.actor}, "
            f"{rollback.created_at:%Y-%m-%d %H:%M} UTC{why}; {now.changes} changes since.\n"
        )
    return text


def recall(store: Store, *, request: RecallRequest) -> Recalled:
    """Sections of memories, their markdown, tokens used and how many were left out."""
    named_actor(request.agent, "agent")
    count: Callable[[str], int] = store.embedder.count_tokens
    now = _standing(store, request.project)
    header = f"# Session context for {request.agent} on {request.project}\n\n" + _standing_lines(
        now
    )
    used = count(header)
    # Room kept for the closing "left out" line, so the whole text stays in budget.
    budget = request.budget_tokens - 24
    chosen: dict[str, list[Memory]] = {name: [] for name in SECTION_TITLES}
    blocks: dict[str, list[str]] = {name: [] for name in SECTION_TITLES}
    seen: set[str] = set()
    omitted = 0
    items = [(n, m, render_item(n, m)) for n, ms in _candidates(store, request).items() for m in ms]
    # Counted in one call: one at a time, counting took a third of a recall.
    counts = store.embedder.count_tokens_many(
        [f"\n## {title}\n" for title in SECTION_TITLES.values()] + [t for _, _, t in items]
    )
    headings = len(SECTION_TITLES)
    heading_cost = dict(zip(SECTION_TITLES, counts[:headings], strict=True))
    for (name, m, text), tokens in zip(items, counts[headings:], strict=True):
        if m.id in seen:
            continue
        seen.add(m.id)
        cost = tokens + 1 + (0 if blocks[name] else heading_cost[name])
        # Handoffs addressed to the agent are never dropped: they are its work queue.
        if used + cost > budget and name != "handoffs":
            omitted += 1
            continue
        used += cost
        blocks[name].append(text)
        chosen[name].append(m)
    markdown = header + "".join(
        f"\n## {SECTION_TITLES[n]}\n" + "\n".join(b) + "\n" for n, b in blocks.items() if b
    )
    if omitted:
        markdown += f"\n_{omitted} more memories left out to fit {request.budget_tokens} tokens._\n"
    return Recalled(chosen, markdown, count(markdown), omitted, now)


def recall_response(store: Store, *, request: RecallRequest) -> RecallResponse:
    """`recall` as the agent receives it: public memories by section, and the markdown when
    it asked for markdown."""
    result = recall(store, request=request)
    known_good, rollback = result.standing.checkpoint, result.standing.rollback
    return RecallResponse(
        agent=request.agent,
        project=request.project,
        budget_tokens=request.budget_tokens,
        used_tokens=result.used_tokens,
        omitted=result.omitted,
        last_known_good=checkpoint_public(known_good) if known_good else None,
        last_rollback=rollback_public(rollback) if rollback else None,
        changes_since_known_good=result.standing.changes,
        sections=RecallSections(
            **{name: [to_public(m) for m in items] for name, items in result.sections.items()}
        ),
        markdown=result.markdown if request.format == "markdown" else None,
    )

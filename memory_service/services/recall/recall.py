"""Session-start recall: sections of memories fitted to a token budget (decisions/0075).

Sections are filled in order of what the agent must know first. Within a section the
memories come newest first (or best first) and are taken while they fit; the first that
does not fit ends its section, and the rest of it is counted as left out, unread. So a
recall reads and counts about as many memories as its budget holds, not every candidate.
Open handoffs to the agent are its work queue and are never left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from memory_service.models import Memory
from memory_service.schemas.recall import RecallRequest, RecallResponse, RecallSections
from memory_service.services.access.access import named_actor
from memory_service.services.history.public import checkpoint_public, rollback_public
from memory_service.services.history.standing import Standing, standing
from memory_service.services.recall.render import SECTION_TITLES, header, markdown, render_item
from memory_service.services.recall.sections import (
    Candidates,
    addressed,
    recent,
    relevant_search,
    searched,
)
from memory_service.services.search.search import start_search
from memory_service.services.views import to_public
from memory_service.store import Store

# Room kept for the closing "left out" line, so the whole text stays in budget.
CLOSING_TOKENS = 24
# Memories read and counted together: about what the room left holds, within bounds.
PAGE_TOKENS, MIN_PAGE, MAX_PAGE = 60, 4, 32


@dataclass
class Recalled:
    sections: dict[str, list[Memory]]
    markdown: str
    used_tokens: int
    omitted: int
    standing: Standing


class _Fitting:
    """The budget as it is spent: what each section shows, and how many were left out."""

    def __init__(self, store: Store, head: str, budget: int) -> None:
        self.count = store.embedder.count_tokens_many
        costs = self.count([head] + [f"\n## {title}\n" for title in SECTION_TITLES.values()])
        self.used, self.budget = costs[0], budget
        self.heading = dict(zip(SECTION_TITLES, costs[1:], strict=True))
        self.chosen: dict[str, list[Memory]] = {name: [] for name in SECTION_TITLES}
        self.blocks: dict[str, list[str]] = {name: [] for name in SECTION_TITLES}
        self.seen: set[str] = set()
        self.omitted = 0

    def fill(self, section: Candidates, session: Session | None) -> None:
        name = section.name
        # A memory shown (or left out) in an earlier section is not offered again.
        ids = [i for i in dict.fromkeys(section.ids) if i not in self.seen]
        self.seen.update(ids)
        at = 0
        while at < len(ids):
            page = ids[at : at + self._page_size(name, len(ids))]
            at += len(page)
            rows = section.read(session, page)
            texts = [render_item(name, m) for m in rows]
            for i, (m, text, tokens) in enumerate(zip(rows, texts, self.count(texts), strict=True)):
                cost = tokens + 1 + (0 if self.blocks[name] else self.heading[name])
                if self.used + cost > self.budget and name != "handoffs":
                    self.omitted += len(rows) - i + len(ids) - at
                    return
                self.used += cost
                self.blocks[name].append(text)
                self.chosen[name].append(m)

    def _page_size(self, name: str, total: int) -> int:
        if name == "handoffs":
            return total
        room = max(0, self.budget - self.used) // PAGE_TOKENS
        return min(MAX_PAGE, max(MIN_PAGE, room + 1))


def recall(store: Store, *, request: RecallRequest) -> Recalled:
    """Sections of memories, their markdown, tokens used and how many were left out."""
    agent = named_actor(request.agent, "agent")
    # The search's vector side (the query's embedding, the index's nearest) runs on the
    # model's thread while SQL reads the sections.
    started = start_search(store, request=relevant_search(request)) if request.query else None
    dialect = store.db.dialect
    with store.db.read() as session:
        now = standing(session, request.project)
        head = header(agent, request.project, now)
        fitting = _Fitting(store, head, request.budget_tokens - CLOSING_TOKENS)
        for section in addressed(session, request, dialect):
            fitting.fill(section, session)
        if not request.query:
            fitting.fill(recent(session, request, dialect), session)
    if request.query:
        fitting.fill(searched(store, request, started), None)
    text = markdown(head, fitting.blocks, fitting.omitted, request.budget_tokens)
    [used] = fitting.count([text])
    return Recalled(fitting.chosen, text, used, fitting.omitted, now)


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

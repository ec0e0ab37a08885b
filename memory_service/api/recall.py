"""Route for /v1/recall: the context an agent needs at session start."""

from __future__ import annotations

from fastapi import APIRouter

from memory_service.api.deps import StoreDep
from memory_service.schemas.search import RecallRequest, RecallResponse, RecallSections
from memory_service.services.recall import recall
from memory_service.services.views import to_public

router = APIRouter(prefix="/v1", tags=["recall"])


@router.post("/recall", response_model=RecallResponse)
def recall_context(body: RecallRequest, store: StoreDep) -> RecallResponse:
    """Open handoffs, current decisions, deliverables for the agent and relevant memories."""
    sections, markdown, used, omitted = recall(store, request=body)
    return RecallResponse(
        agent=body.agent,
        project=body.project,
        budget_tokens=body.budget_tokens,
        used_tokens=used,
        omitted=omitted,
        sections=RecallSections(
            **{name: [to_public(m) for m in items] for name, items in sections.items()}
        ),
        markdown=markdown if body.format == "markdown" else None,
    )

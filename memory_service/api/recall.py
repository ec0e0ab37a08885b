"""Route for /v1/recall: the context an agent needs at session start."""

from __future__ import annotations

from fastapi import APIRouter, Response

from memory_service.api.checkpoints import checkpoint_public
from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.api.responses import json_response
from memory_service.schemas.recall import RecallRequest, RecallResponse, RecallSections
from memory_service.services.access import access
from memory_service.services.recall import recall
from memory_service.services.views import to_public

router = APIRouter(prefix="/v1", tags=["recall"])


@router.post("/recall", response_model=RecallResponse)
def recall_context(body: RecallRequest, store: StoreDep, principal: PrincipalDep) -> Response:
    """Open handoffs, current decisions, deliverables for the agent and relevant memories."""
    access.require_project(principal, body.project)
    result = recall(store, request=body)
    response = RecallResponse(
        agent=body.agent,
        project=body.project,
        budget_tokens=body.budget_tokens,
        used_tokens=result.used_tokens,
        omitted=result.omitted,
        last_known_good=checkpoint_public(result.known_good) if result.known_good else None,
        changes_since_known_good=result.changes_since_known_good,
        sections=RecallSections(
            **{name: [to_public(m) for m in items] for name, items in result.sections.items()}
        ),
        markdown=result.markdown if body.format == "markdown" else None,
    )
    return json_response(response)

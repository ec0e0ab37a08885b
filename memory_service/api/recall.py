"""Route for /v1/recall: the context an agent needs at session start."""

from __future__ import annotations

from fastapi import APIRouter, Response

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.api.responses import json_response
from memory_service.schemas.recall import RecallRequest, RecallResponse
from memory_service.services.access import access
from memory_service.services.recall.recall import recall_response

router = APIRouter(prefix="/v1", tags=["recall"])


@router.post("/recall", response_model=RecallResponse)
def recall_context(body: RecallRequest, store: StoreDep, principal: PrincipalDep) -> Response:
    """Open handoffs, current decisions, deliverables for the agent and relevant memories."""
    access.require_project(principal, body.project)
    agent = access.named_actor(access.act_as(principal, body.agent, field="agent"), "agent")
    if agent != body.agent:
        body = body.model_copy(update={"agent": agent})
    return json_response(recall_response(store, request=body))

"""Route for /v1/search: hybrid keyword + vector search."""

from __future__ import annotations

from fastapi import APIRouter, Response

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.api.responses import json_response
from memory_service.schemas.search import SearchRequest, SearchResponse
from memory_service.services.access import access
from memory_service.services.search.search import search_response

router = APIRouter(prefix="/v1", tags=["search"])


@router.post("/search", response_model=SearchResponse)
def search(body: SearchRequest, store: StoreDep, principal: PrincipalDep) -> Response:
    """Search memories; an empty query with filters lists the newest first."""
    if body.project:
        access.require_project(principal, body.project)
    projects = access.visible_projects(principal)
    return json_response(search_response(store, request=body, projects=projects))

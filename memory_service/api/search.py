"""Route for /v1/search: hybrid keyword + vector search."""

from __future__ import annotations

from fastapi import APIRouter, Response

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.api.responses import json_response
from memory_service.schemas.search import SearchRequest, SearchResponse, SearchResult
from memory_service.services.access import access
from memory_service.services.search.search import search_memories
from memory_service.services.views import replacement_titles, to_public

router = APIRouter(prefix="/v1", tags=["search"])


@router.post("/search", response_model=SearchResponse)
def search(body: SearchRequest, store: StoreDep, principal: PrincipalDep) -> Response:
    """Search memories; an empty query with filters lists the newest first."""
    if body.project:
        access.require_project(principal, body.project)
    hits = search_memories(store, request=body, projects=access.visible_projects(principal))
    with store.db.read() as session:
        titles = replacement_titles(session, [h.memory for h in hits])
    response = SearchResponse(
        results=[
            SearchResult(
                memory=to_public(h.memory, titles.get(h.memory.superseded_by or "")),
                score=h.score,
                explain=h.explain,
            )
            for h in hits
        ]
    )
    return json_response(response)

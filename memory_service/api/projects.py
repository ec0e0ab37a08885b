"""Route for /v1/projects."""

from __future__ import annotations

from fastapi import APIRouter

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.schemas.projects import ProjectSummary
from memory_service.services.access import access
from memory_service.services.projects import list_projects

router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.get("", response_model=list[ProjectSummary])
def read_projects(store: StoreDep, principal: PrincipalDep) -> list[ProjectSummary]:
    """The projects the token may use, with memory counts by kind and last activity."""
    return list_projects(store, projects=access.visible_projects(principal))

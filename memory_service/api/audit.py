"""Route for /v1/audit: who did what, for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.schemas.audit import AuditLog
from memory_service.schemas.fields import Slug, UTCTime
from memory_service.services.access import access
from memory_service.services.history.audit import audit_log

router = APIRouter(prefix="/v1", tags=["audit"])


@router.get("/audit", response_model=AuditLog)
def read_audit(
    store: StoreDep,
    principal: PrincipalDep,
    project: Annotated[Slug | None, Query(description="Only this project's actions.")] = None,
    actor: Annotated[Slug | None, Query(description="Only this agent's or token's.")] = None,
    since: Annotated[UTCTime | None, Query(description="Only at or after this time.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="How many, newest first.")] = 100,
) -> AuditLog:
    """Who did what: memory events with their token, checkpoints, token management (admin)."""
    access.require_role(principal, "admin", "reading the audit log")
    return AuditLog(
        entries=audit_log(store, project=project, actor=actor, since=since, limit=limit)
    )

"""A memory's own page: a decision with its MADR record, supersession chain, versions and
word-level diffs, and references; a handoff with its notes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.services.access import access
from memory_service.services.decisions import decision_log
from memory_service.services.handoffs import handoffs
from memory_service.services.history import history
from memory_service.ui import diffs
from memory_service.ui.routing import UiRoute
from memory_service.ui.templating import page

router = APIRouter(prefix="/ui", route_class=UiRoute, include_in_schema=False)


@router.get("/projects/{project}/decisions/{memory_id}")
@router.get("/projects/{project}/memories/{memory_id}")
def memory_page(
    request: Request,
    project: str,
    memory_id: str,
    store: StoreDep,
    principal: PrincipalDep,
    from_version: Annotated[int | None, Query(alias="from", ge=1)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1)] = None,
) -> Response:
    """A decision (or any memory): its record, supersession chain, versions and references."""
    access.require_project(principal, project)
    memory = decision_log.get_in_project(store, project=project, memory_id=memory_id)
    events = history.memory_history(store, memory_id=memory_id)
    snapshots = {e.version: e.after for e in events if e.version and e.after}
    comparison = diffs.choose(snapshots, from_version, to_version)
    linked = decision_log.memories_by_id(store, ids=diffs.compared_ids(comparison))
    handoff = (
        handoffs.get_handoff(store, handoff_id=memory.id) if memory.kind == "handoff" else None
    )
    return page(
        request,
        "memory.html",
        project=project,
        section="decisions" if memory.kind == "decision" else "handoffs",
        memory=memory,
        handoff=handoff,
        chain=decision_log.supersession_chain(store, memory=memory),
        events=events,
        changed={e.seq: history.changed_fields(e.before, e.after) for e in events},
        comparison=comparison,
        linked={m.id: m for m in linked},
        referenced_by=decision_log.referencing(store, memory_id=memory_id),
        builds_on=decision_log.memories_by_id(store, ids=memory.refs),
    )

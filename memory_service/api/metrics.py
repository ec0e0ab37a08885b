"""`GET /metrics`: the service's Prometheus metrics, for an admin token once tokens exist."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.observability.metrics import render
from memory_service.observability.store_health import StoreGauges
from memory_service.services.access.access import require_role

# Not in the OpenAPI document: a scrape target for Prometheus, not part of the API.
router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def read_metrics(store: StoreDep, principal: PrincipalDep) -> Response:
    """Every worker's metrics in Prometheus text, with the outbox gauges read now."""
    require_role(principal, "admin", "reading /metrics")
    body, content_type = render(StoreGauges(store))
    return Response(body, media_type=content_type)

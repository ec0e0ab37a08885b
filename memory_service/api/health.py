"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from memory_service.services.indexing.indexing import outbox_size

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready once the model is loaded and the outbox a crash left is indexed (the store
    opens only then). `outbox` counts the writes acknowledged and not yet indexed: the
    index writer's lag, which a search waits out (decisions/0076)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        return JSONResponse({"ready": False, "reason": "starting"}, status_code=503)
    body = {"ready": True, "model": store.embedder.model_id, "outbox": outbox_size(store)}
    return JSONResponse(body, status_code=200)

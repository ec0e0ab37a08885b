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
    """Ready when the model is loaded and the vector index has caught up (outbox empty)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        return JSONResponse({"ready": False, "reason": "starting"}, status_code=503)
    pending = outbox_size(store)
    body = {"ready": pending == 0, "model": store.embedder.model_id, "outbox": pending}
    return JSONResponse(body, status_code=200 if pending == 0 else 503)

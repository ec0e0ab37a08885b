"""The web UI for people reviewing what agents decided: server-rendered pages at /ui."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    """Serve the UI's pages at /ui and its CSS and script at /ui/static (no CDN)."""
    from memory_service.ui.checkpoint_pages import router as checkpoint_router
    from memory_service.ui.memory_pages import router as memory_router
    from memory_service.ui.rollback_pages import router as rollback_router
    from memory_service.ui.routes import router
    from memory_service.ui.security import UiSecurity
    from memory_service.ui.signin import router as signin_router

    app.include_router(signin_router)
    app.include_router(router)
    app.include_router(memory_router)
    app.include_router(checkpoint_router)
    app.include_router(rollback_router)
    app.add_middleware(UiSecurity)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")

"""The application factory: builds the app for one Settings and opens the store once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from memory_service import ui
from memory_service.api import (
    adr,
    audit,
    checkpoints,
    errors,
    handoffs,
    health,
    memories,
    metrics,
    projects,
    recall,
    rollbacks,
    search,
)
from memory_service.api.deps import get_principal
from memory_service.api.hosts import HostAllowList
from memory_service.api.limits import BodySizeLimit
from memory_service.api.mcp import mount_mcp
from memory_service.api.rate_limit import AuthFailureLimit, TokenRateLimit
from memory_service.observability import logs, request_id, tracing
from memory_service.observability.metrics import (
    enable_metrics,
    forget_dead_workers,
    worker_stopping,
)
from memory_service.observability.requests import RequestObserver
from memory_service.services.access import access
from memory_service.services.indexing import indexing
from memory_service.services.indexing.background import Indexer
from memory_service.settings import Settings
from memory_service.store import Store
from memory_service.store.db import Database
from memory_service.store.embedding.embedder import Embedder, open_embedder
from memory_service.store.vectors import open_index

log = logging.getLogger("memory_service")


def open_store(settings: Settings, embedder: Embedder | None = None) -> Store:
    """Migrate the database, check the index's model and drain what a crash left behind."""
    db = Database(settings.resolved_database_url)
    db.migrate()
    vectors = open_index(settings)
    store = Store(
        settings=settings,
        db=db,
        vectors=vectors,
        embedder=embedder or open_embedder(settings),
    )
    indexing.check_model(store)
    drained = indexing.sync(store)
    if drained:
        log.info("indexed %d outbox entries left by an earlier run", drained)
    return store


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    """The FastAPI app; the store opens in the lifespan, before the first request."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_store(settings, embedder)
        notice = access.open_mode_notice(store.db, settings.host)
        if notice:
            log.warning(notice)
        app.state.store = store
        forget_dead_workers()
        store.indexer = indexer = Indexer(store)
        indexer.start()
        try:
            async with mcp_transport.run():  # serves /mcp requests as long as the app runs
                yield
        finally:
            indexer.stop()
            store.indexer = None
            store.db.dispose()
            worker_stopping()

    app = FastAPI(
        title="agent-memory",
        version="0.1.0",
        summary="Memory and handoff service for AI agents.",
        lifespan=lifespan,
    )
    errors.install(app)
    enable_metrics(settings.metrics)
    app.state.rate_limit = TokenRateLimit(settings.rate_limit)
    app.state.auth_failures = AuthFailureLimit(settings.auth_failure_limit)
    routers = (memories, search, recall, projects, checkpoints, rollbacks, handoffs, adr, audit)
    for module in routers:
        # Every API route needs a principal, even one a later change forgets to ask for.
        app.include_router(
            module.router, dependencies=[Depends(get_principal)], responses=errors.RESPONSES
        )
    app.include_router(health.router)
    if settings.metrics:
        app.include_router(metrics.router)
    ui.install(app)
    mcp_transport = mount_mcp(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # A request for a foreign host is refused before anything reads more than its headers;
    # it is still counted and logged under a request id, by the two layers outside.
    app.add_middleware(HostAllowList, host=settings.host, port=settings.port)
    app.add_middleware(RequestObserver)
    request_id.install(app)
    tracing.instrument(app)
    return app


def worker_app() -> FastAPI:
    """The app of one worker process of `memory-service --workers N`, which starts it in a
    new interpreter: the log is configured here, as the launcher configured its own."""
    settings = Settings()
    logs.configure(settings.log_format, settings.log_level)
    return create_app(settings)

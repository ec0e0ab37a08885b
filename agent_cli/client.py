"""A typed async HTTP client of the memory service, shared by the CLI and the MCP server."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from agent_cli.client_errors import (
    ServiceError,
    ServiceUnreachable,
    error_of,
    invalid_request,
    unexpected,
)
from agent_cli.models import ExportedAdrs
from memory_service.schemas.adr import AdrImport, AdrImportResult
from memory_service.schemas.checkpoints import CheckpointPublic
from memory_service.schemas.handoffs import HandoffCreate, HandoffList, HandoffPublic
from memory_service.schemas.history import HistoryResponse
from memory_service.schemas.memories import (
    MemoryCreate,
    MemoryCreated,
    MemoryListQuery,
    MemoryPage,
    MemoryPublic,
    MemoryUpdate,
)
from memory_service.schemas.recall import RecallResponse
from memory_service.schemas.rollback import RollbackPublic, RollbackResult
from memory_service.schemas.search import SearchResponse, SearchResult

__all__ = ["ServiceClient", "ServiceError", "ServiceUnreachable", "invalid_request"]


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _body(request: BaseModel) -> dict[str, Any]:
    """A request model as JSON: only the fields the caller set, so defaults stay the service's."""
    return request.model_dump(mode="json", exclude_unset=True, exclude_none=True)


class ServiceClient:
    """Calls the REST API; raises ServiceUnreachable or ServiceError instead of returning them."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 60.0,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base_url = base_url
        self._http = httpx.AsyncClient(
            base_url=base_url, headers=headers, transport=transport, timeout=timeout
        )

    async def __aenter__(self) -> ServiceClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, out: Any, **kwargs: Any) -> Any:
        """Send a request and validate its JSON answer as `out` (a model or a type form)."""
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise ServiceUnreachable(
                self.base_url, f"no answer in time: {type(exc).__name__}"
            ) from exc
        except httpx.TransportError as exc:
            raise ServiceUnreachable(self.base_url, str(exc) or type(exc).__name__) from exc
        if response.status_code >= 400:
            raise error_of(response)
        try:
            return TypeAdapter(out).validate_python(response.json())
        except ValidationError as exc:
            raise unexpected(method, path, exc) from exc

    # Memories, search and recall.
    async def remember(self, memory: MemoryCreate) -> MemoryCreated:
        body = _body(memory)
        return await self._call("POST", "/v1/memories", MemoryCreated, json=body)

    async def get_memory(self, memory_id: str, *, as_of: str | None = None) -> MemoryPublic:
        params = _drop_none({"as_of": as_of})
        return await self._call("GET", f"/v1/memories/{memory_id}", MemoryPublic, params=params)

    async def history(self, memory_id: str) -> HistoryResponse:
        return await self._call("GET", f"/v1/memories/{memory_id}/history", HistoryResponse)

    async def list_memories(self, query: MemoryListQuery) -> MemoryPage:
        """One page, newest first; pass its next_cursor as the query's cursor for the next."""
        return await self._call("GET", "/v1/memories", MemoryPage, params=_body(query))

    async def update_memory(self, memory_id: str, changes: MemoryUpdate) -> MemoryPublic:
        """A new version; a field set to None is cleared, one left unset is kept."""
        body = changes.model_dump(mode="json", exclude_unset=True)
        return await self._call("PATCH", f"/v1/memories/{memory_id}", MemoryPublic, json=body)

    async def supersede(self, old: str, by: str, actor: str | None = None) -> MemoryPublic:
        """Mark memory `old` superseded by memory `by` (same project and kind)."""
        body = _drop_none({"by": by, "actor": actor})
        return await self._call("POST", f"/v1/memories/{old}/supersede", MemoryPublic, json=body)

    async def retract(self, memory_id: str, *, actor: str | None = None) -> MemoryPublic:
        """Hide a memory from search and recall; it stays in history and by id."""
        params = _drop_none({"actor": actor})
        return await self._call("DELETE", f"/v1/memories/{memory_id}", MemoryPublic, params=params)

    async def search(
        self,
        query: str,
        *,
        project: str | None = None,
        kinds: list[str] | None = None,
        topic: str | None = None,
        tags_any: list[str] | None = None,
        tags_all: list[str] | None = None,
        agent: str | None = None,
        for_agent: str | None = None,
        include_superseded: bool = False,
        k: int = 10,
        min_score: float | None = None,
    ) -> list[SearchResult]:
        request = {
            "query": query,
            "project": project,
            "kinds": kinds or None,
            "topic": topic,
            "tags_any": tags_any or None,
            "tags_all": tags_all or None,
            "agent": agent,
            "for_agent": for_agent,
            "include_superseded": include_superseded,
            "k": k,
            "min_score": min_score,
        }
        found = await self._call("POST", "/v1/search", SearchResponse, json=_drop_none(request))
        return found.results

    async def recall(
        self,
        *,
        agent: str,
        project: str,
        query: str | None = None,
        budget_tokens: int = 1500,
        tags: list[str] | None = None,
    ) -> RecallResponse:
        request = {
            "agent": agent,
            "project": project,
            "query": query,
            "budget_tokens": budget_tokens,
            "tags": tags or None,
            "format": "markdown",
        }
        return await self._call("POST", "/v1/recall", RecallResponse, json=_drop_none(request))

    # Handoffs.
    async def handoff(self, handoff: HandoffCreate) -> HandoffPublic:
        return await self._call("POST", "/v1/handoffs", HandoffPublic, json=_body(handoff))

    async def inbox(
        self, *, to_agent: str | None, project: str | None, state: str = "active", limit: int = 50
    ) -> list[HandoffPublic]:
        params = _drop_none(
            {"to_agent": to_agent, "project": project, "state": state, "limit": limit}
        )
        found = await self._call("GET", "/v1/handoffs", HandoffList, params=params)
        return found.handoffs

    async def ack(self, handoff_id: str, *, actor: str, note: str | None = None) -> HandoffPublic:
        body = _drop_none({"actor": actor, "note": note})
        path = f"/v1/handoffs/{handoff_id}/ack"
        return await self._call("POST", path, HandoffPublic, json=body)

    async def complete(
        self, handoff_id: str, *, actor: str, note: str | None = None
    ) -> HandoffPublic:
        body = _drop_none({"actor": actor, "note": note})
        path = f"/v1/handoffs/{handoff_id}/complete"
        return await self._call("POST", path, HandoffPublic, json=body)

    # Checkpoints and rollback.
    async def checkpoint(
        self, project: str, *, label: str, agent: str, known_good: bool, note: str | None = None
    ) -> CheckpointPublic:
        path = f"/v1/projects/{project}/checkpoints"
        body = _drop_none({"label": label, "agent": agent, "known_good": known_good, "note": note})
        return await self._call("POST", path, CheckpointPublic, json=body)

    async def checkpoints(self, project: str) -> list[CheckpointPublic]:
        path = f"/v1/projects/{project}/checkpoints"
        return await self._call("GET", path, list[CheckpointPublic])

    async def rollback(
        self,
        project: str,
        *,
        to: str,
        actor: str,
        dry_run: bool = False,
        agent: str | None = None,
        topic: str | None = None,
        reason: str | None = None,
        keep_addressed: bool = True,
    ) -> RollbackResult:
        path = f"/v1/projects/{project}/rollback"
        body = {
            "to": to,
            "actor": actor,
            "dry_run": dry_run,
            "agent": agent,
            "topic": topic,
            "reason": reason,
            "keep_addressed": keep_addressed,
        }
        return await self._call("POST", path, RollbackResult, json=_drop_none(body))

    async def rollbacks(self, project: str) -> list[RollbackPublic]:
        path = f"/v1/projects/{project}/rollbacks"
        return await self._call("GET", path, list[RollbackPublic])

    async def undo(self, rollback_id: str, *, actor: str) -> RollbackResult:
        path = f"/v1/rollbacks/{rollback_id}/undo"
        return await self._call("POST", path, RollbackResult, json={"actor": actor})

    # Decision records as ADR files.
    async def adr_export(self, project: str) -> ExportedAdrs:
        return await self._call("GET", f"/v1/projects/{project}/adr", ExportedAdrs)

    async def adr_import(self, project: str, files: AdrImport) -> AdrImportResult:
        path = f"/v1/projects/{project}/adr"
        return await self._call("POST", path, AdrImportResult, json=_body(files))


def to_json(value: BaseModel | list[Any]) -> Any:
    """A response model (or list of them) as plain JSON data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return [to_json(v) if isinstance(v, BaseModel) else v for v in value]

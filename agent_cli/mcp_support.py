"""What the MCP tools share: who they act as, argument types, and the call wrapper."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field, ValidationError

from agent_cli.client import ServiceClient, ServiceError, ServiceUnreachable, invalid_request

T = TypeVar("T")

Project = Annotated[
    str | None,
    Field(description="Project slug; defaults to the server's configured project."),
]
Agent = Annotated[
    str | None,
    Field(description="Your agent slug (e.g. backend-architect); defaults to the configured one."),
]
Tags = Annotated[
    list[str],
    Field(
        description="Only memories with every one of these tags, e.g. your agent name and "
        "the project: ['backend-architect', 'shop']."
    ),
]
Ids = Annotated[
    list[str],
    Field(description="Ids of decisions or deliverables this builds on (from remember/search)."),
]


@dataclass(frozen=True)
class Defaults:
    """Who the tools act as and on which project when a call does not say."""

    agent: str | None = None
    project: str | None = None


# A client for one tool call: a fresh one per caller (the in-process /mcp, whose callers
# differ in token), or one kept for the server's life (stdio: one agent, keep-alive).
Clients = Callable[[], AbstractAsyncContextManager[ServiceClient]]


def kept(client: ServiceClient) -> Clients:
    """Lend the same client to every call, leaving it open (its owner closes it)."""

    @asynccontextmanager
    async def lend() -> AsyncIterator[ServiceClient]:
        yield client

    return lend


@dataclass(frozen=True)
class ToolContext:
    """Where each tool call gets its service client, and the defaults every tool uses."""

    client_factory: Clients
    defaults: Defaults

    def agent(self, value: str | None) -> str:
        return self._pick(value, self.defaults.agent, "agent")

    def project(self, value: str | None) -> str:
        return self._pick(value, self.defaults.project, "project")

    @staticmethod
    def _pick(value: str | None, default: str | None, name: str) -> str:
        chosen = value or default
        if not chosen:
            raise ToolError(f"{name} is required: pass {name}=<slug>")
        return chosen

    async def call(self, fn: Callable[[ServiceClient], Awaitable[T]]) -> T:
        """Run `fn` with a client; service failures become tool errors the agent reads.

        A request model built inside `fn` that breaks a rule of the shared schemas is
        refused before it is sent, with the message the service would have given.
        """
        try:
            async with self.client_factory() as client:
                try:
                    return await fn(client)
                except ValidationError as exc:
                    raise invalid_request(exc) from exc
        except ServiceUnreachable as exc:
            raise ToolError(str(exc)) from exc
        except ServiceError as exc:
            raise ToolError(f"{exc.code}: {exc.message}") from exc

"""The MCP tools, defined once over the HTTP client: served on stdio by `agentmem mcp`
and mounted by the service at /mcp (with a client that calls the app in-process).

Each tool's description says when an agent should call it; its arguments are checked
by the SDK against the JSON schema built from the annotations below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from agent_cli.client import ServiceClient
from agent_cli.mcp_handoffs import register_handoff_tools
from agent_cli.mcp_support import Agent, Defaults, Ids, Project, ToolContext
from memory_service.schemas.checkpoints import CheckpointPublic
from memory_service.schemas.memories import MemoryCreate, MemoryCreated
from memory_service.schemas.rollback import RollbackResult
from memory_service.schemas.search import SearchResult

__all__ = ["Defaults", "build_server"]
INSTRUCTIONS = (
    "Team memory for AI agents. At session start call `recall` (and `inbox`); record each "
    "architecture decision and deliverable with `remember`; hand work over with `handoff`; "
    "after QA passes call `checkpoint` with known_good=true; when QA fails call `rollback` "
    "(dry_run first). Search before deciding something that may already be decided."
)


def build_server(client_factory: Callable[[], ServiceClient], defaults: Defaults) -> MCPServer:
    """An MCP server whose tools call the memory service through `client_factory()`."""
    server: MCPServer = MCPServer("agent-memory", instructions=INSTRUCTIONS, log_level="WARNING")

    tools = ToolContext(client_factory, defaults)

    @server.tool(
        description="Record what the team must not forget. Call right after you take an "
        "architecture decision (kind=decision with topic and reasoning; pass supersedes=<id> "
        "when it replaces an earlier one), deliver something to another agent "
        "(kind=deliverable with for_agents), or learn a fact worth keeping (kind=note). "
        "The answer lists conflicting accepted decisions on the same topic, if any."
    )
    async def remember(
        content: Annotated[str, Field(description="The memory itself, self-contained.")],
        kind: Annotated[
            Literal["decision", "deliverable", "note"], Field(description="What it is.")
        ] = "note",
        title: Annotated[str | None, Field(description="One-line title.")] = None,
        topic: Annotated[str | None, Field(description="Topic slug, e.g. database-schema.")] = None,
        reasoning: Annotated[str | None, Field(description="Why; required for a decision.")] = None,
        for_agents: Annotated[
            list[str], Field(description="Agents a deliverable is meant for.")
        ] = [],  # noqa: B006 - the SDK copies defaults into the schema; never mutated
        refs: Ids = [],  # noqa: B006
        tags: Annotated[list[str], Field(description="Tags.")] = [],  # noqa: B006
        supersedes: Annotated[
            str | None, Field(description="Id of the decision this one replaces.")
        ] = None,
        project: Project = None,
        agent: Agent = None,
    ) -> MemoryCreated:
        into, author = tools.project(project), tools.agent(agent)

        def draft() -> MemoryCreate:
            return MemoryCreate(
                project=into,
                agent=author,
                kind=kind,
                content=content,
                title=title,
                topic=topic,
                reasoning=reasoning,
                for_agents=for_agents,
                refs=refs,
                tags=tags,
                supersedes=supersedes,
            )

        return await tools.call(lambda c: c.remember(draft()))

    @server.tool(
        description="Call at the start of every session. Returns, as markdown within a "
        "token budget: open handoffs addressed to you (always all of them), the decisions and "
        "deliverables they cite, the project's current decisions, deliverables for you, and "
        "memories relevant to `query`."
    )
    async def recall(
        query: Annotated[
            str | None, Field(description="What this session is about (optional).")
        ] = None,
        budget_tokens: Annotated[
            int, Field(ge=50, le=100_000, description="Most tokens the context may take.")
        ] = 1500,
        project: Project = None,
        agent: Agent = None,
    ) -> str:
        recalled = await tools.call(
            lambda c: c.recall(
                agent=tools.agent(agent),
                project=tools.project(project),
                query=query,
                budget_tokens=budget_tokens,
            )
        )
        return recalled.markdown or ""

    @server.tool(
        description="Search decisions, deliverables, handoffs and notes by meaning and "
        "keywords. Call before deciding something that may already be decided, or to find "
        "the id of a memory to reference, supersede or roll back to."
    )
    async def search(
        query: Annotated[str, Field(description="What to look for, in words.")],
        kinds: Annotated[
            list[Literal["decision", "deliverable", "handoff", "note"]],
            Field(description="Only these kinds (all if empty)."),
        ] = [],  # noqa: B006
        topic: Annotated[str | None, Field(description="Only this topic.")] = None,
        k: Annotated[int, Field(ge=1, le=100, description="How many results.")] = 10,
        project: Project = None,
    ) -> list[SearchResult]:
        return await tools.call(
            lambda c: c.search(
                query,
                project=project or tools.defaults.project,
                kinds=list(kinds),
                topic=topic,
                k=k,
            )
        )

    @server.tool(
        description="When QA fails: restore the project to the last known-good checkpoint "
        "(or a checkpoint id, ISO time or event sequence). Call with dry_run=true first to see "
        "the diff and the deliverables and handoffs it impacts, then with dry_run=false. "
        "The rollback is recorded as events and can be undone with undo_rollback."
    )
    async def rollback(
        to: Annotated[
            str, Field(description="'last-known-good', a checkpoint id, an ISO time or a seq.")
        ] = "last-known-good",
        dry_run: Annotated[bool, Field(description="Only show what would change.")] = False,
        only_agent: Annotated[
            str | None, Field(description="Only memories written by this agent.")
        ] = None,
        topic: Annotated[str | None, Field(description="Only memories on this topic.")] = None,
        project: Project = None,
        agent: Agent = None,
    ) -> RollbackResult:
        return await tools.call(
            lambda c: c.rollback(
                tools.project(project),
                to=to,
                actor=tools.agent(agent),
                dry_run=dry_run,
                agent=only_agent,
                topic=topic,
            )
        )

    @server.tool(
        description="Undo a rollback you regret: re-applies what it reverted. Pass the id "
        "that rollback returned."
    )
    async def undo_rollback(
        rollback_id: Annotated[str, Field(description="The id a rollback returned.")],
        agent: Agent = None,
    ) -> RollbackResult:
        return await tools.call(lambda c: c.undo(rollback_id, actor=tools.agent(agent)))

    @server.tool(
        description="Mark the project's current state. Call with known_good=true when QA "
        "passes, so that a later rollback can return exactly here."
    )
    async def checkpoint(
        label: Annotated[str, Field(description="e.g. qa-passed-sprint-3.")],
        known_good: Annotated[bool, Field(description="QA passed at this point.")] = False,
        note: Annotated[str | None, Field(description="Why this point matters.")] = None,
        project: Project = None,
        agent: Agent = None,
    ) -> CheckpointPublic:
        return await tools.call(
            lambda c: c.checkpoint(
                tools.project(project),
                label=label,
                agent=tools.agent(agent),
                known_good=known_good,
                note=note,
            )
        )

    register_handoff_tools(server, tools)
    return server

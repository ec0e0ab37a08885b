"""The MCP tools for known-good states: checkpoint, checkpoints, rollback and its undo."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from agent_cli.mcp_arguments import StrictServer
from agent_cli.mcp_support import Agent, Project, ToolContext
from memory_service.schemas.checkpoints import CheckpointPublic
from memory_service.schemas.rollback import RollbackResult


def register_history_tools(server: StrictServer, tools: ToolContext) -> None:
    """Add checkpoint, checkpoints, rollback and undo_rollback to `server`."""

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

    @server.tool(
        description="The project's checkpoints, newest first: the known-good states a "
        "rollback can return to (pass a checkpoint's id as rollback's `to`)."
    )
    async def checkpoints(project: Project = None) -> list[CheckpointPublic]:
        return await tools.call(lambda c: c.checkpoints(tools.project(project)))

    @server.tool(
        description="When QA fails: restore the project to the last known-good checkpoint, "
        "or to a checkpoint id, an ISO time, a time ago ('2 hours ago') or an event sequence. "
        "Call with dry_run=true first: it lists each change, the deliverables and handoffs "
        "built on what it reverts, and what it keeps. By default it keeps what other agents "
        "addressed to you since (the QA report, handoffs to you); an agent token rolls back "
        "only its own memories and keeps what others changed. Give the reason: it is shown "
        "to every agent at its next recall. undo_rollback reverses it."
    )
    async def rollback(
        to: Annotated[
            str,
            Field(
                description="'last-known-good', a checkpoint id, an ISO time, a time ago "
                "such as '2 hours ago', or an event sequence (older name: target)."
            ),
        ] = "last-known-good",
        dry_run: Annotated[bool, Field(description="Only show what would change.")] = False,
        reason: Annotated[
            str | None, Field(description="Why, e.g. 'QA failed: login returns 500'.")
        ] = None,
        keep_addressed: Annotated[
            bool, Field(description="Keep what others addressed to you since (default).")
        ] = True,
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
                reason=reason,
                keep_addressed=keep_addressed,
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

"""The MCP tools for handoffs: hand work over, read the inbox, acknowledge, complete."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from agent_cli.mcp_arguments import StrictServer
from agent_cli.mcp_support import Agent, Ids, Project, ToolContext
from memory_service.schemas.handoffs import HandoffCreate, HandoffPublic


def register_handoff_tools(server: StrictServer, tools: ToolContext) -> None:
    """Add handoff, inbox, acknowledge_handoff and complete_handoff to `server`."""

    @server.tool(
        description="Hand work to another agent when you stop working on it: what you "
        "completed, what is pending, the constraints and risks, and refs to the decisions and "
        "deliverables it builds on. The receiver finds it in inbox and recall."
    )
    async def handoff(
        to_agent: Annotated[str, Field(description="The receiving agent's slug.")],
        summary: Annotated[str, Field(description="What is being handed over.")],
        completed: Annotated[list[str], Field(description="What is done.")] = [],  # noqa: B006
        pending: Annotated[list[str], Field(description="What is left.")] = [],  # noqa: B006
        risks: Annotated[list[str], Field(description="Constraints and risks to watch.")] = [],  # noqa: B006
        refs: Ids = [],  # noqa: B006
        project: Project = None,
        agent: Agent = None,
    ) -> HandoffPublic:
        into, author = tools.project(project), tools.agent(agent)

        def draft() -> HandoffCreate:
            return HandoffCreate(
                project=into,
                from_agent=author,
                to_agent=to_agent,
                summary=summary,
                completed=completed,
                pending=pending,
                risks=risks,
                refs=refs,
            )

        return await tools.call(lambda c: c.handoff(draft()))

    @server.tool(
        description="List handoffs addressed to you, newest first (not yet completed by "
        "default). Call at session start; then acknowledge_handoff what you take on."
    )
    async def inbox(
        state: Annotated[
            Literal["active", "open", "acknowledged", "completed", "all"],
            Field(description="active = open or acknowledged."),
        ] = "active",
        project: Project = None,
        agent: Agent = None,
    ) -> list[HandoffPublic]:
        return await tools.call(
            lambda c: c.inbox(
                to_agent=tools.agent(agent),
                project=project or tools.defaults.project,
                state=state,
            )
        )

    @server.tool(description="Take on a handoff addressed to you (open -> acknowledged).")
    async def acknowledge_handoff(
        handoff_id: Annotated[str, Field(description="The handoff's id (from inbox).")],
        note: Annotated[str | None, Field(description="A note for the history.")] = None,
        agent: Agent = None,
    ) -> HandoffPublic:
        actor = tools.agent(agent)
        return await tools.call(lambda c: c.ack(handoff_id, actor=actor, note=note))

    @server.tool(description="Close a handoff whose pending work is done, with a note.")
    async def complete_handoff(
        handoff_id: Annotated[str, Field(description="The handoff's id (from inbox).")],
        note: Annotated[str | None, Field(description="What was done.")] = None,
        agent: Agent = None,
    ) -> HandoffPublic:
        actor = tools.agent(agent)
        return await tools.call(lambda c: c.complete(handoff_id, actor=actor, note=note))

"""The MCP tools that write and read single memories: remember, get_memory, list_memories,
update, supersede and retract."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from agent_cli.mcp_arguments import StrictServer
from agent_cli.mcp_support import Agent, Ids, Project, Tags, ToolContext
from agent_cli.mcp_views import MemoryHit, MemoryHits, Remembered, hit, remembered
from memory_service.schemas.memories import (
    MemoryCreate,
    MemoryListQuery,
    MemoryPublic,
    MemoryUpdate,
)

Kind = Literal["decision", "deliverable", "handoff", "note"]
WorkItems = Annotated[list[str], Field(description="For kind=handoff only.")]
MemoryId = Annotated[str, Field(description="A memory's id, from remember, search or a list.")]


def register_memory_tools(server: StrictServer, tools: ToolContext) -> None:
    """Add remember, get_memory, list_memories, update, supersede and retract to `server`."""

    @server.tool(
        description="Record what the team must not forget, right after it happens: a "
        "decision (kind=decision, with topic and reasoning), a deliverable for another agent "
        "(kind=deliverable), a handoff summary (kind=handoff, with completed, pending and "
        "risks) or a fact (kind=note). Tag it with your agent name, the project and the "
        "topic. Tagging it with another agent's name addresses it to that agent: it shows in "
        "that agent's recall and, for a handoff, its inbox. Sending the same content again "
        "returns the stored memory (result=duplicate); with other fields it becomes a new "
        "version of your memory (result=version) or, with another supersedes or status, a "
        "new memory. A proposed decision naming supersedes is a candidate: the old one "
        "stays current until a reviewer accepts the proposal."
    )
    async def remember(
        content: Annotated[
            str, Field(description="The memory itself, self-contained (older name: observation).")
        ],
        kind: Annotated[Kind, Field(description="What it is.")] = "note",
        title: Annotated[str | None, Field(description="One-line title.")] = None,
        topic: Annotated[
            str | None, Field(description="Topic slug, e.g. database-schema, api-design.")
        ] = None,
        reasoning: Annotated[str | None, Field(description="Why; required for a decision.")] = None,
        tags: Annotated[
            list[str],
            Field(
                description="Your agent name, the project, the topic; another agent's name "
                "addresses the memory to it, e.g. ['frontend-developer', 'api-spec']."
            ),
        ] = [],  # noqa: B006 - the SDK copies defaults into the schema; never mutated
        for_agents: Annotated[
            list[str], Field(description="Agents it is for (as tagging it with their names).")
        ] = [],  # noqa: B006
        refs: Ids = [],  # noqa: B006
        supersedes: Annotated[
            str | None,
            Field(description="Id of your earlier decision or note that this one replaces."),
        ] = None,
        completed: WorkItems = [],  # noqa: B006
        pending: WorkItems = [],  # noqa: B006
        risks: WorkItems = [],  # noqa: B006
        project: Project = None,
        agent: Agent = None,
    ) -> Remembered:
        into, author = tools.project(project), tools.agent(agent)

        def draft() -> MemoryCreate:
            fields = {
                "title": title,
                "topic": topic,
                "reasoning": reasoning,
                "supersedes": supersedes,
                "tags": tags,
                "for_agents": for_agents,
                "refs": refs,
                "completed": completed,
                "pending": pending,
                "risks": risks,
            }
            given = {k: v for k, v in fields.items() if v not in (None, [])}
            return MemoryCreate(project=into, agent=author, kind=kind, content=content, **given)

        return remembered(await tools.call(lambda c: c.remember(draft())))

    @server.tool(description="One whole memory by id: content, reasoning, options, history links.")
    async def get_memory(
        memory_id: MemoryId,
        as_of: Annotated[
            str | None, Field(description="An ISO time or event sequence: the memory then.")
        ] = None,
    ) -> MemoryPublic:
        return await tools.call(lambda c: c.get_memory(memory_id, as_of=as_of))

    @server.tool(
        description="List memories by tags and other fields, newest first, a page at a time "
        "(pass next_cursor back as cursor). Without filters: the project's live memories."
    )
    async def list_memories(
        tags: Tags = [],  # noqa: B006
        kinds: Annotated[list[Kind], Field(description="Only these kinds.")] = [],  # noqa: B006
        agent: Annotated[str | None, Field(description="Only memories by this agent.")] = None,
        for_agent: Annotated[
            str | None, Field(description="Only memories addressed to this agent.")
        ] = None,
        status: Annotated[
            list[str],
            Field(
                description="Only these statuses; default every one but retracted and superseded."
            ),
        ] = [],  # noqa: B006
        since: Annotated[str | None, Field(description="Only after this ISO time.")] = None,
        limit: Annotated[int, Field(ge=1, le=200, description="Memories per page.")] = 20,
        cursor: Annotated[str | None, Field(description="next_cursor of the last page.")] = None,
        project: Project = None,
    ) -> MemoryHits:
        def query() -> MemoryListQuery:
            fields = {
                "project": project or tools.defaults.project,
                "tags": tags,
                "kind": kinds,
                "agent": agent,
                "for_agent": for_agent,
                "status": status,
                "since": since,
                "limit": limit,
                "cursor": cursor,
            }
            return MemoryListQuery(**{k: v for k, v in fields.items() if v not in (None, [])})

        page = await tools.call(lambda c: c.list_memories(query()))
        return MemoryHits(memories=[hit(m) for m in page.memories], next_cursor=page.next_cursor)

    @server.tool(
        description="Change fields of a memory you wrote (a reviewer: any, and a decision's "
        "status): each change is a new version kept in its history. Only the fields you "
        "pass change; to record a different decision, remember a new one that supersedes it."
    )
    async def update(
        memory_id: MemoryId,
        title: Annotated[str | None, Field(description="New one-line title.")] = None,
        content: Annotated[str | None, Field(description="New text.")] = None,
        reasoning: Annotated[str | None, Field(description="New reasoning.")] = None,
        topic: Annotated[str | None, Field(description="New topic slug.")] = None,
        tags: Annotated[list[str] | None, Field(description="The new tags (all of them).")] = None,
        for_agents: Annotated[
            list[str] | None, Field(description="The agents it is for (all of them).")
        ] = None,
        status: Annotated[
            str | None, Field(description="New status, e.g. accepted or rejected (reviewers).")
        ] = None,
        agent: Agent = None,
    ) -> MemoryHit:
        given = {
            "title": title,
            "content": content,
            "reasoning": reasoning,
            "topic": topic,
            "tags": tags,
            "for_agents": for_agents,
            "status": status,
        }
        changes = {k: v for k, v in given.items() if v is not None}
        if not changes:
            raise ToolError("update: pass at least one field to change (e.g. title or tags)")
        actor = tools.agent(agent)
        return hit(
            await tools.call(
                lambda c: c.update_memory(memory_id, MemoryUpdate(actor=actor, **changes))
            )
        )

    @server.tool(
        description="Mark memory `old` replaced by memory `new` (both recorded already, same "
        "project and kind: a decision by an accepted decision, a note by a note). The old "
        "one leaves search and recall and points to the new one."
    )
    async def supersede(
        old: Annotated[str, Field(description="Id of the memory that no longer holds.")],
        new: Annotated[str, Field(description="Id of the memory that replaces it.")],
        agent: Agent = None,
    ) -> MemoryHit:
        actor = tools.agent(agent)
        return hit(await tools.call(lambda c: c.supersede(old, new, actor=actor)))

    @server.tool(
        description="Withdraw a memory that was wrong or no longer applies: it leaves search "
        "and recall, and stays in the history (a rollback or a reviewer can restore it)."
    )
    async def retract(memory_id: MemoryId, agent: Agent = None) -> MemoryHit:
        actor = tools.agent(agent)
        return hit(await tools.call(lambda c: c.retract(memory_id, actor=actor)))

"""The MCP tools, defined once over the HTTP client: served on stdio by `agentmem mcp`
and mounted by the service at /mcp (with a client that calls the app in-process).

Each tool's description says when an agent should call it and what each argument does;
arguments are checked against the JSON schema built from the annotations, and unknown
ones are refused with what to send instead (`mcp_arguments`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from agent_cli.mcp_arguments import StrictServer
from agent_cli.mcp_handoffs import register_handoff_tools
from agent_cli.mcp_history import register_history_tools
from agent_cli.mcp_memories import register_memory_tools
from agent_cli.mcp_support import Agent, Clients, Defaults, Project, Tags, ToolContext
from agent_cli.mcp_views import MemoryHit, hit

__all__ = ["Defaults", "build_server"]
INSTRUCTIONS = (
    "Team memory for AI agents. At session start call `recall` (it lists handoffs and "
    "deliverables addressed to you) or `search` with your agent name and the project as "
    "tags. Record each decision, deliverable and handoff with `remember`, tagged with your "
    "agent name, the project and the topic; tag what another agent must find with that "
    "agent's name. When QA passes call `checkpoint` with known_good=true; when QA fails "
    "call `rollback` (dry_run first). Search before deciding what may be decided already."
)
Kinds = Annotated[
    list[Literal["decision", "deliverable", "handoff", "note"]],
    Field(description="Only these kinds (every kind if empty)."),
]


def build_server(client_factory: Clients, defaults: Defaults) -> StrictServer:
    """An MCP server whose tools call the memory service through `client_factory()`."""
    server = StrictServer("agent-memory", instructions=INSTRUCTIONS, log_level="WARNING")
    tools = ToolContext(client_factory, defaults)

    @server.tool(
        description="Call at the start of every session. Returns markdown within a token "
        "budget: the project's last known-good checkpoint and latest rollback (with its "
        "reason), open handoffs addressed to you (always all of them), the decisions and "
        "deliverables they cite, the project's current decisions, deliverables addressed to "
        "you (by for_agents or tagged with your name), and memories relevant to `query`."
    )
    async def recall(
        query: Annotated[
            str | None, Field(description="What this session is about (optional).")
        ] = None,
        tags: Tags = [],  # noqa: B006 - the SDK copies defaults into the schema; never mutated
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
                tags=list(tags),
            )
        )
        return recalled.markdown or ""

    @server.tool(
        description="Find memories by meaning and keywords, by tags, or both. With a query: "
        "ranked by relevance, off-topic ones left out (tune with min_score). Without a "
        "query: the memories matching the filters, newest first, e.g. tags=['backend-"
        "architect', 'shop'] at session start. Results are compact (id, title, snippet, "
        "tags, score); get_memory gives a whole memory. Known-good states are checkpoints: "
        "list them with `checkpoints`, roll back with `rollback`."
    )
    async def search(
        query: Annotated[
            str, Field(description="What to look for, in words; empty to filter only.")
        ] = "",
        tags: Tags = [],  # noqa: B006
        tags_any: Annotated[
            list[str], Field(description="Only memories with at least one of these tags.")
        ] = [],  # noqa: B006
        kinds: Kinds = [],  # noqa: B006
        topic: Annotated[str | None, Field(description="Only this topic.")] = None,
        agent: Annotated[str | None, Field(description="Only memories by this agent.")] = None,
        for_agent: Annotated[
            str | None,
            Field(description="Only memories addressed to this agent (for_agents or its tag)."),
        ] = None,
        k: Annotated[
            int, Field(ge=1, le=100, description="How many results (older name: limit).")
        ] = 10,
        min_score: Annotated[
            float | None,
            Field(
                ge=0.0,
                le=1.0,
                description="Least similarity in meaning (0-1) a result needs unless it "
                "shares the query's words; 0 returns every candidate. Default: the service's.",
            ),
        ] = None,
        include_superseded: Annotated[
            bool, Field(description="Also replaced decisions, marked superseded.")
        ] = False,
        project: Project = None,
    ) -> list[MemoryHit]:
        found = await tools.call(
            lambda c: c.search(
                query,
                project=project or tools.defaults.project,
                kinds=list(kinds),
                topic=topic,
                tags_all=list(tags),
                tags_any=list(tags_any),
                agent=agent,
                for_agent=for_agent,
                include_superseded=include_superseded,
                k=k,
                min_score=min_score,
            )
        )
        return [hit(r.memory, r.score if query.strip() else None) for r in found]

    register_memory_tools(server, tools)
    register_history_tools(server, tools)
    register_handoff_tools(server, tools)
    server.close_schemas()
    return server

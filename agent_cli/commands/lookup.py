"""`agentmem search`, `show`, `history` and `log`: read what the project remembers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from agent_cli.options import JsonOpt, config_of, project_of

if TYPE_CHECKING:
    from memory_service.schemas.history import VersionPublic
    from memory_service.schemas.memories import MemoryPublic

MemoryId = Annotated[str, typer.Argument(help="The memory's id.")]


def search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="What to look for, in words; '' to list by the filters.")
    ],
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="decision, deliverable, handoff or note (repeatable)."),
    ] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Only this topic.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Any of these tags.")] = None,
    every_tag: Annotated[
        list[str] | None, typer.Option("--tags", help="Every one of these tags (repeatable).")
    ] = None,
    for_agent: Annotated[
        str | None,
        typer.Option("--for", help="Addressed to this agent: for_agents, or its name as a tag."),
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many results.")] = 10,
    min_score: Annotated[
        float | None,
        typer.Option(
            "--min-score", min=0.0, max=1.0, help="Relevance floor (0 shows every candidate)."
        ),
    ] = None,
    superseded: Annotated[
        bool, typer.Option("--superseded", help="Include superseded decisions (marked).")
    ] = False,
    all_projects: Annotated[
        bool, typer.Option("--all-projects", help="Search every project.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Search memories by meaning and keywords."""
    from agent_cli.output import call, print_json, table

    config = config_of(ctx)
    project = None if all_projects else project_of(ctx, config)
    results = call(
        config,
        lambda c: c.search(
            query,
            project=project,
            kinds=kind,
            topic=topic,
            tags_any=tag,
            tags_all=every_tag,
            for_agent=for_agent,
            include_superseded=superseded,
            k=k,
            min_score=min_score,
        ),
        as_json=json_out,
    )
    if json_out:
        print_json(results)
        return
    table(
        f"Search: {query}",
        ["score", "kind", "title", "status", "agent", "id"],
        (
            (
                f"{r.score:.3f}",
                r.memory.kind,
                r.memory.title,
                _status(r.memory),
                r.memory.agent,
                r.memory.id,
            )
            for r in results
        ),
    )


def _status(m: MemoryPublic) -> str:
    if m.superseded_by:
        return f"{m.status} by {m.superseded_by_title or m.superseded_by}"
    return m.status


def show(
    ctx: typer.Context,
    memory_id: MemoryId,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="An ISO time or event sequence: the memory then.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """One memory in full."""
    from agent_cli.output import bullet_list, call, print_json, say, short_time

    config = config_of(ctx)
    m = call(config, lambda c: c.get_memory(memory_id, as_of=as_of), as_json=json_out)
    if json_out:
        print_json(m)
        return
    say(f"[bold]{m.title}[/bold]  ({m.kind}, {_status(m)}, v{m.version})")
    say(f"id {m.id} · {m.project} · by {m.agent} · {short_time(m.occurred_at)}")
    for label, value in (
        ("topic", m.topic),
        ("tags", ", ".join(m.tags)),
        ("for", ", ".join(m.for_agents)),
        ("refs", ", ".join(m.refs)),
    ):
        if value:
            say(f"{label}: {value}")
    typer.echo("\n" + m.content)
    if m.reasoning:
        typer.echo(f"\nWhy: {m.reasoning}")
    for label, items in (("Completed", m.completed), ("Pending", m.pending), ("Risks", m.risks)):
        if items:
            typer.echo("\n" + bullet_list(label, items))


def history(ctx: typer.Context, memory_id: MemoryId, json_out: JsonOpt = False) -> None:
    """Every version of a memory: the event, who, when and what changed."""
    from agent_cli.output import call, print_json, short_time, table

    config = config_of(ctx)
    found = call(config, lambda c: c.history(memory_id), as_json=json_out)
    if json_out:
        print_json(found)
        return

    table(
        f"History of {memory_id}",
        ["seq", "v", "event", "actor", "at", "changed", "status", "note"],
        (
            (
                v.seq,
                v.version,
                v.event,
                v.actor,
                short_time(v.at),
                ", ".join(v.changed_fields),
                v.memory.status,
                _note(v),
            )
            for v in found.versions
        ),
    )


def _note(v: VersionPublic) -> str:
    """The note a handoff's acknowledge or complete event left, if any."""
    notes = v.memory.metadata.get("notes") or []
    last = notes[-1] if notes and v.event in ("acknowledged", "completed") else {}
    return str(last.get("note") or "")


def log(
    ctx: typer.Context,
    topic: Annotated[str | None, typer.Option("--topic", help="Only this topic.")] = None,
    all_decisions: Annotated[
        bool, typer.Option("--all", help="Include superseded decisions.")
    ] = False,
    limit: Annotated[int, typer.Option("-n", min=1, max=100, help="How many, newest first.")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """The project's decision log as a table, newest first."""
    from agent_cli.output import call, print_json, short_time, table

    config = config_of(ctx)
    project = project_of(ctx, config)
    results = call(
        config,
        lambda c: c.search(
            "",
            project=project,
            kinds=["decision"],
            topic=topic,
            include_superseded=all_decisions,
            k=limit,
        ),
        as_json=json_out,
    )
    decisions = [r.memory for r in results]
    if json_out:
        print_json(decisions)
        return
    table(
        f"Decision log of {project}",
        ["date", "topic", "title", "status", "agent", "id"],
        (
            (short_time(m.occurred_at), m.topic, m.title, _status(m), m.agent, m.id)
            for m in decisions
        ),
    )

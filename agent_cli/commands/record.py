"""`agentmem decide` and `agentmem deliver`: record a decision or a deliverable."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agent_cli.options import JsonOpt, config_of, project_of

if TYPE_CHECKING:
    from memory_service.schemas.memories import MemoryCreated

Tags = Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")]
Refs = Annotated[
    list[str] | None, typer.Option("--ref", help="Id of a memory this builds on (repeatable).")
]
Topic = Annotated[str | None, typer.Option("--topic", help="Topic slug, e.g. database-schema.")]


def _report(created: MemoryCreated, json_out: bool) -> None:
    from agent_cli.output import print_json, say, warn

    for conflict in created.conflicts:
        warn(f"conflicts with accepted decision {conflict.id} ({conflict.title})")
    if created.hint:
        warn(created.hint)
    if json_out:
        print_json(created)
        return
    verb = "Already recorded" if created.duplicate else "Recorded"
    say(f"{verb} {created.kind} [bold]{created.id}[/bold]: {created.title}")


def decide(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The decision, in one line.")],
    why: Annotated[str, typer.Option("--why", help="The reasoning: why this was decided.")],
    topic: Topic = None,
    content: Annotated[
        str | None, typer.Option("--content", help="Details; the title if absent.")
    ] = None,
    supersedes: Annotated[
        str | None, typer.Option("--supersedes", help="Id of the decision this replaces.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="proposed, accepted (default), rejected ...")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Refuse if the topic already has an accepted decision."),
    ] = False,
    tag: Tags = None,
    ref: Refs = None,
    json_out: JsonOpt = False,
) -> None:
    """Record an architecture decision with its topic and reasoning."""
    from agent_cli.output import call
    from memory_service.schemas.memories import MemoryCreate

    config = config_of(ctx)
    project = project_of(ctx, config)

    def draft() -> MemoryCreate:
        return MemoryCreate(
            project=project,
            agent=config.agent,
            kind="decision",
            title=title,
            content=content or title,
            reasoning=why,
            topic=topic,
            tags=tag or [],
            refs=ref or [],
            supersedes=supersedes,
            status=status,
            on_conflict="error" if strict else "warn",
        )

    _report(call(config, lambda c: c.remember(draft()), as_json=json_out), json_out)


def deliver(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="What was delivered, in one line.")],
    for_agents: Annotated[
        list[str], typer.Option("--for", help="The agent it is meant for (repeatable).")
    ],
    content: Annotated[
        str | None, typer.Option("--content", help="The deliverable or where it lives.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Read the content from this file ('-' for stdin)."),
    ] = None,
    topic: Topic = None,
    tag: Tags = None,
    ref: Refs = None,
    json_out: JsonOpt = False,
) -> None:
    """Record a deliverable tagged for the next agent."""
    from agent_cli.output import call, fail
    from memory_service.schemas.memories import MemoryCreate

    config = config_of(ctx)
    if file is not None:
        try:
            content = (
                typer.get_text_stream("stdin").read()
                if str(file) == "-"
                else file.read_text(encoding="utf-8")
            )
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {file}: {exc}", as_json=json_out)
    project = project_of(ctx, config)

    def draft() -> MemoryCreate:
        return MemoryCreate(
            project=project,
            agent=config.agent,
            kind="deliverable",
            title=title,
            content=content or title,
            topic=topic,
            tags=tag or [],
            for_agents=for_agents,
            refs=ref or [],
        )

    _report(call(config, lambda c: c.remember(draft()), as_json=json_out), json_out)

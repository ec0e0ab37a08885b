"""`agentmem handoff`, `inbox`, `ack` and `complete`: work passed between agents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from agent_cli.options import JsonOpt, config_of, project_of

if TYPE_CHECKING:
    from memory_service.schemas.handoffs import HandoffPublic

Items = list[str] | None
Note = Annotated[str | None, typer.Option("--note", help="A note kept in the history.")]
HandoffId = Annotated[str, typer.Argument(help="The handoff's id (see `agentmem inbox`).")]


def _show(handoff: HandoffPublic) -> None:
    from agent_cli.output import bullet_list, say, short_time

    say(
        f"[bold]{handoff.id}[/bold] {handoff.state}: {handoff.title} "
        f"({handoff.from_agent} -> {handoff.to_agent}, {short_time(handoff.created_at)})"
    )
    if handoff.summary != handoff.title:
        say(handoff.summary)
    for label, items in (
        ("Completed", handoff.completed),
        ("Pending", handoff.pending),
        ("Risks", handoff.risks),
        ("References", [f"{r.kind} {r.id}: {r.title}" for r in handoff.references]),
    ):
        if items:
            say(bullet_list(label, items))
    for note in handoff.notes:
        say(
            f"{note.state} by {note.actor} {short_time(note.at)}"
            + (f": {note.note}" if note.note else "")
        )


def handoff(
    ctx: typer.Context,
    summary: Annotated[str, typer.Argument(help="What is being handed over.")],
    to: Annotated[str, typer.Option("--to", help="The receiving agent, e.g. frontend-developer.")],
    completed: Annotated[Items, typer.Option("--completed", help="Done (repeatable).")] = None,
    pending: Annotated[Items, typer.Option("--pending", help="Left to do (repeatable).")] = None,
    risk: Annotated[
        Items, typer.Option("--risk", help="A constraint or risk (repeatable).")
    ] = None,
    ref: Annotated[
        Items, typer.Option("--ref", help="Id of a decision or deliverable it cites (repeatable).")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Short title.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Hand work to another agent: what is completed, what is pending, the risks."""
    from agent_cli.output import call, print_json
    from memory_service.schemas.handoffs import HandoffCreate

    config = config_of(ctx)
    project = project_of(ctx, config)

    def draft() -> HandoffCreate:
        return HandoffCreate(
            project=project,
            from_agent=config.agent,
            to_agent=to,
            summary=summary,
            title=title,
            completed=completed or [],
            pending=pending or [],
            risks=risk or [],
            refs=ref or [],
        )

    created = call(config, lambda c: c.handoff(draft()), as_json=json_out)
    if json_out:
        print_json(created)
    else:
        _show(created)


def inbox(
    ctx: typer.Context,
    state: Annotated[
        str,
        typer.Option(
            "--state", help="active (not completed), open, acknowledged, completed or all."
        ),
    ] = "active",
    all_projects: Annotated[
        bool, typer.Option("--all-projects", help="Handoffs to you in every project.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Handoffs addressed to you, newest first."""
    from agent_cli.output import call, print_json, say

    config = config_of(ctx)
    project = None if all_projects else project_of(ctx, config)
    found = call(
        config,
        lambda c: c.inbox(to_agent=config.agent, project=project, state=state),
        as_json=json_out,
    )
    if json_out:
        print_json(found)
        return
    where = f" in {project}" if project else ""
    say(f"Inbox of {config.agent}{where}: {len(found)} handoff(s), state {state}")
    for handoff in found:
        typer.echo("")
        _show(handoff)


def ack(
    ctx: typer.Context, handoff_id: HandoffId, note: Note = None, json_out: JsonOpt = False
) -> None:
    """Acknowledge a handoff addressed to you: you have taken it on."""
    from agent_cli.output import call, print_json

    config = config_of(ctx)
    done = call(
        config, lambda c: c.ack(handoff_id, actor=config.agent, note=note), as_json=json_out
    )
    if json_out:
        print_json(done)
    else:
        _show(done)


def complete(
    ctx: typer.Context, handoff_id: HandoffId, note: Note = None, json_out: JsonOpt = False
) -> None:
    """Mark a handoff completed: its pending work is done."""
    from agent_cli.output import call, print_json

    config = config_of(ctx)
    done = call(
        config, lambda c: c.complete(handoff_id, actor=config.agent, note=note), as_json=json_out
    )
    if json_out:
        print_json(done)
    else:
        _show(done)

"""`agentmem checkpoint`, `checkpoints`, `rollback` and `undo`: back to a known-good state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from agent_cli.options import JsonOpt, config_of, project_of

if TYPE_CHECKING:
    from memory_service.schemas.rollback import RollbackResult

LAST_KNOWN_GOOD = "last-known-good"


def checkpoint(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="e.g. qa-passed-sprint-3.")],
    known_good: Annotated[
        bool, typer.Option("--known-good", help="QA passed: a state to roll back to.")
    ] = False,
    note: Annotated[str | None, typer.Option("--note", help="Why this point matters.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Mark the project's current state; --known-good when QA passed."""
    from agent_cli.output import call, print_json, say

    config = config_of(ctx)
    project = project_of(ctx, config)
    made = call(
        config,
        lambda c: c.checkpoint(
            project, label=label, agent=config.agent, known_good=known_good, note=note
        ),
        as_json=json_out,
    )
    if json_out:
        print_json(made)
    else:
        good = " (known good)" if made.known_good else ""
        say(f"Checkpoint [bold]{made.id}[/bold] {made.label}{good} at event {made.seq}")


def checkpoints(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """The project's checkpoints, newest first."""
    from agent_cli.output import call, print_json, short_time, table

    config = config_of(ctx)
    project = project_of(ctx, config)
    found = call(config, lambda c: c.checkpoints(project), as_json=json_out)
    if json_out:
        print_json(found)
        return
    table(
        f"Checkpoints of {project}",
        ["id", "label", "known good", "by", "event", "at", "note"],
        (
            (
                c.id,
                c.label,
                "yes" if c.known_good else "",
                c.agent,
                c.seq,
                short_time(c.created_at),
                c.note,
            )
            for c in found
        ),
    )


def _show(result: RollbackResult, to: str) -> None:
    from agent_cli.output import say, table

    table(
        "Changes",
        ["action", "kind", "title", "fields", "id"],
        (
            (c.action, c.kind, c.title, ", ".join(sorted(c.fields)), c.memory_id)
            for c in result.changes
        ),
    )
    if result.impact:
        table(
            "Impact: these build on what is reverted",
            ["kind", "title", "status", "reverted too", "id"],
            (
                (i.kind, i.title, i.status, "yes" if i.reverted else "no", i.memory_id)
                for i in result.impact
            ),
        )
    if result.kept:
        table(
            "Kept as they are",
            ["kind", "title", "why", "by", "id"],
            (
                (k.kind, k.title, k.why.replace("-", " "), ", ".join(k.by), k.memory_id)
                for k in result.kept
            ),
        )
    count = f"{len(result.changes)} memor{'y' if len(result.changes) == 1 else 'ies'}"
    if result.dry_run:
        say(f"Dry run: would change {count}. Apply: agentmem rollback --to {to}")
    elif result.undo_of:
        say(f"Undid rollback {result.undo_of}: {count} re-applied ({result.id}).")
    else:
        say(
            f"Rolled back {count} (rollback [bold]{result.id}[/bold]). "
            f"Undo: agentmem undo {result.id}"
        )


def rollback(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="last-known-good, a checkpoint id, an ISO time, a time ago ('2 hours ago') "
            "or an event sequence.",
        ),
    ] = LAST_KNOWN_GOOD,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why, e.g. the QA failure; shown in recall.")
    ] = None,
    keep_addressed: Annotated[
        bool,
        typer.Option(
            "--keep-addressed/--revert-addressed",
            help="Keep what other agents addressed to you since (the QA report, handoffs).",
        ),
    ] = True,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the diff and its impact; change nothing.")
    ] = False,
    author: Annotated[
        str | None, typer.Option("--author", help="Only memories written by this agent.")
    ] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Only this topic.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Roll the project back to a checkpoint (default: the last known-good one)."""
    from agent_cli.output import call, print_json

    config = config_of(ctx)
    project = project_of(ctx, config)
    result = call(
        config,
        lambda c: c.rollback(
            project,
            to=to,
            actor=config.agent,
            dry_run=dry_run,
            agent=author,
            topic=topic,
            reason=reason,
            keep_addressed=keep_addressed,
        ),
        as_json=json_out,
    )
    if json_out:
        print_json(result)
    else:
        _show(result, to)


def undo(
    ctx: typer.Context,
    rollback_id: Annotated[
        str | None, typer.Argument(help="The rollback to undo; the latest one if absent.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Undo a rollback: re-apply what it reverted."""
    from agent_cli.client import ServiceClient, ServiceError
    from agent_cli.output import call, print_json

    config = config_of(ctx)
    project = project_of(ctx, config) if rollback_id is None else None

    async def go(c: ServiceClient) -> RollbackResult:
        target = rollback_id
        if target is None:
            assert project is not None
            latest = [r for r in await c.rollbacks(project) if not r.undo_of and not r.undone_by]
            if not latest:
                raise ServiceError(
                    404, "rollback_not_found", f"project {project!r} has no rollback to undo"
                )
            target = latest[0].id
        return await c.undo(target, actor=config.agent)

    result = call(config, go, as_json=json_out)
    if json_out:
        print_json(result)
    else:
        _show(result, "")

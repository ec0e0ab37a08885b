"""`memory-service status`: the stores this configuration points at, their schema and index
model, the index lag and the tokens, for a person or, with --json, for a script."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from memory_service.observability.status import Reach, Status


def _reach(label: str, reach: Reach) -> str:
    """One store's line: where it is and whether it answered."""
    state = "reachable" if reach.ok else f"NOT reachable: {reach.problem}"
    return f"{label:<16}{reach.where} ({state})"


def _lines(status: Status) -> list[str]:
    """The status as aligned lines for a terminal."""
    model = status.index_model or "none recorded yet"
    if status.index_dimension:
        model += f" ({status.index_dimension} dimensions)"
    lines = [
        _reach("SQL store", status.sql),
        _reach("vector index", status.chroma),
        f"{'schema':<16}{status.schema_revision or 'none'} (newest: {status.schema_head})",
        f"{'index model':<16}{model}; the service embeds with {status.configured_model}",
    ]
    if status.outbox_depth is not None:
        lag = status.index_lag_seconds or 0.0
        lines.append(f"{'outbox':<16}{status.outbox_depth} waiting; index lag {lag:.1f} s")
    if status.tokens_active is not None:
        lines.append(
            f"{'tokens':<16}{status.tokens_active} active, {status.tokens_revoked} revoked"
            + (" (open local mode on loopback)" if status.tokens_active == 0 else "")
        )
    lines += [f"problem: {p}" for p in status.problems]
    lines.append("healthy" if status.healthy else f"{len(status.problems)} problem(s)")
    return lines


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Check the configured stores: reachable, schema, index model, index lag, outbox, tokens
    (exit 1 when something needs doing)."""
    import json

    from memory_service.observability.status import as_json as status_json
    from memory_service.observability.status import gather
    from memory_service.settings import Settings

    found = gather(Settings())
    if as_json:
        typer.echo(json.dumps(status_json(found), indent=2))
    else:
        typer.echo("\n".join(_lines(found)))
    if not found.healthy:
        raise typer.Exit(1)

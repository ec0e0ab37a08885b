"""`agentmem start`: the context an agent needs at the start of a session."""

from __future__ import annotations

from typing import Annotated

import typer

from agent_cli.options import JsonOpt, config_of, project_of


def start(
    ctx: typer.Context,
    query: Annotated[
        str | None,
        typer.Option("--query", "-q", help="What this session is about: adds the most relevant."),
    ] = None,
    budget: Annotated[
        int, typer.Option("--budget", min=50, max=100_000, help="Token budget for the context.")
    ] = 1500,
    json_out: JsonOpt = False,
) -> None:
    """Session context as markdown: open handoffs to you, what they cite, current decisions."""
    from agent_cli.output import call, echo_stdout, print_json

    config = config_of(ctx)
    project = project_of(ctx, config)
    recalled = call(
        config,
        lambda c: c.recall(agent=config.agent, project=project, query=query, budget_tokens=budget),
        as_json=json_out,
    )
    if json_out:
        print_json(recalled)
    else:
        echo_stdout(recalled.markdown or "")

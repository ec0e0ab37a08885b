"""The tools' arguments as agents send them: an unknown name is refused with what to send
instead, never dropped; the older memory server's names are accepted where they mean the
same thing (decisions/0062); a wrong value is named in the agent's words, not pydantic's.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError

# The older server's argument names with the same meaning here, by tool.
ALIASES: Mapping[str, Mapping[str, str]] = {
    "remember": {"observation": "content"},
    "search": {"limit": "k"},
    "rollback": {"target": "to"},
}
# Names that mean something this service does not do, and what to send instead.
REFUSED: Mapping[str, str] = {
    "importance": "memories carry no importance: say why it matters in `reasoning`, or tag "
    "it (e.g. tags=['critical'])",
    "context": "put the context in `content` (or a decision's `reasoning`)",
    "ttl_seconds": "memories do not expire: call `retract` when one stops being true",
    "ttl": "memories do not expire: call `retract` when one stops being true",
    "explain": "results carry their `score`; call `get_memory` for the whole memory",
}
# Recall builds a session's context within a token budget; a search-like call belongs to
# `search`, which the older server's `recall` was.
RECALL_SEARCH_ARGS = frozenset({"limit", "k", "min_score"})


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def checked_arguments(tool: str, arguments: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """`arguments` with aliases renamed; ToolError naming each argument the tool lacks."""
    aliases = ALIASES.get(tool, {})
    renamed: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in arguments.items():
        target = aliases.get(name, name)
        if target in renamed:
            problems.append(f"{name!r} and {target!r} are the same argument: send only {target!r}")
        elif target in known:
            renamed[target] = value
        else:
            problems.append(_unknown(tool, name, known))
    if problems:
        accepted = ", ".join(sorted(known))
        raise ToolError(f"{tool}: " + "; ".join(problems) + f". Its arguments: {accepted}.")
    return renamed


def _unknown(tool: str, name: str, known: set[str]) -> str:
    if tool == "recall" and name in RECALL_SEARCH_ARGS:
        return (
            f"recall takes no {name!r}: it returns the session's context within "
            "budget_tokens; to get ranked results with a limit or a floor, call "
            "search(query, k=..., min_score=...)"
        )
    if name in REFUSED:
        return f"no argument {name!r}: {REFUSED[name]}"
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"no argument {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def readable(tool: str, exc: ValidationError) -> ToolError:
    """A refused value named by its argument, with what the schema expects."""
    parts = [
        f"{_where(e['loc']) or 'arguments'}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors()[:5]
    ]
    return ToolError(f"{tool}: " + "; ".join(parts))


class StrictServer(MCPServer):
    """An MCP server whose tools refuse arguments they do not know, saying what to send."""

    def close_schemas(self) -> None:
        """Tell clients, in each tool's JSON schema, that no other argument is accepted."""
        for tool in self._tool_manager.list_tools():
            tool.parameters["additionalProperties"] = False

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        """Check and rename the arguments, then call the tool."""
        tool = self._tool_manager.get_tool(name)
        if tool is not None:
            known = set(tool.parameters.get("properties", {}))
            arguments = checked_arguments(name, arguments, known)
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise readable(name, exc.__cause__) from exc
            raise

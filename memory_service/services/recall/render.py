"""Recall's markdown: one bullet per memory, section headings, and where the project stands."""

from __future__ import annotations

from memory_service.models import Memory
from memory_service.services.history.standing import Standing

SNIPPET = 400
SECTION_TITLES = {
    "handoffs": "Open handoffs to you",
    "references": "Referenced by your handoffs",
    "decisions": "Current decisions",
    "deliverables": "Deliverables for you",
    "relevant": "Relevant memories",
}


def snip(text: str | None, limit: int = SNIPPET) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_item(section: str, m: Memory) -> str:
    """One memory as a markdown bullet, compact enough for a context window."""
    head = f"- **{m.title}** (`{m.id}`"
    body = "" if m.content.strip() == m.title else f": {snip(m.content)}"
    if section == "handoffs":
        lines = [f"{head}, from {m.agent}, {m.status}){body}"]
        for label, items in (
            ("Completed", m.completed),
            ("Pending", m.pending),
            ("Risks", m.risks),
            ("Refs", m.refs),
        ):
            if items:
                lines.append(f"  - {label}: " + "; ".join(snip(i, 200) for i in items))
        return "\n".join(lines)
    if section == "decisions" or (section == "references" and m.kind == "decision"):
        topic = f", {m.topic}" if m.topic else ""
        text = f"{head}{topic}, {m.status}){body}"
        return text + (f"\n  - Why: {snip(m.reasoning, 300)}" if m.reasoning else "")
    return f"{head}, {m.kind} by {m.agent}){body}"


def header(agent: str, project: str, now: Standing) -> str:
    """The title line and the project's standing: last known-good, last rollback, changes."""
    text = f"# Session context for {agent} on {project}\n\n"
    checkpoint, rollback = now.checkpoint, now.rollback
    if checkpoint is None:
        text += "No known-good checkpoint yet.\n"
    else:
        text += (
            f"Last known-good: **{checkpoint.label}** (`{checkpoint.id}`, by {checkpoint.agent}, "
            f"{checkpoint.created_at:%Y-%m-%d %H:%M} UTC)"
            + (f"; {now.changes} changes since.\n" if rollback is None else ".\n")
        )
    if rollback is not None:
        why = f": {snip(rollback.reason, 300)}" if rollback.reason else ""
        text += (
            f"Last rollback: to `{rollback.target}` by {rollback.actor}, "
            f"{rollback.created_at:%Y-%m-%d %H:%M} UTC{why}; {now.changes} changes since.\n"
        )
    return text


def markdown(head: str, blocks: dict[str, list[str]], omitted: int, budget: int) -> str:
    """The whole text: header, the non-empty sections in order, and what was left out."""
    text = head + "".join(
        f"\n## {SECTION_TITLES[n]}\n" + "\n".join(b) + "\n" for n, b in blocks.items() if b
    )
    if omitted:
        text += f"\n_{omitted} more memories left out to fit {budget} tokens._\n"
    return text

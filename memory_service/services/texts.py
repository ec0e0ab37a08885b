"""What a memory is titled and embedded as: one definition for the write path, the index
and the early embedding of a remember (services/indexing/early_embedding.py)."""

from __future__ import annotations

from memory_service.models import Memory
from memory_service.services.sessions import CONTEXT_CHARS


def default_title(content: str) -> str:
    first = content.strip().splitlines()[0].strip()
    return first if len(first) <= 120 else first[:117].rstrip() + "..."


def title_for(title: str | None, content: str) -> str:
    """The given title, or the content's first line when none is given."""
    return (title or "").strip() or default_title(content)


def compose(title: str, content: str, reasoning: str | None, previous: str | None) -> str:
    """Title (when not just the first line), body, reasoning, and the start of the memory
    before it in its session (`previous`, its content; see services/sessions.py)."""
    parts = []
    if not content.lstrip().startswith(title.rstrip(".")):
        parts.append(title)
    parts.append(content)
    if reasoning:
        parts.append(f"Reasoning: {reasoning}")
    if previous is not None:
        # After the memory's own text, so the model's length limit cuts the context first.
        parts.append(previous[:CONTEXT_CHARS])
    return "\n".join(parts)


def embedding_text(memory: Memory, previous: Memory | None = None) -> str:
    """The text the vector index embeds for `memory`, written after `previous`."""
    return compose(
        memory.title,
        memory.content,
        memory.reasoning,
        previous.content if previous is not None else None,
    )

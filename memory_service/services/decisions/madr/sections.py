"""A decision file cut into its parts: Markdown sections by heading, bullet items with their
continuation lines, and the notes between them. Knows Markdown, not ADR fields (`parse`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from memory_service.services.decisions.madr.record import clean_text

BULLET_RE = re.compile(r"^[*+-] (.*)$")
MARKDOWN = MarkdownIt("commonmark")


@dataclass
class Item:
    text: str
    raw: list[str]


def scan_items(text: str) -> list[Item | str]:
    """Top-level bullet items (continuation lines de-indented) and the other lines, in order."""
    lines = text.split("\n")
    out: list[Item | str] = []
    i = 0
    while i < len(lines):
        match = BULLET_RE.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        body, raw = [match.group(1)], [lines[i]]
        i += 1
        while i < len(lines):
            line = lines[i]
            if line.startswith("  "):
                body.append(line[2:])
            elif not line.strip() and i + 1 < len(lines) and lines[i + 1].startswith("  "):
                body.append("")
            else:
                break
            raw.append(line)
            i += 1
        out.append(Item("\n".join(body), raw))
    return out


def sorted_items(
    text: str | None, prefixes: tuple[str, str]
) -> tuple[str | None, list[str], list[str]]:
    """Free text, then items starting with the first and second prefix (prefix removed)."""
    other: list[str] = []
    first: list[str] = []
    second: list[str] = []
    for part in scan_items(text or ""):
        if isinstance(part, str):
            other.append(part)
        elif part.text.startswith(prefixes[0]):
            first.append(part.text[len(prefixes[0]) :])
        elif part.text.startswith(prefixes[1]):
            second.append(part.text[len(prefixes[1]) :])
        else:
            other.extend(part.raw)
    return (
        note_text(other),
        [t for t in map(clean_text, first) if t],
        [t for t in map(clean_text, second) if t],
    )


def note_text(lines: list[str]) -> str | None:
    """Free text gathered around list items, with runs of blank lines made one."""
    return clean_text(re.sub(r"\n\s*\n(\s*\n)+", "\n\n", "\n".join(lines)))


def section_key(name: str) -> str:
    return " ".join(name.lower().split())


def split_sections(text: str, level: int, known: frozenset[str] | None) -> list[tuple[str, str]]:
    """Cut `text` at its top-level headings of `level` (only `known` names, when given).

    Other headings stay in the text of the part before them, so nothing is dropped.
    """
    lines = text.split("\n")
    tokens = MARKDOWN.parse(text)
    cuts = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.tag == f"h{level}":
            name = tokens[i + 1].content
            if token.map and (known is None or section_key(name) in known):
                cuts.append((token.map[0], token.map[1], name))
    parts = []
    start, name = 0, ""
    for begin, end, cut_name in cuts:
        parts.append((name, "\n".join(lines[start:begin])))
        start, name = end, cut_name
    parts.append((name, "\n".join(lines[start:])))
    return parts


H2 = frozenset(
    {
        "status",
        "context",
        "context and problem statement",
        "decision drivers",
        "considered options",
        "decision",
        "decision outcome",
        "consequences",
        "pros and cons of the options",
        "more information",
    }
)
OUTCOME_H3 = frozenset(
    {"consequences", "confirmation", "positive consequences", "negative consequences"}
)

"""An ADR as its file shows it, and the small text rules both directions share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

FILE_RE = re.compile(r"^(?P<number>\d{1,6})-(?P<slug>[^/\\]+)\.md$")
GOOD, BAD = "Good, because ", "Bad, because "


class AdrFormatError(ValueError):
    """A file that cannot be read as an ADR; the message says what to fix."""


@dataclass
class AdrOption:
    name: str
    description: str | None = None
    pros: list[str] = field(default_factory=list)
    cons: list[str] = field(default_factory=list)


@dataclass
class AdrLink:
    """A supersession link: the file it names, its number, and the memory id once known."""

    file: str | None = None
    number: int | None = None
    memory_id: str | None = None


@dataclass
class AdrRecord:
    """A decision exactly as its ADR file shows it."""

    number: int
    slug: str
    title: str
    status: str = "accepted"
    date: date | None = None
    content: str | None = None
    decision_makers: list[str] = field(default_factory=list)
    consulted: list[str] = field(default_factory=list)
    informed: list[str] = field(default_factory=list)
    agent: str | None = None
    tags: list[str] = field(default_factory=list)
    topic: str | None = None
    memory_id: str | None = None
    context: str | None = None
    drivers: str | None = None
    options_note: str | None = None
    options: list[AdrOption] = field(default_factory=list)
    outcome: str | None = None
    reasoning: str | None = None
    # Where a hand-wrapped `Chosen option` line breaks: "before" `because`, "after" it, or
    # None (one line); kept so that wrapped files stay as their authors wrote them.
    because_break: str | None = None
    consequences_note: str | None = None
    good: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    confirmation: str | None = None
    more_information: str | None = None
    supersedes: AdrLink | None = None
    superseded_by: AdrLink | None = None

    @property
    def file_name(self) -> str:
        return file_name(self.number, self.slug)


def file_name(number: int, slug: str) -> str:
    return f"{number:04d}-{slug}.md"


def slugify(text: str, *, limit: int = 60) -> str:
    """A file-name slug: lowercase words joined by '-', cut at a word boundary."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug or "decision"


def agent_from_makers(makers: list[str]) -> str | None:
    """The author an import assumes when a file names none: its first decision maker."""
    if not makers:
        return None
    slug = re.sub(r"[^a-z0-9._-]+", "-", makers[0].lower()).strip("-._")[:64].strip("-._")
    return slug or None


def clean_text(text: str | None) -> str | None:
    """Prose as a file holds it: LF line ends, no blank lines or trailing space at either end."""
    if text is None:
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    out = "\n".join(lines).rstrip()
    return out or None


def heading(name: str) -> str:
    """A title or option name on one line, as a heading holds it."""
    return " ".join(name.split())


def is_adr_file(name: str) -> bool:
    """Whether a file name is an ADR's (`NNNN-slug.md`); index and template files are not."""
    return FILE_RE.match(name) is not None

"""Short texts of a decision for lists: inline Markdown, a line of a log row, and the
excerpt of a search result with the query's words highlighted.

Everything returned is safe HTML: text is escaped by markdown-it (raw HTML off), and a
highlight only wraps whole words of already-escaped text in <mark>.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from memory_service.models import Memory

# Titles and option names are one line: code spans and emphasis, nothing that makes links,
# blocks or HTML.
_inline = MarkdownIt("zero", {"html": False}).enable(["backticks", "emphasis"])
_MARKS = frozenset("`*_")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A tag or an entity of escaped HTML: never highlighted inside.
_MARKUP = re.compile(r"(<[^>]*>|&#?\w+;)")
LINE_CHARS = 180
WORDS_BEFORE = 12
WORDS_AFTER = 28
# Where a search result's matching words are looked for, in the order a reader weighs them.
EXCERPT_FIELDS = (
    ("content", "Decision"),
    ("reasoning", "Because"),
    ("context", "Context"),
    ("outcome", "Chosen"),
)


@dataclass(frozen=True)
class Excerpt:
    """A few words of one field of a result, its label, and whether a query word is in it."""

    label: str
    html: Markup
    matched: bool
    by_meaning: bool = False


def inline(text: object) -> Markup:
    """One line of Markdown (`code`, *emphasis*) as safe HTML; anything else stays text."""
    source = text if isinstance(text, str) else "" if text is None else str(text)
    if not _MARKS.intersection(source):
        return Markup(escape(source))  # nothing to render: skip the parser
    return Markup(_inline.renderInline(source))  # noqa: S704 - markdown-it escaped it


def same_word(word: str, term: str) -> bool:
    """Whether a word of the text is a query term or a form of it ("orders" for "order").

    The keyword index stems words (Porter); a shared stem of four letters or more, with
    endings of a few letters at most, is close enough to show where a match came from."""
    if word == term:
        return True
    shared = len(os.path.commonprefix([word, term]))
    return (
        shared >= 4 and shared >= min(len(word), len(term)) - 2 and abs(len(word) - len(term)) <= 3
    )


def _hits(text: str, terms: list[str]) -> int:
    """How many words of the text match a query term."""
    return sum(1 for w in _WORD.findall(text) if any(same_word(w.lower(), t) for t in terms))


def highlight(html: Markup, terms: list[str]) -> Markup:
    """Safe HTML with each word that matches a query term wrapped in <mark>."""
    if not terms:
        return html

    def mark(found: re.Match[str]) -> str:
        """The word, in <mark> when it matches a term."""
        word = found.group(0)
        return f"<mark>{word}</mark>" if any(same_word(word.lower(), t) for t in terms) else word

    parts = _MARKUP.split(str(html))
    out = [p if i % 2 else _WORD.sub(mark, p) for i, p in enumerate(parts)]
    return Markup("".join(out))  # noqa: S704 - only whole words of escaped text were wrapped


def _named(memory: Memory, terms: list[str]) -> bool:
    """Whether a query word is in the title, topic or tags (the keyword index has them too);
    without one there and none in the text, the result was found by meaning alone."""
    named = " ".join([memory.title, memory.topic or "", *memory.tags])
    return _hits(named, terms) > 0


def _one_line(text: str) -> str:
    """The text with its line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


def _clip(text: str, limit: int = LINE_CHARS) -> str:
    """The text on one line, cut at a word before `limit` characters."""
    line = _one_line(text)
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0] + " …"


def log_lines(memory: Memory) -> tuple[Markup | None, Markup | None]:
    """A log row's line of the decision (unless it only repeats the title) and of its
    reasoning, each clipped to one line."""
    content = memory.content.strip()
    said = inline(_clip(content)) if content and content != memory.title.strip() else None
    why = inline(_clip(memory.reasoning)) if memory.reasoning else None
    return said, why


def _window(text: str, terms: list[str]) -> str:
    """The words around the first matching word, with "…" where the text was cut."""
    words = _one_line(text).split(" ")
    first = next(
        (i for i, w in enumerate(words) if _hits(w, terms)),
        0,
    )
    start = max(0, first - WORDS_BEFORE)
    end = min(len(words), first + WORDS_AFTER)
    clipped = " ".join(words[start:end])
    return ("… " if start else "") + clipped + (" …" if end < len(words) else "")


def excerpt(memory: Memory, terms: list[str]) -> Excerpt:
    """The field of a search result with most of the query's words, a few words around the
    first, highlighted; the decision's first line when only its meaning matched."""
    fields = [(label, getattr(memory, key) or "") for key, label in EXCERPT_FIELDS]
    fields = [(label, text) for label, text in fields if text.strip()]
    if not fields:
        return Excerpt("Decision", Markup(""), False, by_meaning=not _named(memory, terms))
    scored = [(_hits(text, terms), n, label, text) for n, (label, text) in enumerate(fields)]
    hits, _, label, text = max(scored, key=lambda s: (s[0], -s[1]))
    if not hits:
        label, text = fields[0]
        return Excerpt(label, inline(_clip(text)), False, by_meaning=not _named(memory, terms))
    return Excerpt(label, highlight(inline(_window(text, terms)), terms), True)

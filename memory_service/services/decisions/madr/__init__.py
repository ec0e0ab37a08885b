"""The ADR file format: render a decision as a MADR 4 file, read MADR 4, Nygard and adr-tools back.

`render` writes the canonical form described in ADR 0040; `parse(name, render(record))` gives
the record back, which is what makes export -> import -> export byte-identical. Parsing is
lenient about everything else people write (Nygard's `## Status`/`## Decision`, adr-tools'
`# 1. Title` and `Date:` lines, MADR 2/3 consequence headings): such files import, and their
next export is canonical. This module is pure text: no store, no ids beyond what a file says.
"""

from memory_service.services.decisions.madr.parse import parse
from memory_service.services.decisions.madr.record import (
    AdrFormatError,
    AdrLink,
    AdrOption,
    AdrRecord,
    agent_from_makers,
    clean_text,
    file_name,
    heading,
    is_adr_file,
    slugify,
)
from memory_service.services.decisions.madr.render import render, render_index

__all__ = [
    "AdrFormatError",
    "AdrLink",
    "AdrOption",
    "AdrRecord",
    "agent_from_makers",
    "clean_text",
    "file_name",
    "heading",
    "is_adr_file",
    "parse",
    "render",
    "render_index",
    "slugify",
]

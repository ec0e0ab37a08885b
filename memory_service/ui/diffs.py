"""What changed between two versions of a memory: field by field, word by word.

The word-level comparison is diff-match-patch's (decisions/0070): each word, mark and run of
spaces is coded as one character, diffed, cleaned up for people to read, and decoded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from diff_match_patch import diff_match_patch

# The fields of a version, in reading order, as the diff between versions shows them.
VERSION_FIELDS = (
    ("title", "Title"),
    ("status", "Status"),
    ("topic", "Topic"),
    ("tags", "Tags"),
    ("agent", "Agent"),
    ("decision_makers", "Decision makers"),
    ("occurred_at", "Date"),
    ("content", "Content"),
    ("context", "Context"),
    ("options", "Considered options"),
    ("outcome", "Outcome"),
    ("reasoning", "Reasoning"),
    ("consequences", "Consequences"),
    ("completed", "Completed"),
    ("pending", "Pending"),
    ("risks", "Risks"),
    ("for_agents", "For"),
    ("refs", "Refs"),
    ("supersedes", "Supersedes"),
    ("superseded_by", "Superseded by"),
)
ID_FIELDS = frozenset({"supersedes", "superseded_by", "refs"})
HIDDEN_FIELDS = frozenset({"content_hash"})
_TOKEN = re.compile(r"\s+|[^\W_]+|\S", re.UNICODE)
# Tokens are coded above the Basic Multilingual Plane: no surrogates, a million of them.
_FIRST_CODE = 0x10000


@dataclass(frozen=True)
class Piece:
    """A run of words kept ("same"), added ("add") or removed ("del")."""

    kind: str
    text: str

    @property
    def parts(self) -> tuple[str, str, str]:
        """The run as leading spaces, the words, trailing spaces: a highlight covers only
        the words, so a line break that moved with them does not mark the next line."""
        core = self.text.strip()
        if not core:
            return "", self.text, ""
        start = self.text.index(core)
        return self.text[:start], core, self.text[start + len(core) :]


@dataclass
class FieldDiff:
    """One changed field: its words compared, or for a link field the ids before and after."""

    name: str
    label: str
    pieces: list[Piece] = field(default_factory=list)
    ids_before: list[str] = field(default_factory=list)
    ids_after: list[str] = field(default_factory=list)

    @property
    def links(self) -> bool:
        """Whether the field names other memories (shown as links by their titles)."""
        return self.name in ID_FIELDS


def words_diff(before: str, after: str) -> list[Piece]:
    """The word-level difference of two texts, as runs kept, added and removed."""
    codes: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        """The text with each token as its one-character code."""
        out = []
        for token in _TOKEN.findall(text):
            if token not in codes:
                codes[token] = chr(_FIRST_CODE + len(tokens))
                tokens.append(token)
            out.append(codes[token])
        return "".join(out)

    engine = diff_match_patch()
    diffs = engine.diff_main(encode(before), encode(after), checklines=False)
    engine.diff_cleanupSemantic(diffs)
    kinds = {0: "same", 1: "add", -1: "del"}
    decoded = ["".join(tokens[ord(c) - _FIRST_CODE] for c in text) for _, text in diffs]
    return [Piece(kinds[op], text) for (op, _), text in zip(diffs, decoded, strict=True) if text]


def _option_lines(options: list[Any]) -> list[str]:
    """Considered options as lines: each name, then its pros and cons."""
    # Pros and cons say so in words: "+" and "-" would read as diff marks.
    out = []
    for item in options:
        if not isinstance(item, dict):
            out.append(str(item))
            continue
        name = str(item.get("name", ""))
        described = f"{name}: {item['description']}" if item.get("description") else name
        out.append(described)
        out += [f"    Pro: {p}" for p in item.get("pros") or []]
        out += [f"    Con: {c}" for c in item.get("cons") or []]
    return out


def field_lines(value: Any) -> list[str]:
    """A field's value as lines of text (options and consequences spelled out)."""
    if value in (None, "", [], {}):
        return []
    if isinstance(value, str):
        return value.splitlines() or [""]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [", ".join(value)]
    if isinstance(value, list):
        return _option_lines(value)
    if isinstance(value, dict):
        names = {"good": "Good", "bad": "Bad"}
        return [
            f"{names.get(k, k)}: {v}"
            for k, items in value.items()
            for v in (items if isinstance(items, list) else [items])
        ]
    return [json.dumps(value, default=str)]


def _ids(value: Any) -> list[str]:
    """A link field's value (one id, a list of them, or none) as a list."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value else []


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[FieldDiff]:
    """The fields that differ between two version snapshots, in reading order."""
    out = []
    for name, label in VERSION_FIELDS:
        old, new = before.get(name), after.get(name)
        if old == new or (not old and not new):
            continue
        if name in ID_FIELDS:
            out.append(FieldDiff(name, label, ids_before=_ids(old), ids_after=_ids(new)))
            continue
        pieces = words_diff("\n".join(field_lines(old)), "\n".join(field_lines(new)))
        out.append(FieldDiff(name, label, pieces=pieces))
    return out


def change_diff(name: str, before: Any, after: Any, titles: dict[str, str]) -> list[Piece]:
    """One field of a rollback's planned change, word by word; memory ids by their titles."""

    def text(value: Any) -> str:
        """The field's value as the text compared."""
        if name in ID_FIELDS:
            return ", ".join(titles.get(i, i) for i in _ids(value))
        return "\n".join(field_lines(value))

    return words_diff(text(before), text(after))


def shown_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields a reviewer reads (internal bookkeeping such as hashes left out)."""
    return {k: v for k, v in fields.items() if k not in HIDDEN_FIELDS}


def linked_ids(changes: list[Any]) -> list[str]:
    """Memory ids named by the id fields of planned changes (to look their titles up)."""
    ids: list[str] = []
    for change in changes:
        for name, values in change.fields.items():
            if name in ID_FIELDS:
                ids += _ids(values.before) + _ids(values.after)
    return list(dict.fromkeys(ids))


@dataclass
class Comparison:
    """The two versions a page compares, what changed between them, or why it cannot."""

    versions: list[int]
    from_v: int | None = None
    to_v: int | None = None
    fields: list[FieldDiff] = field(default_factory=list)
    problem: str | None = None


def choose(
    snapshots: dict[int, dict[str, Any]], asked_from: int | None, asked_to: int | None
) -> Comparison:
    """Compare the versions asked for (by default the newest with the one before it); a
    version that does not exist is named, never silently replaced by another."""
    versions = sorted(snapshots)
    if len(versions) < 2:
        return Comparison(versions)
    span = f"v{versions[0]} to v{versions[-1]}"
    missing = [v for v in (asked_from, asked_to) if v is not None and v not in snapshots]
    if missing:
        problem = f"There is no v{missing[0]}: its versions are {span}. Pick two of them."
        return Comparison(versions, asked_from, asked_to, problem=problem)
    to_v = versions[-1] if asked_to is None else asked_to
    earlier = [v for v in versions if v < to_v]
    from_v = asked_from if asked_from is not None else earlier[-1] if earlier else to_v
    if from_v == to_v:
        problem = f"v{to_v} compared with itself shows nothing: pick two different versions."
        return Comparison(versions, from_v, to_v, problem=problem)
    return Comparison(versions, from_v, to_v, compare(snapshots[from_v], snapshots[to_v]))


def compared_ids(comparison: Comparison) -> list[str]:
    """The memory ids the compared link fields name (to show them by title)."""
    ids = [i for f in comparison.fields for i in f.ids_before + f.ids_after]
    return list(dict.fromkeys(ids))

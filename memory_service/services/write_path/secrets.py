"""Secrets kept out of the store: every text field, tags and topic included, is scanned
(secret_scan) before it is written, then the secret is replaced by a marker (`redact`) or
the request is refused naming the field and the kind of secret, never the secret (`reject`).

Identity fields (project, agent, ids ...) are names the caller chooses and are not scanned.
A request scans at most its budget of characters (MEMORY_MAX_SCAN_CHARS), so its cost is
bounded whatever it holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from memory_service.errors import ScanBudgetExceeded, SecretRejected
from memory_service.services.write_path import secret_rules
from memory_service.services.write_path.secret_scan import (
    Span,
    Work,
    detectors,
    find_secrets,
    find_slug_secrets,
)

__all__ = ["ScanBudget", "detectors", "find_secrets", "redact", "redact_slug", "scrub"]

T = TypeVar("T")

# Ids, enums, times and the names of agents and projects: never free text.
SKIP = frozenset(
    {
        "project", "agent", "kind", "status", "supersedes", "on_conflict", "refs",
        "for_agents", "decision_makers", "from_agent", "to_agent", "actor", "occurred_at",
        "format",
    }
)  # fmt: skip
# Slugs a caller may paste a token into: scanned case-blind, replaced by a slug marker.
SLUGS = frozenset({"tags", "topic"})
NAMED_BY_KEY = "Secret Keyword"


class ScanBudget:
    """The characters one request may have scanned, spent by every text it holds."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0

    def spend(self, text: str, path: str) -> None:
        """Count `text` against the budget; refuse the request once it is over."""
        self.spent += len(text)
        if self.spent > self.limit:
            raise ScanBudgetExceeded(
                f"the request holds more than {self.limit} characters of text to scan for "
                f"secrets (MEMORY_MAX_SCAN_CHARS; over it at {path or 'the body'}): send fewer "
                "or smaller memories per request, e.g. split the batch in several",
                field=path,
                limit=self.limit,
            )


def _replace(text: str, spans: list[Span], marker: Callable[[str], str]) -> str:
    """`text` with each span replaced by its kind's marker, joined once (linear)."""
    pieces, last = [], 0
    for start, end, kind in spans:
        pieces += [text[last:start], marker(kind)]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def redact(text: str, work: Work | None = None) -> tuple[str, list[str]]:
    """`text` with each secret replaced by `[REDACTED:<kind>]`, and the kinds replaced."""
    spans = find_secrets(text, work)
    return _replace(text, spans, lambda kind: f"[REDACTED:{kind}]"), [k for _, _, k in spans]


def slug_marker(kind: str) -> str:
    """The tag or topic that stands for a secret of `kind`: a valid slug naming the kind."""
    return "redacted-" + re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")


def redact_slug(slug: str) -> tuple[str, list[str]]:
    """A tag or topic holding a secret replaced whole by its slug marker, and the kinds."""
    kinds = [kind for _, _, kind in find_slug_secrets(slug)]
    return (slug_marker(kinds[0]) if kinds else slug), kinds


def _refuse(path: str, kind: str) -> SecretRejected:
    """The refusal of a request whose `path` holds a secret of `kind`."""
    return SecretRejected(
        f"{path} holds a secret ({kind}): remove it and store where the secret is kept "
        "instead (e.g. the name of its vault entry); secrets are never stored",
        field=path,
        kind=kind,
    )


def _names_secret(key: object, value: object) -> bool:
    """A metadata entry such as {"db_password": "..."}: its key says the value is a secret."""
    return (
        isinstance(key, str)
        and isinstance(value, str)
        and bool(value.strip())
        and secret_rules.KEY_NAMES_SECRET.fullmatch(key[:80]) is not None
        and secret_rules.PLACEHOLDER.fullmatch(value[:512]) is None
        and secret_rules.MARKER_RE.fullmatch(value) is None
    )


def _walker(policy: str, budget: ScanBudget | None) -> Callable[[Any, str], Any]:
    """A function cleaning a value and everything in it, naming each text by its path."""

    def clean(text: str, path: str, scan: Callable[[str], tuple[str, list[str]]]) -> str:
        """`text` redacted by `scan`, refused under `reject`, spent from the budget."""
        if budget is not None:
            budget.spend(text, path)
        cleaned, kinds = scan(text)
        if kinds and policy == "reject":
            raise _refuse(path, kinds[0])
        return cleaned

    def named_by_key(text: str) -> tuple[str, list[str]]:
        """The whole value of an entry whose key names a secret, as one secret."""
        return f"[REDACTED:{NAMED_BY_KEY}]", [NAMED_BY_KEY]

    def walk_slugs(value: Any, path: str) -> Any:
        """A topic or a list of tags, each holding a secret replaced by its slug marker."""
        if isinstance(value, str):
            return clean(value, path, redact_slug)
        if isinstance(value, list):
            items = [clean(v, f"{path}.{i}", redact_slug) for i, v in enumerate(value)]
            # Two tags may become the same marker; tags stay unique.
            return list(dict.fromkeys(items)) if items != value else value
        return value

    def walk(value: Any, path: str) -> Any:
        """`value` with its texts cleaned, the same object when nothing changed."""
        if isinstance(value, str):
            return clean(value, path, redact)
        if isinstance(value, BaseModel):
            changes = {}
            for name in type(value).model_fields:
                if name in SKIP:
                    continue
                old = getattr(value, name)
                label = f"{path}.{name}" if path else name
                new = walk_slugs(old, label) if name in SLUGS else walk(old, label)
                if new is not old:
                    changes[name] = new
            return value.model_copy(update=changes) if changes else value
        if isinstance(value, list):
            items = [walk(v, f"{path}.{i}") for i, v in enumerate(value)]
            return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        if isinstance(value, dict):
            out = {}
            for i, (key, item) in enumerate(value.items()):
                new_key = clean(key, f"{path}.<key {i}>", redact) if isinstance(key, str) else key
                label = f"{path}.{key}" if new_key == key else f"{path}.<key {i}>"
                if _names_secret(key, item):
                    out[new_key] = clean(item, label, named_by_key)
                else:
                    out[new_key] = walk(item, label)
            changed = list(out) != list(value) or any(
                out[k] is not v for k, v in zip(out, value.values(), strict=False)
            )
            return out if changed else value
        return value

    return walk


def scrub(value: T, *, policy: str, field: str = "", budget: ScanBudget | None = None) -> T:
    """`value` (a request model, text, list or dict) with its secrets handled by `policy`;
    with a `budget`, the characters scanned are spent from it (one budget per request)."""
    result: T = _walker(policy, budget)(value, field)
    return result

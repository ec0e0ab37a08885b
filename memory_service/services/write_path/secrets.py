"""Secrets kept out of the store: every text field is scanned with detect-secrets' detectors
before it is written, then the secret is replaced by a marker (`redact`) or the request is
refused naming the field and the kind of secret, never the secret (`reject`).

Identity fields (project, agent, ids, tags ...) are slugs and are not scanned. The
entropy-only detectors are left out: they flag commit hashes and ids, which memories hold
all the time; the detectors kept recognise a secret by its shape or its assignment.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
from pydantic import BaseModel

from memory_service.errors import SecretRejected

T = TypeVar("T")

# Slugs, ids, enums and times: never free text.
SKIP = frozenset(
    {
        "project", "agent", "kind", "status", "supersedes", "on_conflict", "refs", "tags",
        "for_agents", "decision_makers", "topic", "from_agent", "to_agent", "actor",
        "occurred_at", "format",
    }
)  # fmt: skip
NOISY = frozenset({"Base64 High Entropy String", "Hex High Entropy String", "Public IP (ipv4)"})
MARKER_RE = re.compile(r"\[REDACTED:[A-Za-z0-9 ()._-]{1,64}\]")
PRIVATE_KEY = "Private Key"
PEM_BLOCK = re.compile(
    r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----.*?"
    r"(?:-----END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|\Z)",
    re.S,
)
# A detector may report only part of a token (a prefix group, a JWT without its
# signature): the redaction grows over the characters tokens are made of.
TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+/=.]")
TOKEN_RUN = re.compile(TOKEN_CHARS.pattern + "+")


class AWSSecretAccessKey(RegexBasedDetector):
    """An AWS secret access key assigned without quotes, as in env files and exports."""

    secret_type = "AWS Secret Access Key"
    denylist = (
        re.compile(
            r"aws.{0,20}?(?:secret|key).{0,20}?[=:]\s*['\"]?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
            re.IGNORECASE,
        ),
    )


@cache
def detectors() -> tuple[BasePlugin, ...]:
    """detect-secrets' detectors by shape or assignment, plus the unquoted AWS secret key."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    found: Mapping[str, type[BasePlugin]] = get_mapping_from_secret_type_to_class()
    # analyze_string only: analyze_line may verify a secret over the network.
    return (*(cls() for kind, cls in sorted(found.items()) if kind not in NOISY),
            AWSSecretAccessKey())  # fmt: skip


class _TokenRuns:
    """The runs of token characters in a text, found once: growing a match to the whole
    token it sits in is then a lookup, not a walk over the run. Walking cost time in the
    length of the run for every match, so a long run of many tokens cost its length squared."""

    def __init__(self, text: str) -> None:
        found = [m.span() for m in TOKEN_RUN.finditer(text)]
        self.starts = [a for a, _ in found]
        self.ends = [b for _, b in found]

    def grow(self, start: int, end: int) -> tuple[int, int]:
        """The span widened to the token characters just before and after it."""
        left = bisect_right(self.starts, start - 1) - 1
        if start > 0 and left >= 0 and self.ends[left] > start - 1:
            start = min(start, self.starts[left])
        right = bisect_right(self.starts, end) - 1
        if right >= 0 and self.ends[right] > end:
            end = self.ends[right]
        return start, end


def find_secrets(text: str) -> list[tuple[int, int, str]]:
    """Spans of `text` that hold a secret, with the kind of each, in order, not overlapping."""
    blocks = [(m.start(), m.end(), PRIVATE_KEY) for m in PEM_BLOCK.finditer(text)]
    spans = list(blocks)
    offset = 0
    runs: _TokenRuns | None = None
    for line in text.splitlines(keepends=True):
        for detector in detectors():
            values = {v for v in detector.analyze_string(line) if v and v.strip()}
            for value in values:
                for match in re.finditer(re.escape(value), line):
                    start, end = offset + match.start(), offset + match.end()
                    if detector.secret_type == PRIVATE_KEY:
                        if any(a <= start < b for a, b, _ in blocks):
                            continue
                        end = len(text)  # a key header without a whole block: all that follows
                    elif len(value) < 8 or value.startswith("eyJ"):
                        runs = runs or _TokenRuns(text)
                        start, end = runs.grow(start, end)
                    spans.append((start, end, detector.secret_type))
        offset += len(line)
    markers = [m.span() for m in MARKER_RE.finditer(text)]
    kept = [s for s in spans if not any(a <= s[0] and s[1] <= b for a, b in markers)]
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(kept):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    return merged


def redact(text: str) -> tuple[str, list[str]]:
    """`text` with each secret replaced by `[REDACTED:<kind>]`, and the kinds replaced."""
    spans = find_secrets(text)
    for start, end, kind in reversed(spans):
        text = f"{text[:start]}[REDACTED:{kind}]{text[end:]}"
    return text, [kind for _, _, kind in spans]


def _refuse(path: str, kind: str) -> SecretRejected:
    return SecretRejected(
        f"{path} holds a secret ({kind}): remove it and store where the secret is kept "
        "instead (e.g. the name of its vault entry); secrets are never stored",
        field=path,
        kind=kind,
    )


def _walker(policy: str) -> Callable[[Any, str], Any]:
    def clean_text(text: str, path: str) -> str:
        cleaned, kinds = redact(text)
        if kinds and policy == "reject":
            raise _refuse(path, kinds[0])
        return cleaned

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, str):
            return clean_text(value, path)
        if isinstance(value, BaseModel):
            changes = {}
            for name in type(value).model_fields:
                if name in SKIP:
                    continue
                old = getattr(value, name)
                new = walk(old, f"{path}.{name}" if path else name)
                if new is not old:
                    changes[name] = new
            return value.model_copy(update=changes) if changes else value
        if isinstance(value, list):
            items = [walk(v, f"{path}.{i}") for i, v in enumerate(value)]
            return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        if isinstance(value, dict):
            out = {}
            for i, (key, item) in enumerate(value.items()):
                new_key = clean_text(key, f"{path}.<key {i}>") if isinstance(key, str) else key
                label = f"{path}.{key}" if new_key == key else f"{path}.<key {i}>"
                out[new_key] = walk(item, label)
            changed = list(out) != list(value) or any(
                out[k] is not v for k, v in zip(out, value.values(), strict=False)
            )
            return out if changed else value
        return value

    return walk


def scrub(value: T, *, policy: str, field: str = "") -> T:
    """`value` (a request model, text, list or dict) with its secrets handled by `policy`."""
    result: T = _walker(policy)(value, field)
    return result

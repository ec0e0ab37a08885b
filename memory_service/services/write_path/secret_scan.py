"""Finding secrets in a text in time linear in its length: our own rules (secret_rules) in
one pass each, PEM blocks and URL passwords by a bounded look at each candidate, and
detect-secrets' vendor detectors over windows of bounded length.

`Work` counts the characters handed to regular expressions and lookups; a scan's cost is
a constant times that count, which the tests hold linear on hostile input.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from detect_secrets.plugins.base import BasePlugin

from memory_service.services.write_path import secret_rules as rules

PRIVATE_KEY = "Private Key"
URL_PASSWORD = "Basic Auth Credentials"
# detect-secrets' kinds that our rules cover (more widely, or whole), and the entropy and
# IP detectors, which flag the commit hashes, ids and addresses memories hold all the time.
NOT_FROM_DETECT_SECRETS = frozenset(
    {
        "AWS Access Key", "Azure Storage Account access key", "Basic Auth Credentials",
        "GitHub Token", "GitLab Token", "JSON Web Token", "NPM tokens", "OpenAI Token",
        "Private Key", "PyPI Token", "SendGrid API Key", "Slack Token", "Stripe Access Key",
        "Twilio API Key", "Secret Keyword", "Base64 High Entropy String",
        "Hex High Entropy String", "Public IP (ipv4)",
    }
)  # fmt: skip
# Their regexes may backtrack over a whole line: each sees windows of WINDOW characters,
# overlapping by OVERLAP, so every secret of up to OVERLAP characters lies inside one.
WINDOW, OVERLAP = 512, 128
TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+/=.]")
TOKEN_RUN = re.compile(TOKEN_CHARS.pattern + "+")
TOKENS = rules.compiled(rules.TOKEN_RULES)
CONTEXT = rules.compiled(rules.CONTEXT_RULES)
# Tags and topics are stored lowercased with '_' turned to '-': read case-blind.
SLUG_TOKENS = rules.compiled(rules.TOKEN_RULES, re.IGNORECASE)
# When spans overlap, the marker names the most specific kind.
SPECIFIC, CONTEXTUAL, VENDOR = 0, 1, 2

Span = tuple[int, int, str]


@dataclass
class Work:
    """Characters handed to regular expressions and lookups during scans."""

    chars: int = 0

    def add(self, count: int) -> None:
        """Count `count` more characters read."""
        self.chars += count


@cache
def detectors() -> tuple[BasePlugin, ...]:
    """detect-secrets' detectors of vendor formats our own rules do not cover."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    found: Mapping[str, type[BasePlugin]] = get_mapping_from_secret_type_to_class()
    # analyze_string only: analyze_line may verify a secret over the network.
    return tuple(
        cls() for kind, cls in sorted(found.items()) if kind not in NOT_FROM_DETECT_SECRETS
    )


class _Runs:
    """The runs of `pattern` in a text, found once: growing a span to the run it touches
    is then a lookup, not a walk (walking cost a run's length for every match in it)."""

    def __init__(self, text: str, pattern: re.Pattern[str], work: Work) -> None:
        work.add(len(text))
        found = [m.span() for m in pattern.finditer(text)]
        self.starts = [a for a, _ in found]
        self.ends = [b for _, b in found]

    def grow(self, start: int, end: int) -> tuple[int, int]:
        """The span widened over the run characters just before and after it."""
        left = bisect_right(self.starts, start - 1) - 1
        if start > 0 and left >= 0 and self.ends[left] > start - 1:
            start = min(start, self.starts[left])
        return start, self.grow_right(end)

    def grow_right(self, end: int) -> int:
        """`end` moved over the run characters that follow it."""
        right = bisect_right(self.starts, end) - 1
        return self.ends[right] if right >= 0 and self.ends[right] > end else end


def _placeholder(value: str, work: Work, *, quoted: bool = True) -> bool:
    """Whether an assigned value stands for a secret kept elsewhere rather than holding one."""
    work.add(len(value))
    rest = rules.MARKER_RE.sub("", value)
    if rest != value and len(rules.LAYOUT.sub("", rest)) < 4:
        return True  # a marker, with at most an escaped line break beside it
    if not quoted and (rules.CODE.match(value) or rules.NAME.fullmatch(value)):
        return True
    return rules.PLACEHOLDER.fullmatch(value) is not None


def _rule_spans(
    text: str, ruleset: tuple[rules.Compiled, ...], work: Work
) -> Iterable[tuple[int, int, str, int]]:
    """What each rule of `ruleset` finds in one pass over `text`, grown to whole tokens."""
    contextual = ruleset is CONTEXT
    grown: _Runs | None = None
    for compiled in ruleset:
        work.add(len(text))
        for match in compiled.regex.finditer(text):
            start, end = compiled.secret_span(match)
            quoted = start > 0 and text[start - 1] in "\"'"
            if contextual and _placeholder(text[start:end], work, quoted=quoted):
                continue
            if compiled.rule.grow:
                grown = grown or _Runs(text, rules.GROW_RUN, work)
                end = grown.grow_right(end)
            yield start, end, compiled.rule.kind, CONTEXTUAL if contextual else SPECIFIC


def _private_keys(text: str, work: Work) -> Iterable[tuple[int, int, str, int]]:
    """Each key header to its END line, or to the end of the text when it has none."""
    work.add(2 * len(text))
    ends = [m.end() for m in rules.PEM_END.finditer(text)]
    covered, index = 0, 0
    for header in rules.PEM_HEADER.finditer(text):
        if header.start() < covered:
            continue
        while index < len(ends) and ends[index] <= header.end():
            index += 1
        covered = ends[index] if index < len(ends) else len(text)
        yield header.start(), covered, PRIVATE_KEY, SPECIFIC


def _last_at(region: str) -> int:
    """Where the last '@' that a host follows stands in `region`, or -1."""
    at = region.rfind("@")
    while at >= 0 and not rules.HOST_START.match(region, at + 1):
        at = region.rfind("@", 0, at)
    return at


def _url_passwords(text: str, work: Work) -> Iterable[tuple[int, int, str, int]]:
    """The password of scheme://user:password@host, which may hold any character: up to
    the last '@' before the host, preferring one before the first '/' or '?'."""
    work.add(len(text))
    for head in rules.URL_USER.finditer(text):
        start = head.end()
        region = text[start : start + rules.URL_REACH]
        work.add(len(region))
        stop = rules.URL_STOP.search(region)
        region = region[: stop.start()] if stop else region
        if rules.URL_PORT.match(region):
            continue  # host:port, no user
        path = min((i for i in (region.find("/"), region.find("?")) if i >= 0), default=-1)
        at = _last_at(region[:path]) if path >= 0 else -1
        at = at if at >= 0 else _last_at(region)
        if at > 0 and not _placeholder(region[:at], work):
            yield start, start + at, URL_PASSWORD, CONTEXTUAL


def _vendor_spans(text: str, work: Work) -> Iterable[tuple[int, int, str, int]]:
    """What detect-secrets' detectors find in the windows of `text`, grown to whole tokens."""
    runs: _Runs | None = None
    step = WINDOW - OVERLAP
    for offset in range(0, max(len(text) - OVERLAP, 1), step):
        window = text[offset : offset + WINDOW]
        if not window.strip():
            continue
        for detector in detectors():
            work.add(len(window))
            for value in {v for v in detector.analyze_string(window) if v and v.strip()}:
                work.add(len(window))
                at = window.find(value)
                while at >= 0:
                    runs = runs or _Runs(text, TOKEN_RUN, work)
                    start, end = runs.grow(offset + at, offset + at + len(value))
                    yield start, end, detector.secret_type, VENDOR
                    at = window.find(value, at + 1)


def _merge(spans: list[tuple[int, int, str, int]], text: str, work: Work) -> list[Span]:
    """Overlapping spans made one, named by the most specific kind among them; spans inside
    a marker left out, so a redacted text is never redacted again."""
    work.add(len(text) + len(spans))
    markers = [m.span() for m in rules.MARKER_RE.finditer(text)]
    marker_starts = [a for a, _ in markers]
    merged: list[tuple[int, int, str, int]] = []
    for start, end, kind, rank in sorted(spans):
        inside = bisect_right(marker_starts, start) - 1
        if inside >= 0 and end <= markers[inside][1]:
            continue
        if merged and start < merged[-1][1]:
            first, last, named, best = merged[-1]
            if rank < best:
                named, best = kind, rank
            merged[-1] = (first, max(last, end), named, best)
        else:
            merged.append((start, end, kind, rank))
    return [(a, b, k) for a, b, k, _ in merged]


def find_secrets(text: str, work: Work | None = None) -> list[Span]:
    """Spans of `text` that hold a secret, with the kind of each, in order, not overlapping."""
    work = work or Work()
    spans = [
        *_rule_spans(text, TOKENS, work),
        *_rule_spans(text, CONTEXT, work),
        *_private_keys(text, work),
        *_url_passwords(text, work),
        *_vendor_spans(text, work),
    ]
    return _merge(spans, text, work)


def find_slug_secrets(slug: str, work: Work | None = None) -> list[Span]:
    """Spans of a tag or topic that hold a token, read as it was before it was lowercased
    and its '_' turned to '-' (both spellings are tried)."""
    work = work or Work()
    spans = [
        *_rule_spans(slug, SLUG_TOKENS, work),
        *_rule_spans(slug.replace("-", "_"), SLUG_TOKENS, work),
    ]
    return _merge(spans, slug, work)

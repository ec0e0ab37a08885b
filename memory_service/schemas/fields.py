"""Validated field types shared by the request models."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ValidationError, WithJsonSchema
from pydantic_core import InitErrorDetails, PydanticCustomError

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9._:/-]{0,63}$")

Kind = Literal["decision", "deliverable", "handoff", "note"]
DECISION_STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
HANDOFF_STATUSES = ("open", "acknowledged", "completed")
STATUSES_BY_KIND: dict[str, tuple[str, ...]] = {
    "decision": DECISION_STATUSES,
    "handoff": HANDOFF_STATUSES,
    "deliverable": ("active",),
    "note": ("active",),
}
DEFAULT_STATUS = {
    "decision": "accepted",
    "handoff": "open",
    "deliverable": "active",
    "note": "active",
}


def check_slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError(
            f"{value!r} is not a slug: use 1-64 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (e.g. 'backend-architect')"
        )
    return value


def normalise_tag(value: str) -> str:
    """Lowercase, with runs of spaces and underscores turned into '-'."""
    if not isinstance(value, str):
        raise ValueError("a tag must be a string")
    tag = re.sub(r"[\s_]+", "-", value.strip().lower())
    if not TAG_RE.match(tag):
        raise ValueError(
            f"tag {value!r} is malformed: use 1-64 letters, digits, '.', ':', '/', '_' or '-', "
            "starting with a letter or digit (e.g. 'api-design')"
        )
    return tag


def _normalise_tags(values: list[str]) -> list[str]:
    if len(values) > 32:
        raise ValueError(f"at most 32 tags are allowed, got {len(values)}")
    return list(dict.fromkeys(normalise_tag(v) for v in values))


def _unique_slugs(values: list[str]) -> list[str]:
    return list(dict.fromkeys(check_slug(v) for v in values))


def _aware(value: datetime) -> datetime:
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:  # a time near year 1 or 9999 whose UTC instant leaves the range
        raise ValueError(
            f"{value.isoformat()} is out of range: give a time in years 1-9999 UTC"
        ) from None


def _topic(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return check_slug(re.sub(r"[\s_]+", "-", value.strip().lower()))


def with_missing_actor(exc: ValidationError, data: Any, field: str) -> ValidationError:
    """`exc`, also naming `field` when the request left it out.

    An acting field (agent, from_agent) may be left out because a token with an agent fills
    it in; a request that fails anyway says it is missing too, so one answer lists all fixes.
    """
    if (
        not isinstance(data, dict)
        or data.get(field)
        or any(e["loc"][:1] == (field,) for e in exc.errors())
    ):
        return exc
    lines: list[InitErrorDetails] = [
        {"type": PydanticCustomError(e["type"], e["msg"]), "loc": e["loc"], "input": e["input"]}
        for e in exc.errors()
    ]
    lines.append(
        {
            "type": PydanticCustomError(
                "missing", "Field required unless the token names an agent"
            ),
            "loc": (field,),
            "input": data,
        }
    )
    return ValidationError.from_exception_data(exc.title, lines)


# The JSON schema states the slug rule too, so clients (and schema-driven fuzzers) can follow
# it; validation stays in check_slug, whose message says how to fix a bad value.
SLUG_SCHEMA = {"type": "string", "pattern": SLUG_RE.pattern, "minLength": 1, "maxLength": 64}
MAX_ITEMS = 100
MAX_ITEM_CHARS = 2000


def _work_items(values: list[str]) -> list[str]:
    """Strip each item and drop empty ones; refuse lists or items too long to be useful."""
    if len(values) > MAX_ITEMS:
        raise ValueError(f"at most {MAX_ITEMS} items are allowed, got {len(values)}")
    items = [v.strip() for v in values if v.strip()]
    for item in items:
        if len(item) > MAX_ITEM_CHARS:
            raise ValueError(
                f"an item is {len(item)} characters, over {MAX_ITEM_CHARS}: keep items short "
                "and put details in a deliverable referenced by refs"
            )
    return items


MAX_METADATA_DEPTH = 16
MAX_METADATA_ITEMS = 1000


def _metadata(value: dict[str, Any]) -> dict[str, Any]:
    """Refuse metadata nested deeper or holding more entries than any use needs: storing,
    snapshotting and rendering it would otherwise recurse or fan out without bound."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_METADATA_DEPTH:
                raise ValueError(
                    f"metadata is nested deeper than {MAX_METADATA_DEPTH} levels: flatten it"
                )
            if len(node) > MAX_METADATA_ITEMS:
                raise ValueError(
                    f"a metadata object or list holds {len(node)} entries, over "
                    f"{MAX_METADATA_ITEMS}: store bulk data in a deliverable's content"
                )
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return value


Slug = Annotated[str, AfterValidator(check_slug), WithJsonSchema(SLUG_SCHEMA)]
Topic = Annotated[str | None, BeforeValidator(_topic)]
Tags = Annotated[list[str], AfterValidator(_normalise_tags)]
SlugList = Annotated[
    list[str],
    AfterValidator(_unique_slugs),
    WithJsonSchema({"type": "array", "items": SLUG_SCHEMA}),
]
UTCTime = Annotated[datetime, AfterValidator(_aware)]
WorkItems = Annotated[list[str], AfterValidator(_work_items)]
Metadata = Annotated[dict[str, Any], AfterValidator(_metadata)]
MemoryId = Annotated[str, AfterValidator(lambda v: v.strip())]

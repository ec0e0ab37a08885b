"""Group commit: the units of work of writers who wait together, in one transaction.

Each unit of work runs in a savepoint of its own, so its error undoes only its own work and
reaches only its caller. Works that carry the same `Joint` key are first tried in one call
(a batch's statements instead of each work's own); if that call fails, each is done alone.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session


@dataclass(frozen=True)
class Joint:
    """How a unit of work can be done together with others of its kind: `together(session,
    payloads)` does the work of each payload and returns one result each, in order, as
    `fn` would have one by one. Works join only when their `key`s are equal."""

    key: Hashable
    together: Callable[[Session, list[Any]], list[Any]]
    payload: Any


@dataclass
class Work:
    """A caller's unit of work, with the caller's context: whichever thread runs it, it
    sees the context variables of the request that asked for it."""

    fn: Callable[[Session], Any]
    context: contextvars.Context
    joint: Joint | None = None


@dataclass
class Outcome:
    result: Any = None
    error: Exception | None = None


def _alone(session: Session, work: Work) -> Outcome:
    try:
        with session.begin_nested():
            return Outcome(result=work.context.run(work.fn, session))
    except Exception as error:  # noqa: BLE001 - raised in its own caller's thread
        return Outcome(error=error)


def _joined(session: Session, works: dict[int, Work]) -> dict[int, Outcome]:
    """The works done in one call of their joint, or none of them if it fails."""
    first = next(iter(works.values()))
    assert first.joint is not None
    payloads = [w.joint.payload for w in works.values() if w.joint is not None]
    try:
        with session.begin_nested():
            results = first.context.run(first.joint.together, session, payloads)
    except Exception:  # noqa: BLE001 - each work is then tried alone, for its own error
        return {}
    return {i: Outcome(result=r) for i, r in zip(works, results, strict=True)}


def commit_together(session: Session, works: list[Work]) -> list[Outcome]:
    """Every work's outcome, in order, done in `session`'s transaction."""
    outcomes: dict[int, Outcome] = {}
    joining: dict[Hashable, list[int]] = {}
    for i, work in enumerate(works):
        if work.joint is not None:
            joining.setdefault(work.joint.key, []).append(i)
    for i, work in enumerate(works):
        if i in outcomes:
            continue
        # Tried together once, at the first member's turn; alone after that.
        members = joining.pop(work.joint.key, []) if work.joint else []
        if len(members) > 1:
            outcomes.update(_joined(session, {j: works[j] for j in members}))
        if i not in outcomes:
            outcomes[i] = _alone(session, work)
    return [outcomes[i] for i in range(len(works))]

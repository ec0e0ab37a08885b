"""Who may do what: the principal behind a request and the rules of its role.

An agent token acts only as its own agent and only in its projects, changes and rolls
back only its own memories; a reviewer also changes decision status and rolls back
anything in its projects; an admin does everything, on every project. With no token in
the store the service runs in open local mode (loopback only): every request is `LOCAL`.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from memory_service.errors import (
    Forbidden,
    InvalidInput,
    MemoryNotFound,
    OpenModeRefused,
    RollbackNotFound,
    Unauthorized,
)
from memory_service.models import ApiToken, Memory, Rollback
from memory_service.schemas.memories import MemoryPublic
from memory_service.store import Store
from memory_service.store.db import Database

ROLES = ("agent", "reviewer", "admin")
EVERY_PROJECT = "*"
CREATE_HINT = "an admin creates one with `memory-service token create --name NAME --role ROLE`"


@dataclass(frozen=True)
class Principal:
    """Who a request speaks for: a token's name, role, agent and projects."""

    name: str | None
    role: str
    agent: str | None = None
    projects: frozenset[str] | None = None  # None: every project
    token_id: str | None = None

    @property
    def identity(self) -> str | None:
        """The slug this principal acts as when a request names no agent or actor."""
        return self.agent or self.name

    def at_least(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    def sees(self, project: str) -> bool:
        return self.projects is None or project in self.projects

    def describe(self) -> str:
        return f"token {self.name!r} ({self.role})" if self.name else "open local mode"


LOCAL = Principal(name=None, role="admin")


def hash_token(token: str) -> str:
    """What the store keeps of a token: tokens are random, so a plain SHA-256 suffices."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _token_statements() -> tuple[Any, Any, Any]:
    # Core statements built once: every request asks one of them (decisions/0029).
    table = ApiToken.__table__  # type: ignore[attr-defined]
    any_token = sa.select(table.c.id).limit(1)
    return (
        any_token,
        any_token.where(table.c.revoked_at.is_(None)),
        select(ApiToken).where(col(ApiToken.token_hash) == sa.bindparam("token_hash")),
    )


_ANY_TOKEN, _ANY_ACTIVE_TOKEN, _TOKEN_BY_HASH = _token_statements()


def has_tokens(db: Database, *, active: bool = False) -> bool:
    """Any token at all (or any not revoked): once one exists, every request needs one."""
    with db.read() as session:
        return session.execute(_ANY_ACTIVE_TOKEN if active else _ANY_TOKEN).first() is not None


def _principal(row: ApiToken) -> Principal:
    everything = EVERY_PROJECT in row.projects or row.role == "admin"
    return Principal(
        name=row.name,
        role=row.role,
        agent=row.agent,
        projects=None if everything else frozenset(row.projects),
        token_id=row.id,
    )


def authenticate(store: Store, authorization: str | None) -> Principal:
    """The principal of an `Authorization` header value; LOCAL in open local mode."""
    if not authorization or not authorization.strip():
        # Open only while no token was ever created, and only on loopback: revoking
        # the last token must not open the service again.
        if is_loopback(store.settings.host) and not has_tokens(store.db):
            return LOCAL
        raise Unauthorized(
            f"this service needs a token: send 'Authorization: Bearer <token>' ({CREATE_HINT})"
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send the token as 'Authorization: Bearer <token>'")
    with store.db.read() as session:
        row = session.exec(_TOKEN_BY_HASH, params={"token_hash": hash_token(token.strip())}).first()
    if row is None:
        raise Unauthorized(f"the token is not known to this service: check it ({CREATE_HINT})")
    if row.revoked_at is not None:
        raise Unauthorized(
            f"token {row.name!r} was revoked: ask an admin for a new one ({CREATE_HINT})"
        )
    return _principal(row)


def open_mode_notice(db: Database, host: str) -> str | None:
    """What to say at start-up without tokens (None with tokens); refused beyond loopback."""
    if has_tokens(db, active=True):
        return None
    if has_tokens(db):
        return (
            f"every token is revoked, so every request is refused until one exists ({CREATE_HINT})"
        )
    if not is_loopback(host):
        raise OpenModeRefused(
            f"no access token exists, so on {host} anyone who reaches the service could read "
            "and change every memory: create an admin token first with `memory-service token "
            "create --name admin --role admin` (and agent tokens with --role agent --agent "
            "SLUG --projects P), or bind to 127.0.0.1 to run in open local mode"
        )
    return (
        f"open local mode: no access token exists, so anyone on this machine may use the "
        f"service on {host} without one; create tokens with `memory-service token create` "
        "to require them"
    )


def named_actor(value: str | None, field: str) -> str:
    """The acting agent `value` names, or InvalidInput: a request must name who acts when
    its token does not."""
    if not value:
        raise InvalidInput(
            f"{field} is required: name the agent (a token created with --agent fills it in)",
            field=field,
        )
    return value


def require_role(principal: Principal, role: str, doing: str) -> None:
    if not principal.at_least(role):
        raise Forbidden(
            f"{doing} needs a {role} token; {principal.describe()} may not",
            needed=role,
            role=principal.role,
        )


def require_project(principal: Principal, project: str) -> None:
    if not principal.sees(project):
        raise Forbidden(
            f"{principal.describe()} may not use project {project!r}; its projects: "
            + ", ".join(sorted(principal.projects or ())),
            project=project,
        )


def visible_projects(principal: Principal) -> tuple[str, ...] | None:
    """The projects a query without a project may cover (None: every project)."""
    return None if principal.projects is None else tuple(sorted(principal.projects))


def act_as(principal: Principal, claimed: str | None, *, field: str) -> str | None:
    """Who acts: the request's `field`, else the token's agent; only admins name another."""
    if principal.role == "admin":
        return claimed or principal.identity
    own = principal.identity
    if claimed is not None and claimed != own:
        raise Forbidden(
            f"{field} is {claimed!r}, but {principal.describe()} acts as {own!r}: leave "
            f"{field} out or set it to {own!r}",
            field=field,
            acts_as=own,
        )
    return own


def check_read(principal: Principal, memory: Memory | MemoryPublic) -> None:
    """A memory of a project the token may not use does not exist for it."""
    if not principal.sees(memory.project):
        raise MemoryNotFound(f"no memory has id {memory.id!r}", id=memory.id)


def check_change(
    principal: Principal, memory: Memory | MemoryPublic, *, status: str | None = None
) -> None:
    """Agents change only their own memories; a decision's status is a reviewer's call."""
    check_read(principal, memory)
    if principal.role != "agent":
        return
    if memory.agent != principal.agent:
        raise Forbidden(
            f"memory {memory.id!r} is by {memory.agent!r}; {principal.describe()} changes "
            "only its own memories (a reviewer may change any)",
            author=memory.agent,
        )
    if status is not None and memory.kind == "decision" and status != memory.status:
        raise Forbidden(
            "changing a decision's status needs a reviewer token; record a new decision "
            "that supersedes it instead",
            needed="reviewer",
        )


def check_supersede(principal: Principal, memory: Memory | MemoryPublic) -> None:
    """Superseding changes the old memory's status: the same right as changing it."""
    check_read(principal, memory)
    if principal.role == "agent" and memory.agent != principal.agent:
        raise Forbidden(
            f"supersedes names {memory.id!r} by {memory.agent!r}; {principal.describe()} "
            "supersedes only its own memories: leave supersedes out and cite it in refs, or "
            "ask a reviewer to supersede it",
            author=memory.agent,
        )


def rollback_scope(principal: Principal, project: str, agent: str | None) -> str | None:
    """The author a rollback is limited to: an agent token rolls back only its own work."""
    require_project(principal, project)
    if principal.at_least("reviewer"):
        return agent
    return act_as(principal, agent, field="agent")


def check_undo(principal: Principal, rollback: Rollback) -> None:
    """Undoing a rollback is rolling back again: the same scope rules apply."""
    if not principal.sees(rollback.project):
        raise RollbackNotFound(f"no rollback has id {rollback.id!r}", id=rollback.id)
    if not principal.at_least("reviewer") and rollback.agent != principal.agent:
        raise Forbidden(
            f"{principal.describe()} may undo only rollbacks of its own memories (scope "
            f"agent={principal.agent!r}); a reviewer may undo any",
            needed="reviewer",
        )

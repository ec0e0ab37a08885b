"""Access tokens: create (shown once, only the hash kept), list and revoke, each audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import col, select
from ulid import ULID

from memory_service.errors import InvalidInput, StateConflict
from memory_service.models import ApiToken, AuditEntry, utcnow
from memory_service.schemas.fields import check_slug
from memory_service.services.access import ui_sessions
from memory_service.services.access.access import EVERY_PROJECT, ROLES, hash_token
from memory_service.store.db import Database

TOKEN_PREFIX = "amt_"  # makes a leaked token easy to recognise and to scan for


@dataclass
class Issued:
    """A new token's record and the token itself, which is never shown again."""

    record: ApiToken
    token: str


def _slug(value: str, what: str) -> str:
    try:
        return check_slug(value)
    except ValueError as exc:
        raise InvalidInput(f"{what}: {exc}") from exc


def _projects(role: str, projects: list[str] | None) -> list[str]:
    if role == "admin":
        if projects and projects != [EVERY_PROJECT]:
            raise InvalidInput("an admin token covers every project: leave --projects out")
        return [EVERY_PROJECT]
    if not projects:
        raise InvalidInput(
            f"a {role} token needs --projects: name them (p1,p2) or pass '*' for every project"
        )
    if EVERY_PROJECT in projects:
        return [EVERY_PROJECT]
    return sorted({_slug(p, "--projects") for p in projects})


def create_token(
    db: Database,
    *,
    name: str,
    role: str,
    agent: str | None,
    projects: list[str] | None,
    actor: str,
) -> Issued:
    """A new token with a role, an agent and projects; the caller shows the token once."""
    name = _slug(name, "--name")
    if role not in ROLES:
        raise InvalidInput(f"--role must be one of {', '.join(ROLES)}, got {role!r}")
    if role == "agent" and not agent:
        raise InvalidInput("an agent token needs --agent: the agent slug it writes as")
    if agent:
        agent = _slug(agent, "--agent")
    scope = _projects(role, projects)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        id=str(ULID()),
        name=name,
        role=role,
        agent=agent,
        projects=scope,
        token_hash=hash_token(token),
    )
    with db.write() as session:
        if session.exec(select(ApiToken.id).where(ApiToken.name == name)).first():
            raise StateConflict(
                f"a token named {name!r} exists already: pick another name (names stay "
                "taken after revocation, so the audit log stays unambiguous)"
            )
        session.add(record)
        session.add(
            AuditEntry(
                actor=actor,
                action="token_created",
                target=name,
                details={"role": role, "agent": agent, "projects": scope},
            )
        )
    return Issued(record, token)


def list_tokens(db: Database) -> list[ApiToken]:
    """Every token, revoked ones included, oldest first."""
    with db.read() as session:
        return list(session.exec(select(ApiToken).order_by(col(ApiToken.created_at))).all())


def revoke_token(db: Database, *, name: str, actor: str) -> ApiToken:
    """Revoke a token by name; its next request is refused and its UI sessions end."""
    with db.write() as session:
        record = session.exec(select(ApiToken).where(ApiToken.name == name)).first()
        if record is None:
            raise InvalidInput(f"no token is named {name!r}: see `memory-service token list`")
        if record.revoked_at is not None:
            return record
        record.revoked_at = utcnow()
        session.add(record)
        ui_sessions.end_for_token(session, token_id=record.id, at=record.revoked_at)
        session.add(AuditEntry(actor=actor, action="token_revoked", target=name))
    return record

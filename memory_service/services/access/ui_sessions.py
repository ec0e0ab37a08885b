"""Web UI sessions: the browser keeps a random session id, the store only its hash.

A session speaks for the token it was opened with until it expires, the person signs out,
or the token is revoked. Resolving a session reads its token in the same query, so a
revoked token's sessions end with it; revoking also marks them ended (`end_for_token`).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from memory_service.errors import Unauthorized
from memory_service.models import ApiToken, UiSession, utcnow
from memory_service.services.access.access import CREATE_HINT, Principal, hash_token

# The role, agent and projects of a token, exactly as `authenticate` reads them.
from memory_service.services.access.access import _principal as principal_of
from memory_service.store.db import Database

SIGN_IN = "sign in again at /ui/signin"
# Built once: every UI page asks it (decisions/0029).
_SESSION_AND_TOKEN = (
    select(UiSession, ApiToken)
    .join(ApiToken, col(ApiToken.id) == col(UiSession.token_id))
    .where(col(UiSession.id_hash) == sa.bindparam("id_hash"))
)


def open_session(
    db: Database, *, token_id: str, lifetime: timedelta, now: datetime | None = None
) -> str:
    """A new session for a token that just signed in; its id goes to the browser only."""
    now = now or utcnow()
    session_id = secrets.token_urlsafe(32)
    with db.write() as session:
        # An expired session can never sign in again: each sign-in sweeps them away.
        session.execute(sa.delete(UiSession).where(col(UiSession.expires_at) <= now))
        session.add(
            UiSession(
                id_hash=hash_token(session_id),
                token_id=token_id,
                created_at=now,
                expires_at=now + lifetime,
            )
        )
    return session_id


def resolve(db: Database, session_id: str, *, now: datetime | None = None) -> Principal:
    """The principal a session id signs in as; Unauthorized once it ended, expired or its
    token was revoked."""
    with db.read() as session:
        found = session.exec(_SESSION_AND_TOKEN, params={"id_hash": hash_token(session_id)})
        row = found.first()
    if row is None:
        raise Unauthorized(f"this browser's UI session is not known here: {SIGN_IN}")
    ui_session, token = row
    if token.revoked_at is not None:
        raise Unauthorized(
            f"token {token.name!r} of this UI session was revoked: sign in with a new one "
            f"at /ui/signin ({CREATE_HINT})"
        )
    if ui_session.ended_at is not None:
        raise Unauthorized(f"this UI session ended when it signed out: {SIGN_IN}")
    if ui_session.expires_at <= (now or utcnow()):
        raise Unauthorized(f"this UI session expired: {SIGN_IN}")
    return principal_of(token)


def end_session(db: Database, session_id: str) -> None:
    """Sign-out: the session id no longer signs in, whoever replays it."""
    with db.write() as session:
        session.execute(
            sa.update(UiSession)
            .where(col(UiSession.id_hash) == hash_token(session_id))
            .where(col(UiSession.ended_at).is_(None))
            .values(ended_at=utcnow())
        )


def end_for_token(session: Session, *, token_id: str, at: datetime) -> None:
    """End every open session of a token, in the caller's transaction (its revocation)."""
    session.execute(
        sa.update(UiSession)
        .where(col(UiSession.token_id) == token_id)
        .where(col(UiSession.ended_at).is_(None))
        .values(ended_at=at)
    )

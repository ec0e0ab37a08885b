"""Web UI sessions live on the server: the cookie holds a random session id (never the
token), which expiry, sign-out and the token's revocation end for good."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from memory_service.models import UiSession, utcnow
from memory_service.services.access import tokens
from memory_service.services.access.access import hash_token
from memory_service.store.db import Database
from memory_service.store.embedding.embedder import Embedder
from tests.security.conftest import OWN, Secured, secured_app, sign_in

PAGE = "/ui"  # the projects page: it needs a session, and no project to exist


def session_of(s: Secured, role: str) -> str:
    """Sign in afresh as `role`; the session cookie's value."""
    s.client.cookies.clear()
    signed = sign_in(s.client, s.tokens[role], PAGE)
    assert signed.status_code == 303, signed.text
    value = s.client.cookies.get("am_session", path="/ui")
    assert value
    return value


def with_cookie(s: Secured, value: str, url: str = PAGE) -> int:
    """The status of a UI page asked by a browser that holds only this session cookie."""
    s.client.cookies.clear()
    return s.client.get(url, headers={"cookie": f"am_session={value}"}).status_code


def db_of(s: Secured) -> Database:
    return s.client.app.state.store.db  # type: ignore[attr-defined,no-any-return]


def test_the_cookie_holds_a_session_id_and_the_store_only_its_hash(secured: Secured) -> None:
    token = secured.tokens["agent"]
    value = session_of(secured, "agent")
    assert value != token and token not in value
    assert with_cookie(secured, value) == 200
    # The token itself no longer opens the UI: a cookie stolen before this change is useless.
    assert with_cookie(secured, token) == 401
    data = secured.settings.data_dir
    for path in data.rglob("*"):
        if path.is_file():
            assert value.encode() not in path.read_bytes(), path
    with db_of(secured).read() as session:
        row = session.exec(select(UiSession).where(UiSession.id_hash == hash_token(value))).one()
    assert row.ended_at is None and row.expires_at > utcnow()


def test_signing_out_ends_the_session_on_the_server(secured: Secured) -> None:
    value = session_of(secured, "reviewer")
    csrf = secured.client.cookies.get("am_csrf", path="/ui") or ""
    out = secured.client.post("/ui/signout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    replayed = secured.client.get(PAGE, headers={"cookie": f"am_session={value}"})
    assert replayed.status_code == 401 and "signed out" in replayed.text


def test_signing_in_again_ends_the_browsers_previous_session(secured: Secured) -> None:
    first = session_of(secured, "agent")
    again = sign_in(secured.client, secured.tokens["agent"], PAGE)
    assert again.status_code == 303
    second = secured.client.cookies.get("am_session", path="/ui")
    assert second and second != first
    assert with_cookie(secured, first) == 401
    assert with_cookie(secured, second) == 200


def test_revoking_the_token_ends_its_sessions(secured: Secured) -> None:
    db = db_of(secured)
    issued = tokens.create_token(
        db, name="revoked-soon", role="reviewer", agent="ron", projects=[OWN], actor="test"
    )
    secured.tokens["soon"] = issued.token
    value = session_of(secured, "soon")
    assert with_cookie(secured, value) == 200
    tokens.revoke_token(db, name="revoked-soon", actor="test")
    refused = secured.client.get(PAGE, headers={"cookie": f"am_session={value}"})
    assert refused.status_code == 401 and "revoked" in refused.text
    with db.read() as session:
        rows = session.exec(select(UiSession).where(UiSession.token_id == issued.record.id))
        assert [row.ended_at is not None for row in rows] == [True]


def test_an_expired_session_is_refused(secured: Secured) -> None:
    value = session_of(secured, "agent")
    assert with_cookie(secured, value) == 200
    with db_of(secured).write() as session:
        session.execute(
            sa.update(UiSession)
            .where(UiSession.id_hash == hash_token(value))  # type: ignore[arg-type]
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    refused = secured.client.get(PAGE, headers={"cookie": f"am_session={value}"})
    assert refused.status_code == 401 and "expired" in refused.text


def test_a_session_lasts_as_long_as_the_setting(tmp_path: Path, embedder: Embedder) -> None:
    for s in secured_app(tmp_path / "data", embedder, ui_session_seconds=600):
        signed = sign_in(s.client, s.tokens["agent"], PAGE)
        assert "Max-Age=600" in signed.headers["set-cookie"]
        value = s.client.cookies.get("am_session", path="/ui") or ""
        with db_of(s).read() as session:
            row = session.exec(
                select(UiSession).where(UiSession.id_hash == hash_token(value))
            ).one()
        assert row.expires_at - row.created_at == timedelta(seconds=600)

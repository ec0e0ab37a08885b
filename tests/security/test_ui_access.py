"""The web UI: sign-in with a token into an HttpOnly, SameSite cookie, CSRF-guarded forms,
security headers, and the same access rules as the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.conftest import FOREIGN, OWN, Secured
from tests.security.conftest import sign_in as sign_in_with


def _seed(s: Secured) -> str:
    """A decision of alice's in each project, a known-good checkpoint, then a change."""
    for project in (OWN, FOREIGN):
        body = {"project": project, "agent": "alice", "kind": "decision", "content": "Use SQLite",
                "reasoning": "Simple.", "topic": "storage"}  # fmt: skip
        s.admin("POST", "/v1/memories", json=body)
        s.admin(
            "POST", f"/v1/projects/{project}/checkpoints", json={"label": "qa", "known_good": True}
        )
    late = {"project": OWN, "agent": "alice", "content": "A change after QA"}
    return s.admin("POST", "/v1/memories", json=late)["id"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def seeded(secured: Secured) -> Secured:
    _seed(secured)
    return secured


def sign_in(s: Secured, role: str) -> Any:
    s.client.cookies.clear()
    return sign_in_with(s.client, s.tokens[role], f"/ui/projects/{OWN}/decisions")


def csrf_of(s: Secured) -> str:
    return s.client.cookies.get("am_csrf", path="/ui") or ""


def test_ui_pages_carry_the_security_headers(seeded: Secured) -> None:
    seeded.client.cookies.clear()
    response = seeded.client.get("/ui/signin")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("am_csrf=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Path=/ui" in cookie
    static = seeded.client.get("/ui/static/ui.css")
    assert static.headers["x-content-type-options"] == "nosniff"


def test_signing_in_keeps_a_session_in_an_httponly_samesite_cookie(seeded: Secured) -> None:
    seeded.client.cookies.clear()
    refused = seeded.client.get(f"/ui/projects/{OWN}/decisions")
    assert refused.status_code == 401 and "/ui/signin?next=" in refused.text
    wrong = seeded.client.post(
        "/ui/signin", data={"token": seeded.tokens["bogus"], "csrf_token": csrf_of(seeded)}
    )
    assert wrong.status_code == 401 and "not known to this service" in wrong.text
    signed = sign_in(seeded, "agent")
    assert signed.status_code == 303
    assert signed.headers["location"] == f"/ui/projects/{OWN}/decisions"
    session = signed.headers["set-cookie"]
    assert session.startswith("am_session=")
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age=28800"):
        assert flag in session
    assert seeded.client.get(f"/ui/projects/{OWN}/decisions").status_code == 200
    foreign = seeded.client.get(f"/ui/projects/{FOREIGN}/decisions")
    assert foreign.status_code == 403 and "may not use project" in foreign.text
    listed = seeded.client.get("/ui").text
    assert f"/ui/projects/{OWN}/" in listed and f"/ui/projects/{FOREIGN}/" not in listed
    # The cookie opens UI pages only: the JSON API stays bearer-only.
    assert seeded.client.get("/v1/projects").status_code == 401
    out = seeded.client.post(
        "/ui/signout", data={"csrf_token": csrf_of(seeded)}, follow_redirects=False
    )
    assert out.status_code == 303 and "am_session=;" in out.headers["set-cookie"]
    assert seeded.client.get(f"/ui/projects/{OWN}/decisions").status_code == 401


def test_a_revoked_tokens_session_ends(seeded: Secured) -> None:
    from memory_service.services.access import tokens

    db = seeded.client.app.state.store.db  # type: ignore[attr-defined]
    issued = tokens.create_token(
        db, name="short-lived", role="reviewer", agent="ron", projects=[OWN], actor="test"
    )
    seeded.tokens["short"] = issued.token
    assert sign_in(seeded, "short").status_code == 303
    assert seeded.client.get(f"/ui/projects/{OWN}/checkpoints").status_code == 200
    tokens.revoke_token(db, name="short-lived", actor="test")
    assert seeded.client.get(f"/ui/projects/{OWN}/checkpoints").status_code == 401


@pytest.mark.parametrize(
    ("csrf", "origin"),
    [(None, None), ("forged", None), ("cookie", "http://evil.example")],
    ids=["no-token", "wrong-token", "foreign-origin"],
)
def test_forged_rollback_forms_are_refused(
    seeded: Secured, csrf: str | None, origin: str | None
) -> None:
    assert sign_in(seeded, "reviewer").status_code == 303
    preview = seeded.client.get(f"/ui/projects/{OWN}/rollback?to=last-known-good").text
    seen = preview.split('name="seen" value="')[1].split('"')[0]
    data = {"to": "last-known-good", "seen": seen, "actor": "rita"}
    if csrf:
        data["csrf_token"] = csrf_of(seeded) if csrf == "cookie" else csrf
    headers = {"Origin": origin} if origin else {}
    forged = seeded.client.post(f"/ui/projects/{OWN}/rollback", data=data, headers=headers)
    assert forged.status_code == 403
    assert seeded.admin("GET", f"/v1/projects/{OWN}/rollbacks") == []  # nothing rolled back


def test_the_ui_applies_the_apis_rules_to_a_signed_in_agent(seeded: Secured) -> None:
    assert sign_in(seeded, "agent").status_code == 303
    preview = seeded.client.get(f"/ui/projects/{OWN}/rollback?to=last-known-good").text
    seen = preview.split('name="seen" value="')[1].split('"')[0]
    csrf = csrf_of(seeded)
    other = seeded.client.post(
        f"/ui/projects/{OWN}/rollback",
        data={"to": "last-known-good", "seen": seen, "agent": "mallory", "csrf_token": csrf},
    )
    assert other.status_code == 403 and "acts as" in other.text
    forged_actor = seeded.client.post(
        f"/ui/projects/{OWN}/rollback",
        data={"to": "last-known-good", "seen": seen, "actor": "rita", "csrf_token": csrf},
    )
    assert forged_actor.status_code == 403
    own = seeded.client.post(
        f"/ui/projects/{OWN}/rollback",
        data={"to": "last-known-good", "seen": seen, "actor": "alice", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert own.status_code == 303, own.text
    done = seeded.admin("GET", f"/v1/projects/{OWN}/rollbacks")
    assert [(r["actor"], r["agent"]) for r in done] == [("alice", "alice")]

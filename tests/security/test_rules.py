"""What the rules mean beyond status codes: scoping, defaults, the audit log, rate limits."""

from __future__ import annotations

from pathlib import Path

from memory_service.store.embedding.embedder import Embedder
from tests.security.conftest import FOREIGN, OWN, Secured, secured_app


def _note(s: Secured, project: str, content: str) -> str:
    body = {"project": project, "agent": "mallory", "content": content}
    return s.admin("POST", "/v1/memories", json=body)["id"]  # type: ignore[no-any-return]


def test_queries_without_a_project_see_only_the_tokens_projects(secured: Secured) -> None:
    mine = _note(secured, OWN, "The invoice totals are rounded half-even.")
    theirs = _note(secured, FOREIGN, "The invoice totals are rounded half-up in the lab.")
    before = secured.admin("GET", f"/v1/memories/{theirs}/history")["versions"][0]["seq"]
    for body in (
        {"query": "invoice totals rounding"},
        {"query": "invoice totals rounding", "mode": "vector"},
        {"query": "invoice totals rounding", "mode": "keyword"},
        {"query": "", "kinds": ["note"]},
        {"query": "invoice totals rounding", "as_of": str(before + 5)},
    ):
        found = secured.call("agent", "POST", "/v1/search", json={**body, "k": 50})
        assert found.status_code == 200, found.text
        ids = {r["memory"]["id"] for r in found.json()["results"]}
        projects = {r["memory"]["project"] for r in found.json()["results"]}
        assert projects == {OWN}, body
        assert theirs not in ids
        if body["query"]:
            assert mine in ids, body
    everything = secured.call("admin", "POST", "/v1/search", json={"query": "invoice totals"})
    assert {r["memory"]["project"] for r in everything.json()["results"]} == {OWN, FOREIGN}
    listed = secured.call("reviewer", "GET", "/v1/projects").json()
    assert [p["project"] for p in listed] == [OWN]
    secured.admin(
        "POST",
        "/v1/handoffs",
        json={"project": FOREIGN, "from_agent": "carol", "to_agent": "alice", "summary": "Lab"},
    )
    inbox = secured.call("agent", "GET", "/v1/handoffs", params={"to_agent": "alice"}).json()
    assert {h["project"] for h in inbox["handoffs"]} <= {OWN}


def test_acting_fields_default_to_the_tokens_agent(secured: Secured) -> None:
    made = secured.call("agent", "POST", "/v1/memories", json={"project": OWN, "content": "x1"})
    assert made.status_code == 201 and made.json()["agent"] == "alice"
    handoff = secured.call(
        "agent", "POST", "/v1/handoffs", json={"project": OWN, "to_agent": "bob", "summary": "y"}
    )
    assert handoff.json()["from_agent"] == "alice"
    mark = secured.call("reviewer", "POST", f"/v1/projects/{OWN}/checkpoints", json={"label": "l"})
    assert mark.json()["agent"] == "rita"
    history = secured.admin("GET", f"/v1/memories/{made.json()['id']}/history")["versions"]
    assert history[0]["actor"] == "alice"
    forged = secured.call(
        "agent", "POST", "/v1/memories", json={"project": OWN, "agent": "bob", "content": "x2"}
    )
    assert forged.status_code == 403
    assert "acts as 'alice'" in forged.json()["error"]["message"]


def test_the_audit_log_names_the_token_behind_every_change(secured: Secured) -> None:
    made = secured.call("agent", "POST", "/v1/memories", json={"project": OWN, "content": "a1"})
    impersonated = secured.call(
        "admin", "POST", "/v1/memories", json={"project": OWN, "agent": "bob", "content": "a2"}
    )
    assert impersonated.json()["agent"] == "bob"
    log = secured.admin("GET", "/v1/audit", params={"limit": 1000})["entries"]
    by_memory = {(e["memory_id"], e["action"]): e for e in log if e["memory_id"]}
    assert by_memory[(made.json()["id"], "created")]["principal"] == "alice-token"
    mine = by_memory[(impersonated.json()["id"], "created")]
    assert (mine["actor"], mine["principal"]) == ("bob", "ada-token")  # who, and as whom
    tokens = [
        (e["action"], e["target"], e["actor"]) for e in log if e["action"].startswith("token")
    ]
    assert ("token_created", "alice-token", "test-setup") in tokens
    assert ("token_revoked", "old-token", "test-setup") in tokens
    only_ada = secured.admin("GET", "/v1/audit", params={"actor": "ada-token"})["entries"]
    assert only_ada and all(e["principal"] == "ada-token" for e in only_ada)
    assert secured.call("reviewer", "GET", "/v1/audit").status_code == 403


def test_a_malformed_authorization_header_says_how_to_send_a_token(secured: Secured) -> None:
    response = secured.client.get("/v1/projects", headers={"Authorization": "Basic YTpi"})
    assert response.status_code == 401
    assert "Bearer <token>" in response.json()["error"]["message"]


def test_over_the_rate_a_token_gets_429_with_retry_after(
    tmp_path: Path, embedder: Embedder
) -> None:
    for s in secured_app(tmp_path / "data", embedder, rate_limit="3/minute"):
        statuses = [s.call("agent", "GET", "/v1/projects").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = s.call("agent", "GET", "/v1/projects")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.json()["error"]["code"] == "rate_limited"
        # Each token has its own window.
        assert s.call("reviewer", "GET", "/v1/projects").status_code == 200

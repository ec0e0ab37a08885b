"""Side paths where a token's scope used to slip: rollbacks, hidden ids, shared keys.

Tokens as in conftest: alice (agent) and rita (reviewer) use `shop`; ada (admin) every
project; `lab` is hidden from alice and rita.
"""

from __future__ import annotations

from typing import Any

from tests.security.conftest import FOREIGN, OWN, Secured


def _post(s: Secured, role: str, url: str, body: dict[str, Any]) -> Any:
    return s.call(role, "POST", url, json=body)


def _decision(s: Secured, agent: str, project: str = OWN) -> dict[str, Any]:
    body = {
        "project": project,
        "agent": agent,
        "kind": "decision",
        "content": s.unique("Use PostgreSQL for orders"),
        "reasoning": "Transactions.",
        "status": "accepted",
    }
    return s.admin("POST", "/v1/memories", json=body)  # type: ignore[no-any-return]


def _checkpoint(s: Secured) -> str:
    body = {"label": s.unique("qa-passed"), "agent": "ada", "known_good": True}
    return s.admin("POST", f"/v1/projects/{OWN}/checkpoints", json=body)["id"]  # type: ignore[no-any-return]


def test_an_agents_rollback_keeps_the_reviewers_status_change(secured: Secured) -> None:
    decided = _decision(secured, "alice")
    note = secured.admin(
        "POST", "/v1/memories", json={"project": OWN, "agent": "alice", "content": "draft 1"}
    )
    checkpoint = _checkpoint(secured)
    deprecated = secured.call(
        "reviewer", "PATCH", f"/v1/memories/{decided['id']}", json={"status": "deprecated"}
    )
    assert deprecated.status_code == 200, deprecated.text
    changed = secured.call(
        "agent", "PATCH", f"/v1/memories/{note['id']}", json={"content": "draft 2"}
    )
    assert changed.status_code == 200, changed.text

    result = _post(secured, "agent", f"/v1/projects/{OWN}/rollback", {"to": checkpoint})

    assert result.status_code == 200, result.text
    body = result.json()
    assert [c["memory_id"] for c in body["changes"]] == [note["id"]]
    assert body["kept"] == [
        {
            "memory_id": decided["id"],
            "kind": "decision",
            "title": decided["title"],
            "why": "changed-by-others",
            "by": ["rita"],
        }
    ]
    assert secured.admin("GET", f"/v1/memories/{decided['id']}")["status"] == "deprecated"
    assert secured.admin("GET", f"/v1/memories/{note['id']}")["content"] == "draft 1"


def test_a_rollback_keeps_what_others_addressed_to_the_one_rolling_back(secured: Secured) -> None:
    checkpoint = _checkpoint(secured)
    mine = secured.admin(
        "POST", "/v1/memories", json={"project": OWN, "agent": "rita", "content": "my change"}
    )
    s_report = secured.unique("QA failed: login returns 500")
    report = secured.admin(
        "POST",
        "/v1/memories",
        json={
            "project": OWN,
            "agent": "qa-agent",
            "content": s_report,
            "tags": ["rita", "qa-failure"],
        },
    )
    dry = _post(
        secured, "reviewer", f"/v1/projects/{OWN}/rollback", {"to": checkpoint, "dry_run": True}
    ).json()
    assert [k["memory_id"] for k in dry["kept"]] == [report["id"]]
    assert dry["kept"][0]["why"] == "addressed-to-you"
    assert report["id"] not in [c["memory_id"] for c in dry["changes"]]

    done = _post(secured, "reviewer", f"/v1/projects/{OWN}/rollback", {"to": checkpoint})

    assert done.status_code == 200, done.text
    assert secured.admin("GET", f"/v1/memories/{mine['id']}")["status"] == "retracted"
    kept = secured.admin("GET", f"/v1/memories/{report['id']}")
    assert (kept["status"], kept["content"]) == ("active", s_report)


def test_keep_addressed_false_reverts_what_was_addressed_too(secured: Secured) -> None:
    checkpoint = _checkpoint(secured)
    report = secured.admin(
        "POST",
        "/v1/memories",
        json={"project": OWN, "agent": "qa-agent", "content": "QA again", "for_agents": ["rita"]},
    )
    body = {"to": checkpoint, "keep_addressed": False}
    done = _post(secured, "reviewer", f"/v1/projects/{OWN}/rollback", body)
    assert done.status_code == 200, done.text
    assert done.json()["kept"] == []
    assert secured.admin("GET", f"/v1/memories/{report['id']}")["status"] == "retracted"


def test_recall_is_bound_to_the_agent_token(secured: Secured) -> None:
    other = _post(secured, "agent", "/v1/recall", {"project": OWN, "agent": "mallory"})
    assert other.status_code == 403
    assert "acts as 'alice'" in other.json()["error"]["message"]
    own = _post(secured, "agent", "/v1/recall", {"project": OWN})
    assert own.status_code == 200, own.text
    assert own.json()["agent"] == "alice"


def test_a_hidden_projects_ids_answer_like_unknown_ones(secured: Secured) -> None:
    hidden = secured.admin(
        "POST", "/v1/memories", json={"project": FOREIGN, "agent": "ada", "content": "lab note"}
    )
    hidden_checkpoint = secured.admin(
        "POST", f"/v1/projects/{FOREIGN}/checkpoints", json={"label": "lab-qa", "agent": "ada"}
    )["id"]
    unknown = "01HZZZZZZZZZZZZZZZZZZZZZZZ"

    def answer(url: str, method: str = "GET", **kw: Any) -> tuple[int, str]:
        response = secured.call("agent", method, url, **kw)
        message = response.json()["error"]["message"]
        return response.status_code, message.replace(hidden["id"], "<id>")

    for path in ("/v1/handoffs/{}", "/v1/memories/{}?as_of=1"):
        status, message = answer(path.format(unknown))
        assert answer(path.format(hidden["id"])) == (status, message.replace(unknown, "<id>"))
    assert answer(path.format(hidden["id"]))[0] == 404
    rollback = f"/v1/projects/{OWN}/rollback"
    to_hidden = answer(rollback, "POST", json={"to": hidden_checkpoint, "dry_run": True})
    to_unknown = answer(rollback, "POST", json={"to": unknown, "dry_run": True})
    assert to_hidden == (to_unknown[0], to_unknown[1].replace(unknown, hidden_checkpoint))
    assert FOREIGN not in to_hidden[1]


def test_errors_never_name_projects_the_token_may_not_see(secured: Secured) -> None:
    secured.admin("POST", "/v1/memories", json={"project": FOREIGN, "agent": "ada", "content": "x"})
    response = _post(secured, "admin", "/v1/search", {"query": "x", "project": "nosuch"})
    assert response.status_code == 404
    assert FOREIGN not in response.json()["error"]["message"]
    listed = secured.call("agent", "GET", "/v1/projects").json()
    assert [p["project"] for p in listed] == [OWN]


def test_idempotency_keys_belong_to_their_token_and_project(secured: Secured) -> None:
    key = {"Idempotency-Key": "retry-1"}

    def remember(role: str, project: str, content: str) -> Any:
        body = {"project": project, "content": content}
        headers = {**secured.headers(role), **key}
        return secured.client.post("/v1/memories", json=body, headers=headers)

    theirs = remember("admin", FOREIGN, "lab retry")
    mine = remember("agent", OWN, "shop retry")
    again = remember("agent", OWN, "shop retry")

    assert (theirs.status_code, mine.status_code, again.status_code) == (201, 201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert again.json()["id"] == mine.json()["id"]

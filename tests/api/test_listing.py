"""GET /v1/memories: a listing by tags and fields, newest first, page by page."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient

from memory_service.services.access import tokens
from tests.factories import decision_body, remember


def _page(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/memories", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _ids(client: TestClient, **params: Any) -> list[str]:
    return [m["id"] for m in _page(client, **params)["memories"]]


def _all_pages(client: TestClient, **params: Any) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = _page(client, **params, **({"cursor": cursor} if cursor else {}))
        pages.append([m["id"] for m in page["memories"]])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages


def test_tags_alone_list_newest_first_across_pages_without_repeats(client: TestClient) -> None:
    # Four share one instant: among them, the one written last comes first.
    times = ["2026-01-01T10:00:00Z", *["2026-01-02T10:00:00Z"] * 3, "2026-01-03T10:00:00Z"]
    made = [
        remember(client, content=f"Orders note {i}.", tags=["orders"], occurred_at=at)["id"]
        for i, at in enumerate(times)
    ]
    remember(client, content="Invoices are rendered nightly.", tags=["billing"])
    lab = remember(
        client, project="lab", content="Orders in the lab.", tags=["orders"], occurred_at=times[1]
    )["id"]
    assert _all_pages(client, tags="orders", limit=2) == [
        [made[4], lab],
        [made[3], made[2]],
        [made[1], made[0]],
    ]


def test_a_listing_over_every_project_pages_without_repeats_or_gaps(client: TestClient) -> None:
    made = [
        remember(client, project=p, content=f"Orders note {i} in {p}.", tags=["orders"])["id"]
        for i in range(4)
        for p in ("shop", "lab")
    ]
    pages = _all_pages(client, tags="orders", limit=3)
    assert [len(p) for p in pages] == [3, 3, 2]
    assert sum(pages, []) == list(reversed(made))


def test_a_memory_written_between_pages_does_not_repeat_one(client: TestClient) -> None:
    made = [remember(client, content=f"Cache note {i}.", tags=["cache"])["id"] for i in range(4)]
    first = _page(client, tags="cache", limit=2)
    remember(client, content="A newer cache note.", tags=["cache"])
    second = _page(client, tags="cache", limit=2, cursor=first["next_cursor"])
    listed = [m["id"] for m in first["memories"] + second["memories"]]
    assert listed == list(reversed(made))
    assert second["next_cursor"] is None


def test_every_tag_must_match_and_tags_any_needs_one(client: TestClient) -> None:
    both = remember(client, content="Both tags.", tags=["api", "auth"])["id"]
    api = remember(client, content="Only api.", tags=["api"])["id"]
    auth = remember(client, content="Only auth.", tags=["auth"])["id"]
    remember(client, content="Neither tag.", tags=["ui"])
    assert _ids(client, tags=["api", "auth"]) == [both]
    assert _ids(client, tags_any=["api", "auth"]) == [auth, api, both]


def test_kind_and_agent_narrow_the_listing(client: TestClient) -> None:
    note = remember(client, content="A note by the architect.")["id"]
    decision = remember(client, **decision_body())["id"]
    by_devops = remember(client, content="A note by devops.", agent="devops")["id"]
    assert _ids(client, project="shop", kind="decision") == [decision]
    assert _ids(client, project="shop", kind=["note", "decision"]) == [by_devops, decision, note]
    assert _ids(client, project="shop", agent="devops") == [by_devops]


def test_live_memories_by_default_and_status_lists_the_others(client: TestClient) -> None:
    old = remember(client, **decision_body())["id"]
    new = remember(client, **decision_body(content="Orders move to CockroachDB.", supersedes=old))[
        "id"
    ]
    retracted = remember(client, content="A wrong note.")["id"]
    assert client.delete(f"/v1/memories/{retracted}").status_code == 200
    assert _ids(client, project="shop") == [new]
    assert _ids(client, project="shop", status="superseded") == [old]
    assert _ids(client, project="shop", status=["retracted", "accepted"]) == [retracted, new]


def test_since_keeps_what_occurred_at_or_after_it(client: TestClient) -> None:
    remember(client, content="Before.", occurred_at="2026-03-01T09:59:59Z")
    at = remember(client, content="At.", occurred_at="2026-03-01T10:00:00Z")["id"]
    after = remember(client, content="After.", occurred_at="2026-03-02T00:00:00Z")["id"]
    assert _ids(client, project="shop", since="2026-03-01T10:00:00Z") == [after, at]


def test_for_agent_lists_what_is_addressed_to_the_agent(client: TestClient) -> None:
    named = remember(client, content="Spec for QA.", for_agents=["qa-engineer"])["id"]
    tagged = remember(client, content="Tagged for QA.", tags=["qa-engineer"])["id"]
    remember(client, content="QA's own note.", tags=["qa-engineer"], agent="qa-engineer")
    remember(client, content="For nobody in particular.")
    assert _ids(client, for_agent="qa-engineer") == [tagged, named]


def test_topic_narrows_the_listing(client: TestClient) -> None:
    schema = remember(client, **decision_body())["id"]
    remember(client, **decision_body(content="Cache in Redis.", topic="caching"))
    assert _ids(client, topic="database-schema") == [schema]


def test_a_cursor_the_service_did_not_give_is_refused_saying_what_to_pass(
    client: TestClient,
) -> None:
    remember(client)
    # Nonsense, "2026|1", "nonsense|1", a time without zone, one beyond year 9999 in UTC.
    beyond = base64.urlsafe_b64encode(b"9999-12-31T23:59:59-05:00|1").decode()
    naive = base64.urlsafe_b64encode(b"2026-01-01T00:00:00|1").decode()
    for cursor in ("not-a-cursor", "MjAyNnwx", "bm9uc2Vuc2V8MQ", naive, beyond):
        response = client.get("/v1/memories", params={"project": "shop", "cursor": cursor})
        assert response.status_code == 422, cursor
        assert "next_cursor of the previous page" in response.json()["error"]["message"]


def test_a_since_beyond_the_calendar_in_utc_is_refused_not_a_server_error(
    client: TestClient,
) -> None:
    remember(client)
    response = client.get("/v1/memories", params={"since": "9999-12-31T23:59:59-05:00"})
    assert response.status_code == 422
    assert "out of range" in response.json()["error"]["message"]


def test_a_misspelt_parameter_is_refused_not_ignored(client: TestClient) -> None:
    remember(client, tags=["orders"])
    response = client.get("/v1/memories", params={"tag": "orders"})
    assert response.status_code == 422
    assert "tag" in response.json()["error"]["message"]


def test_a_project_that_holds_nothing_is_named(client: TestClient) -> None:
    remember(client)
    response = client.get("/v1/memories", params={"project": "shpo"})
    assert response.status_code == 404
    assert "check its spelling" in response.json()["error"]["message"]


def test_a_token_lists_only_its_own_projects(client: TestClient) -> None:
    shop = remember(client, content="In shop.", tags=["orders"])["id"]
    lab = remember(client, project="lab", content="In lab.", tags=["orders"])["id"]
    db = client.app.state.store.db  # type: ignore[attr-defined]
    issued = {
        role: tokens.create_token(
            db, name=f"{role}-token", role=role, agent="alice", projects=scope, actor="test"
        ).token
        for role, scope in (("agent", ["shop"]), ("admin", None))
    }

    def listed(role: str, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {issued[role]}"}
        return client.get("/v1/memories", params=params, headers=headers)

    assert [m["id"] for m in listed("agent", tags="orders").json()["memories"]] == [shop]
    assert listed("agent", project="lab").status_code == 403
    assert [m["id"] for m in listed("admin", tags="orders").json()["memories"]] == [lab, shop]

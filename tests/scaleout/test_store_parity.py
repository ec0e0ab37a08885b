"""Behaviour both stacks must share: keyword search semantics and per-project event order."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import col, select

from memory_service.models import Event
from tests.factories import decision_body, remember


def _keyword_ids(client: TestClient, query: str, **filters: object) -> list[str]:
    response = client.post("/v1/search", json={"query": query, "explain": True, "k": 20, **filters})
    assert response.status_code == 200, response.text
    return [
        r["memory"]["id"]
        for r in response.json()["results"]
        if r["explain"]["keyword_rank"] is not None
    ]


def test_keyword_search_matches_any_term_stemmed(client: TestClient) -> None:
    migrations = remember(client, content="Schema migrations run before every deploy.")
    cache = remember(client, content="The cache is warmed from the replica at night.")
    remember(client, content="Invoices are numbered per tenant.")
    found = _keyword_ids(client, "how do we migrate the caches")
    assert set(found) == {migrations["id"], cache["id"]}


def test_keyword_search_ranks_a_title_match_above_a_body_match(client: TestClient) -> None:
    body = remember(client, content="Deploys wait for the ledger reconciliation to finish.")
    title = remember(client, title="Ledger", content="Append-only, reconciled hourly.")
    assert _keyword_ids(client, "ledger")[:2] == [title["id"], body["id"]]


def test_query_syntax_in_user_text_is_taken_literally(client: TestClient) -> None:
    stored = remember(client, content="Rate limits apply per token and per minute.")
    for query in ("token & !minute", 'token:* | "per', "NEAR(token minute)", "token' OR 1=1 --"):
        assert _keyword_ids(client, query) == [stored["id"]], query


def test_each_project_numbers_its_events_from_one_without_gaps(client: TestClient) -> None:
    a1 = remember(client, project="alpha", content="Alpha uses gRPC.")
    remember(client, project="beta", content="Beta uses REST.")
    client.patch(f"/v1/memories/{a1['id']}", json={"content": "Alpha uses gRPC and REST."})
    remember(client, project="beta", content="Beta caches in Redis.")
    client.delete(f"/v1/memories/{a1['id']}")
    # Refused after the new decision's event was numbered: the transaction rolls back,
    # and its number with it.
    refused = client.post("/v1/memories", json=decision_body(project="alpha", supersedes=a1["id"]))
    assert refused.status_code == 422, refused.text
    remember(client, project="alpha", content="Alpha deploys on Fridays.")
    store = client.app.state.store  # type: ignore[attr-defined]
    with store.db.read() as session:
        events = session.exec(select(Event).order_by(col(Event.seq))).all()
    numbered = [(e.project, e.project_seq) for e in events]
    assert numbered == [
        ("alpha", 1),
        ("beta", 1),
        ("alpha", 2),
        ("beta", 2),
        ("alpha", 3),
        ("alpha", 4),
    ]

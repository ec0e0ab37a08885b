"""`GET /metrics`: route templates and bounded labels, the counters of the work behind the
requests, the outbox read at scrape, and who may read it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from memory_service.api.app import create_app, open_store
from memory_service.models import Outbox, utcnow
from memory_service.observability.metrics import render
from memory_service.observability.store_health import StoreGauges, outbox_backlog
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from tests.factories import edit_unindexed, memory_body, remember, remember_notes
from tests.observability.conftest import Tokened, sample
from tests.support.service import IN_PROCESS_URL

REQUESTS = "agent_memory_http_request_duration_seconds_count"
PROJECT, TAG, WORD = "orion-classified", "zebra-crossing", "quasar"


def scrape(client: TestClient, **headers: str) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_requests_are_counted_by_route_template_never_by_project_tag_or_content(
    app_client: TestClient,
) -> None:
    before = scrape(app_client)
    made = remember(app_client, project=PROJECT, tags=[TAG], content=f"The {WORD} ledger.")
    app_client.get(f"/v1/memories/{made['id']}")
    app_client.get("/v1/memories/01HZZZZZZZZZZZZZZZZZZZZZZZ")  # 404, same template
    app_client.post("/v1/search", json={"query": WORD, "project": PROJECT, "tags_any": [TAG]})
    app_client.get(f"/v1/projects/{PROJECT}/checkpoints")
    app_client.get(f"/no/such/{PROJECT}/path")
    text = scrape(app_client)

    def grew(route: str, status: str, method: str = "GET") -> float:
        labels = {"route": route, "status": status, "method": method}
        return sample(text, REQUESTS, **labels) - sample(before, REQUESTS, **labels)

    assert grew("/v1/memories", "201", "POST") == 1
    assert grew("/v1/memories/{memory_id}", "200") == 1
    assert grew("/v1/memories/{memory_id}", "404") == 1
    assert grew("/v1/search", "200", "POST") == 1
    assert grew("/v1/projects/{project}/checkpoints", "200") == 1
    assert grew("unmatched", "404") == 1
    for private in (PROJECT, TAG, WORD, made["id"]):
        assert private not in text


def test_a_method_clients_invent_is_one_label_value(app_client: TestClient) -> None:
    before = scrape(app_client)
    for method in ("BREW", "PROPFIND"):
        app_client.request(method, "/v1/projects")
    text = scrape(app_client)
    assert "BREW" not in text and "PROPFIND" not in text
    labels = {"method": "other", "route": "/v1/projects", "status": "405"}
    assert sample(text, REQUESTS, **labels) - sample(before, REQUESTS, **labels) == 2


def test_the_work_behind_requests_is_counted(app_client: TestClient) -> None:
    before = scrape(app_client)
    remember(app_client, content="baseline decision about queues")
    checkpoint = {"label": "base", "agent": "qa"}
    assert app_client.post("/v1/projects/shop/checkpoints", json=checkpoint).status_code == 201
    remember(app_client, content="a change QA rejected")
    app_client.post("/v1/search", json={"query": "queues", "project": "shop"})
    rolled = app_client.post("/v1/projects/shop/rollback", json={"to": "1", "actor": "qa"})
    assert rolled.status_code == 200, rolled.text
    undone = app_client.post(f"/v1/rollbacks/{rolled.json()['id']}/undo", json={"actor": "qa"})
    assert undone.status_code == 200, undone.text
    text = scrape(app_client)

    def grew(name: str, **labels: str) -> float:
        return sample(text, name, **labels) - sample(before, name, **labels)

    assert grew("agent_memory_embedding_calls_total", kind="batch") >= 2
    assert grew("agent_memory_embedding_calls_total", kind="query") == 1
    assert grew("agent_memory_embedding_batch_size_count") >= 2
    assert grew("agent_memory_embedding_seconds_count", kind="query") == 1
    for stage in ("keyword", "vector", "vector_check", "ranking"):
        assert grew("agent_memory_search_stage_seconds_count", stage=stage) == 1, stage
    assert grew("agent_memory_rollbacks_total", kind="rollback") == 1
    assert grew("agent_memory_rollbacks_total", kind="undo") == 1
    # Every connection a request took went back to its pool.
    assert sample(text, "agent_memory_db_pool_connections_in_use", engine="read") >= 0
    assert "agent_memory_db_pool_connections_in_use" in text


def test_outbox_depth_and_index_lag_are_read_from_sql_at_scrape(
    tmp_path: Path, embedder: Embedder
) -> None:
    store = open_store(Settings(data_dir=tmp_path / "data"), embedder)
    try:
        assert outbox_backlog(store.db).depth == 0
        [memory] = remember_notes(store, ["The outbox drains into Chroma."])
        edit_unindexed(store, memory.id, "The outbox waits for Chroma.")
        with store.db.write() as session:
            row = session.exec(select(Outbox)).one()
            row.created_at = utcnow().replace(year=utcnow().year - 1)
            session.add(row)
        text = render(StoreGauges(store))[0].decode()
        assert sample(text, "agent_memory_outbox_depth") == 1
        assert sample(text, "agent_memory_index_lag_seconds") > 300 * 24 * 3600
    finally:
        store.db.dispose()


def test_refusals_and_failed_authentications_are_counted(tokened: Tokened) -> None:
    client = tokened.client
    before = scrape(client, **tokened.as_(tokened.admin))
    assert client.get("/v1/projects").status_code == 401
    assert client.get("/v1/projects", headers=tokened.as_("amt_wrong")).status_code == 401
    answers = [client.get("/v1/projects", headers=tokened.as_(tokened.agent)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    text = scrape(client, **tokened.as_(tokened.admin))

    def grew(name: str, **labels: str) -> float:
        return sample(text, name, **labels) - sample(before, name, **labels)

    assert grew("agent_memory_auth_failures_total", reason="missing") == 1
    assert grew("agent_memory_auth_failures_total", reason="invalid") == 1
    assert grew("agent_memory_rate_limited_total", limit="token") == 1
    assert "alice" not in text and "amt_" not in text


def test_with_tokens_metrics_need_an_admin_token(tokened: Tokened) -> None:
    client = tokened.client
    assert client.get("/metrics").status_code == 401
    refused = client.get("/metrics", headers=tokened.as_(tokened.agent))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert client.get("/metrics", headers=tokened.as_(tokened.admin)).status_code == 200


def test_metrics_off_records_nothing_and_serves_no_metrics(
    tmp_path: Path, embedder: Embedder, app_client: TestClient
) -> None:
    before = scrape(app_client)
    settings = Settings(data_dir=tmp_path / "quiet", metrics=False)
    with TestClient(create_app(settings, embedder=embedder), base_url=IN_PROCESS_URL) as quiet:
        assert quiet.get("/metrics").status_code == 404
        assert quiet.post("/v1/memories", json=memory_body()).status_code == 201
    after = render()[0].decode()
    labels = {"method": "POST", "route": "/v1/memories", "status": "201"}
    assert sample(after, REQUESTS, **labels) == sample(before, REQUESTS, **labels)


def test_promtool_accepts_the_metrics(app_client: TestClient) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("Debian's prometheus package is not installed: scripts/install --for-tests")
    remember(app_client, content="Promtool lints what Prometheus scrapes.")
    app_client.post("/v1/search", json={"query": "lint", "project": "shop"})
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=scrape(app_client), capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

"""The Host allow-list of a loopback service (DNS rebinding), on /v1, /ui and /mcp alike;
a service bound to another address answers to its own names and relies on tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.settings import Settings
from memory_service.store.db import Database
from memory_service.store.embedding.embedder import Embedder
from tests.security.conftest import MCP_HEADERS, MCP_INITIALIZE, issue_tokens

PORT = 9123  # not the default, so that the check is seen to use the bound port
ACCEPTED = [
    "localhost",
    "LOCALHOST",
    f"LocalHost:{PORT}",
    f"127.0.0.1:{PORT}",
    "127.0.0.2",
    f"127.0.0.2:{PORT}",
    "127.255.0.9",
    "[::1]",
    f"[::1]:{PORT}",
]
REFUSED = [
    "rebind.evil.example",
    f"rebind.evil.example:{PORT}",
    "LOCALHOST:8765",
    "127.0.0.2:8765",
    "[::1]:80",
    f"localhost.evil.example:{PORT}",
    "::1",
    "[127.0.0.1]",
    "10.0.0.1",
    "0.0.0.0",
    "",
]


def ask(client: TestClient, route: str, host: str, **headers: str) -> Any:
    """The route's everyday request, sent with `host` as the Host header."""
    sent = {"host": host, **headers}
    if route == "/mcp":
        return client.post("/mcp", json=MCP_INITIALIZE, headers={**MCP_HEADERS, **sent})
    return client.get(route, headers=sent)


@pytest.fixture(scope="module")
def loopback(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[TestClient]:
    """A service in open local mode on 127.0.0.1:PORT."""
    config = Settings(data_dir=tmp_path_factory.mktemp("hosts") / "data", port=PORT)
    app = create_app(config, embedder=embedder)
    with TestClient(app, base_url=f"http://127.0.0.1:{PORT}") as client:
        yield client


@pytest.mark.parametrize("route", ["/v1/projects", "/ui", "/mcp"])
@pytest.mark.parametrize("host", ACCEPTED)
def test_a_loopback_service_answers_loopback_hosts_on_its_port(
    loopback: TestClient, route: str, host: str
) -> None:
    answered = ask(loopback, route, host)
    assert answered.status_code == 200, answered.text


@pytest.mark.parametrize("route", ["/v1/projects", "/ui", "/mcp"])
@pytest.mark.parametrize("host", REFUSED)
def test_a_loopback_service_refuses_any_other_host(
    loopback: TestClient, route: str, host: str
) -> None:
    refused = ask(loopback, route, host)
    assert refused.status_code == 421
    error = refused.json()["error"]
    assert error["code"] == "host_not_allowed"
    accepted = ["localhost", "127.x.y.z", "[::1]"]
    assert error["details"] == {"host": host, "accepted": accepted, "port": PORT}
    assert f"http://127.0.0.1:{PORT}" in error["message"]


def test_a_rebinding_page_cannot_write_a_memory(loopback: TestClient) -> None:
    body = {"project": "planted", "agent": "mallory", "content": "Planted by a web page"}
    planted = loopback.post("/v1/memories", json=body, headers={"host": "rebind.evil.example"})
    assert planted.status_code == 421
    listed = loopback.get("/v1/projects", headers={"host": "localhost"}).json()
    assert "planted" not in [p["project"] for p in listed]


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        ("http://evil.example", 403),
        ("null", 403),
        ("http://rebind.evil.example:9123", 403),
        ("http://localhost:3000", 200),
        ("http://[::1]:3000", 200),
        ("https://127.0.0.2", 200),
    ],
)
def test_mcp_refuses_the_pages_of_other_sites(
    loopback: TestClient, origin: str, status: int
) -> None:
    answered = ask(loopback, "/mcp", f"localhost:{PORT}", origin=origin)
    assert answered.status_code == status, answered.text
    if status == 403:
        assert answered.json()["error"]["code"] == "origin_not_allowed"


def test_the_port_a_request_came_in_on_is_the_services_too(
    tmp_path: Path, embedder: Embedder
) -> None:
    # Started as `uvicorn --factory --port 9555` while MEMORY_PORT says otherwise.
    app = create_app(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    with TestClient(app, base_url="http://127.0.0.1:9555") as client:
        assert ask(client, "/v1/projects", "localhost:9555").status_code == 200
        assert ask(client, "/v1/projects", "localhost:8765").status_code == 200
        refused = ask(client, "/v1/projects", "localhost:9556")
        assert refused.status_code == 421
        assert "http://127.0.0.1:9555" in refused.json()["error"]["message"]


def test_a_service_bound_beyond_loopback_answers_its_own_names(
    tmp_path: Path, embedder: Embedder
) -> None:
    config = Settings(data_dir=tmp_path / "data", host="0.0.0.0", port=PORT)
    db = Database(config.resolved_database_url)
    tokens = issue_tokens(db)
    db.dispose()
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    with TestClient(create_app(config, embedder=embedder)) as client:
        for host in ("memory.example.com", f"10.0.0.7:{PORT}", "rebind.evil.example"):
            assert ask(client, "/v1/projects", host, **admin).status_code == 200
            assert ask(client, "/mcp", host, **admin).status_code == 200
            # Tokens guard it instead.
            assert ask(client, "/v1/projects", host).status_code == 401

"""The gateway's retry rules (deploy/nginx.conf.template), with Debian's nginx in front of two
stand-in replicas that can drop a request they have read, as a replica stopping or crashing
mid-request does: a real service cannot be made to do that on cue. The stand-ins answer
what they received; tests/scaleout/test_proxy_stack.py runs the same gateway before real
replicas.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from memory_service.api.app import create_app
from memory_service.settings import Settings
from tests.support.gateway import TEMPLATE, Gateway, start_gateway
from tests.support.servers import free_port

KEYED_WRITES = ["/v1/memories", "/v1/memories/batch", "/v1/handoffs"]


@dataclass
class Replicas:
    """Two stand-ins sharing one rule: drop the first `drops` requests either receives."""

    drops: int = 0
    addresses: list[str] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(replicas: Replicas) -> type[BaseHTTPRequestHandler]:
    """A stand-in replica's request handler: it notes each request, then drops or answers."""

    class Replica(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
            seen = {
                "replica": f"127.0.0.1:{self.server.server_address[1]}",
                "method": self.command,
                "path": self.path,
                "body": body,
                "host": self.headers["host"],
                "key": self.headers.get("idempotency-key"),
            }
            with replicas.lock:
                replicas.seen.append(seen)
                drop = replicas.drops > 0
                replicas.drops -= drop
            if drop:
                # Read, then gone without an answer: the request may have taken effect.
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            out = json.dumps(seen).encode()
            self.send_response(201 if self.command == "POST" else 200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Replica


@pytest.fixture
def replicas() -> Iterator[Replicas]:
    """Two stand-in replicas on free loopback ports."""
    shared = Replicas()
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _handler(shared)) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    shared.addresses = [f"127.0.0.1:{s.server_address[1]}" for s in servers]
    yield shared
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def gateway(replicas: Replicas) -> Iterator[Gateway]:
    """A fresh nginx for each test: nothing marked failed by another test."""
    running = start_gateway(replicas.addresses)
    yield running
    running.stop()


@pytest.mark.parametrize("path", KEYED_WRITES)
def test_a_keyed_write_a_replica_dropped_goes_to_the_other_with_its_key_and_body(
    path: str, replicas: Replicas, gateway: Gateway
) -> None:
    replicas.drops = 1
    body = {"project": "shop", "content": "Orders live in PostgreSQL."}
    response = httpx.post(f"{gateway.url}{path}", json=body, headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 201, response.text
    dropped, answered = replicas.seen
    assert dropped["replica"] != answered["replica"] == response.json()["replica"]
    for seen in (dropped, answered):
        assert (seen["method"], seen["path"], seen["key"]) == ("POST", path, "k-1")
        assert json.loads(seen["body"]) == body
    assert [r.replicas for r in gateway.routed(1)] == [(dropped["replica"], answered["replica"])]


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/v1/memories", {}),  # no key: it may have been stored, a second send could double it
        ("/v1/projects/shop/checkpoints", {"Idempotency-Key": "k-2"}),  # key not honoured here
        ("/v1/handoffs/01HANDOFF/ack", {"Idempotency-Key": "k-3"}),
    ],
)
def test_a_write_the_service_would_not_deduplicate_is_never_sent_twice(
    path: str, headers: dict[str, str], replicas: Replicas, gateway: Gateway
) -> None:
    replicas.drops = 1
    response = httpx.post(f"{gateway.url}{path}", json={"label": "qa-passed"}, headers=headers)
    assert response.status_code == 502
    assert len(replicas.seen) == 1
    assert [len(r.replicas) for r in gateway.routed(1)] == [1]


def test_a_read_a_replica_dropped_goes_to_the_other(replicas: Replicas, gateway: Gateway) -> None:
    replicas.drops = 1
    response = httpx.get(f"{gateway.url}/v1/memories", params={"project": "shop"})
    assert response.status_code == 200
    assert [s["method"] for s in replicas.seen] == ["GET", "GET"]
    assert len(gateway.routed(1)[0].replicas) == 2


def test_any_write_goes_to_the_other_replica_when_one_refuses_connections(
    replicas: Replicas,
) -> None:
    closed = f"127.0.0.1:{free_port()}"  # a stopped replica: nothing listens there
    listening = replicas.addresses[0]
    running = start_gateway([closed, listening])
    try:
        # Round robin sends one of the two to the stopped replica first; never sent, it
        # may go on, key or none.
        answers = [httpx.post(f"{running.url}/v1/memories", json={"n": n}) for n in range(2)]
        routed = running.routed(2)
    finally:
        running.stop()
    assert [a.status_code for a in answers] == [201, 201]
    assert {s["replica"] for s in replicas.seen} == {listening}
    assert (closed, listening) in [r.replicas for r in routed]


def test_replicas_get_the_name_without_the_gateways_port(
    replicas: Replicas, gateway: Gateway
) -> None:
    # A replica bound to loopback answers loopback names with no port (decisions/0056), and
    # sees a foreign name as it was sent, to refuse it.
    httpx.get(f"{gateway.url}/healthz")
    httpx.get(f"{gateway.url}/healthz", headers={"Host": f"rebind.evil.example:{gateway.port}"})
    assert [s["host"] for s in replicas.seen] == ["127.0.0.1", "rebind.evil.example"]


def test_keyed_writes_are_resent_on_exactly_the_routes_that_honour_a_key(tmp_path: Path) -> None:
    schema = create_app(Settings(data_dir=tmp_path / "data")).openapi()
    honouring = {
        (method, path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(p["name"].lower() == "idempotency-key" for p in operation.get("parameters", []))
    }
    assert honouring == {("post", path) for path in KEYED_WRITES}
    found = re.search(r"location ~ (\S+) \{\s+error_page 418 = @keyed_write;", TEMPLATE.read_text())
    assert found, "the template has no location for keyed writes"
    resent = {path for path in schema["paths"] if re.search(found.group(1), path)}
    assert resent == set(KEYED_WRITES)

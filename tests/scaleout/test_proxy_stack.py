"""The deployment as docker-compose.yml runs it, without Docker: Debian's nginx, configured
from the repository's deploy/nginx.conf.template, in front of two `memory-service` replicas
on one real PostgreSQL and one real `chroma run`, all on loopback (decisions/0071).

Through the gateway: the REST API's happy paths, twelve MCP sessions at once with the SDK's
own client (and the same against one service with two workers), and a rolling restart
under keyed writes. The replicas run in open local mode on loopback: nginx passes them the
request's name without its port, which they accept, and a foreign name still meets their
Host check (decisions/0056).
"""

from __future__ import annotations

import itertools
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from memory_service.store.vectors import VectorIndex
from tests.factories import decision_body, memory_body
from tests.support.gateway import Gateway, start_gateway
from tests.support.servers import ChromaServer, PostgresServer, free_port, fresh_collection
from tests.support.service import ServiceProcess, start_service

SESSIONS = 12
WRITERS = 3


@dataclass
class Stack:
    """The gateway, its two replicas (replaced when restarted) and their shared stores."""

    gateway: Gateway
    replicas: list[ServiceProcess]
    ports: list[int]
    data: list[Path]
    env: dict[str, str]

    @property
    def url(self) -> str:
        """The gateway's base URL: the one entry point."""
        return self.gateway.url

    def address(self, i: int) -> str:
        """Replica `i`'s address as nginx logs it."""
        return f"127.0.0.1:{self.ports[i]}"


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer, chroma_server: ChromaServer
) -> Iterator[Stack]:
    database = postgres.fresh_database()
    collection = fresh_collection()
    env = {
        "MEMORY_DATABASE_URL": database,
        "MEMORY_CHROMA_URL": chroma_server.url,
        "MEMORY_CHROMA_COLLECTION": collection,
    }
    root = tmp_path_factory.mktemp("proxy-stack")
    ports = [free_port(), free_port()]
    data = [root / f"replica-{i}" / "data" for i in range(2)]
    replicas: list[ServiceProcess] = []
    gateway: Gateway | None = None
    try:
        replicas += [start_service(data[i], port=ports[i], **env) for i in range(2)]
        gateway = start_gateway([f"127.0.0.1:{p}" for p in ports])
        yield Stack(gateway, replicas, ports, data, env)
    finally:
        if gateway:
            gateway.stop()
        for replica in replicas:
            replica.stop()
        postgres.drop_database(database)
        chroma_server.delete_collection(collection)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    """The response's JSON, after checking its status."""
    assert response.status_code == status, response.text
    return response.json()


def test_the_rest_api_answers_through_the_gateway_from_both_replicas(stack: Stack) -> None:
    project = "proxy-rest"
    notes = [
        "The checkout service talks to the payment gateway over gRPC.",
        "The image resizer runs in its own container.",
        "Feature flags are read from the environment.",
    ]
    with httpx.Client(base_url=stack.url, timeout=60) as http:
        decision = _ok(http.post("/v1/memories", json=decision_body(project=project)), 201)
        read = _ok(http.get(f"/v1/memories/{decision['id']}"))
        assert (read["title"], read["status"]) == ("Use PostgreSQL for orders", "accepted")
        batch = [memory_body(project=project, content=note) for note in notes]
        made = _ok(http.post("/v1/memories/batch", json={"memories": batch}), 201)["memories"]
        listed = _ok(http.get("/v1/memories", params={"project": project}))["memories"]
        assert {m["id"] for m in listed} == {decision["id"], *(m["id"] for m in made)}
        query = {"query": "where are orders stored", "project": project}
        found = _ok(http.post("/v1/search", json=query))["results"]
        assert found[0]["memory"]["id"] == decision["id"]
        recall = {"agent": "frontend-developer", "project": project}
        context = _ok(http.post("/v1/recall", json=recall))
        assert [d["id"] for d in context["sections"]["decisions"]] == [decision["id"]]

        good = {"label": "qa-passed", "agent": "qa-engineer", "known_good": True}
        checkpoint = _ok(http.post(f"/v1/projects/{project}/checkpoints", json=good), 201)
        later = memory_body(project=project, content="The order table gained an index.")
        after = _ok(http.post("/v1/memories", json=later), 201)
        back = {"to": "last-known-good", "dry_run": True, "actor": "backend-architect"}
        preview = _ok(http.post(f"/v1/projects/{project}/rollback", json=back))
        assert preview["id"] is None and preview["target"]["checkpoint"]["id"] == checkpoint["id"]
        assert [c["memory_id"] for c in preview["changes"]] == [after["id"]]

        handoff = {
            "project": project,
            "from_agent": "backend-architect",
            "to_agent": "frontend-developer",
            "summary": "Orders API is ready for the checkout screens.",
            "refs": [decision["id"]],
        }
        handed = _ok(http.post("/v1/handoffs", json=handoff), 201)
        inbox = {"to_agent": "frontend-developer", "project": project}
        assert [h["id"] for h in _ok(http.get("/v1/handoffs", params=inbox))["handoffs"]] == [
            handed["id"]
        ]
        acked = _ok(http.post(f"/v1/handoffs/{handed['id']}/ack", json={"note": "on it"}))
        assert acked["state"] == "acknowledged"

        # Behind the gateway the replicas still refuse a name that is not theirs.
        foreign = {"Host": f"rebind.evil.example:{stack.gateway.port}"}
        refused = http.post("/v1/memories", json=memory_body(project=project), headers=foreign)
        assert refused.status_code == 421, refused.text
    served = {r.replicas[-1] for r in stack.gateway.routed() if r.path.startswith("/v1/")}
    assert served == {stack.address(0), stack.address(1)}


async def _call(session: ClientSession, tool: str, **arguments: Any) -> dict[str, Any]:
    """A tool's answer (each tool used here answers with an object)."""
    result = await session.call_tool(tool, arguments)
    assert not result.is_error and result.structured_content is not None, result.content
    return result.structured_content


async def _mcp_session(url: str, n: int, *, fresh_connections: bool) -> None:
    """One SDK client session: initialize, then remember, read back and list by tag."""
    project, tag = "proxy-mcp", f"session-{n}-{uuid.uuid4().hex[:8]}"
    # Without kept connections every request is a new connection, which any worker takes.
    keep = 0 if fresh_connections else 20
    http = httpx2.AsyncClient(limits=httpx2.Limits(max_keepalive_connections=keep), timeout=120)
    async with (
        http,
        streamable_http_client(f"{url}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        made = await _call(
            session, "remember", content=f"Session {n} keeps orders in shard {n}.",
            tags=[tag], project=project, agent=f"agent-{n}",
        )  # fmt: skip
        got = await _call(session, "get_memory", memory_id=made["id"])
        listed = await _call(session, "list_memories", tags=[tag], project=project)
        assert got["id"] == made["id"]
        assert [m["id"] for m in listed["memories"]] == [made["id"]]


def _concurrent_sessions(url: str, *, fresh_connections: bool) -> list[str]:
    """Run SESSIONS sessions at once; what went wrong in each one that failed."""
    failures: list[str] = []

    async def guarded(n: int) -> None:
        try:
            await _mcp_session(url, n, fresh_connections=fresh_connections)
        except Exception as exc:  # every session's outcome is reported, not only the first
            failures.append(f"session {n}: {exc!r}")

    async def run_all() -> None:
        async with anyio.create_task_group() as group:
            for n in range(SESSIONS):
                group.start_soon(guarded, n)

    anyio.run(run_all)
    return failures


def test_twelve_mcp_sessions_at_once_through_the_gateway_all_succeed(stack: Stack) -> None:
    before = len(stack.gateway.routed())
    assert _concurrent_sessions(stack.url, fresh_connections=False) == []
    mcp = [r for r in stack.gateway.routed()[before:] if r.path == "/mcp"]
    # Each session's five requests went round the replicas, with no affinity.
    assert len(mcp) >= SESSIONS * 5
    assert {r.replicas[-1] for r in mcp} == {stack.address(0), stack.address(1)}


def test_twelve_mcp_sessions_at_once_against_two_workers_all_succeed(
    stack: Stack, tmp_path: Path
) -> None:
    service = start_service(tmp_path / "data", "--workers", "2", **stack.env)
    try:
        assert _concurrent_sessions(service.url, fresh_connections=True) == []
    finally:
        service.stop()


@dataclass
class Writes:
    """What the writers saw: each acknowledged key's memory and content, and every attempt
    that did not get its 201 (then retried with the same key)."""

    acknowledged: dict[str, tuple[str, str]] = field(default_factory=dict)
    failed_attempts: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _write_until(
    stop: threading.Event, url: str, project: str, writer: int, writes: Writes
) -> None:
    """Keyed remembers, one after another; a failed attempt is retried with the same key."""
    with httpx.Client(base_url=url, timeout=60) as http:
        for n in itertools.count():
            if stop.is_set():
                return
            key, marker = f"writer-{writer}-{n}", uuid.uuid4().hex
            body = memory_body(project=project, content=f"Write {n} of writer {writer}: {marker}")
            while True:
                try:
                    response = http.post(
                        "/v1/memories", json=body, headers={"Idempotency-Key": key}
                    )
                    outcome: Any = response.status_code
                except httpx.TransportError as exc:
                    outcome = repr(exc)
                with writes.lock:
                    if outcome == 201:
                        writes.acknowledged[key] = (response.json()["id"], marker)
                        break
                    writes.failed_attempts.append(f"{key}: {outcome}")
                time.sleep(0.2)
            time.sleep(0.05)


def _wait_for(what: str, done: Callable[[], bool], timeout: float = 180) -> None:
    """Wait until `done()`; a deadline only guards against a hang, it measures nothing."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def _writes_answered_by(stack: Stack, i: int, since: int) -> int:
    """Writes acknowledged by replica `i` since access log line `since`."""
    routed = stack.gateway.routed()[since:]
    return sum(
        r.method == "POST" and r.status == 201 and r.replicas[-1] == stack.address(i)
        for r in routed
    )


def _replace(stack: Stack, i: int, *, crash: bool) -> None:
    """Stop replica `i` (SIGTERM, or SIGKILL as a crash), see the other answer alone, then
    start it again on its port and wait until the gateway sends it writes again."""
    other, stopped = 1 - i, stack.replicas[i]
    if crash:
        stopped.kill()  # whatever it was answering is cut off mid-request
    else:
        stopped.stop()  # it answers what it has taken, then exits
        # Ended by the SIGTERM it re-raises after a clean shutdown, not killed after 20 s.
        assert stopped.proc.returncode == -signal.SIGTERM, stopped.errors()
        assert "Application shutdown complete" in stopped.log.read_text()
    mark = len(stack.gateway.routed())
    _wait_for(
        f"writes answered while replica {i} is down",
        lambda: _writes_answered_by(stack, other, mark) >= 20,
    )
    stack.replicas[i] = start_service(stack.data[i], port=stack.ports[i], **stack.env)
    mark = len(stack.gateway.routed())
    _wait_for(
        f"replica {i} back in the gateway's rotation",
        lambda: _writes_answered_by(stack, i, mark) >= 5,
    )


@pytest.mark.slow
def test_a_rolling_restart_and_a_crash_under_keyed_writes_lose_and_fail_none(
    stack: Stack,
) -> None:
    project = "proxy-rolling"
    stop, writes = threading.Event(), Writes()
    writers = [
        threading.Thread(target=_write_until, args=(stop, stack.url, project, w, writes))
        for w in range(WRITERS)
    ]
    for thread in writers:
        thread.start()
    try:
        _wait_for("writes through the gateway", lambda: len(writes.acknowledged) >= 20)
        # The rolling restart, one replica then the other; then one crashes, taking with
        # it keyed writes it had read, which the gateway sends to the other.
        for i, crash in ((0, False), (1, False), (0, True)):
            _replace(stack, i, crash=crash)
    finally:
        stop.set()
        for thread in writers:
            thread.join()

    # No request failed that the gateway could send to the other replica.
    assert writes.failed_attempts == []
    routed = [r for r in stack.gateway.routed() if r.method == "POST" and r.path == "/v1/memories"]
    assert any(len(r.replicas) == 2 for r in routed), "no stopped replica was ever tried"
    # No acknowledged write lost: each is read back, listed, found and in the vector index.
    ids = dict(writes.acknowledged.values())
    with httpx.Client(base_url=stack.url, timeout=60) as http:
        for memory_id, marker in ids.items():
            assert _ok(http.get(f"/v1/memories/{memory_id}"))["content"].endswith(marker)
        listed, cursor = [], None
        while True:
            params = {"project": project, "limit": 200, **({"cursor": cursor} if cursor else {})}
            page = _ok(http.get("/v1/memories", params=params))
            listed += [m["id"] for m in page["memories"]]
            if not (cursor := page["next_cursor"]):
                break
        assert sorted(listed) == sorted(ids)  # each stored once, retries included
        for memory_id, marker in list(ids.items())[:: max(1, len(ids) // 25)]:
            query = {"query": marker, "project": project, "mode": "keyword"}
            assert _ok(http.post("/v1/search", json=query))["results"][0]["memory"]["id"] == (
                memory_id
            )
        _wait_for("the outbox drained", lambda: http.get("/readyz").json().get("outbox") == 0)
    env = stack.env
    index = VectorIndex(url=env["MEMORY_CHROMA_URL"], collection=env["MEMORY_CHROMA_COLLECTION"])
    assert set(ids) <= index.all_ids()

"""What load-test clients sent and what the service acknowledged, and the check of both.

Each created memory carries a unique token in its content, so keyword search can find
exactly it; each memory is changed only by the thread that created it, so its final state
is known: its last acknowledged version, or the one request after it that was cut off.
"""

from __future__ import annotations

import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from memory_service.models import Memory
from memory_service.services.indexing.indexing import embedding_text

WORDS = (
    "ledger invoice tenant cache shard replica queue retry backoff schema index vector "
    "payment refund checkout cart order shipment warehouse courier label audit budget "
    "quota token session cookie header router gateway proxy circuit breaker timeout"
).split()


# Cosine distance under which the index's vector of a memory embeds its current text.
FRESH_DISTANCE = 0.1


@dataclass
class Tracked:
    """One memory: the states the service acknowledged and the one it may have applied."""

    token: str
    key: str
    body: dict[str, Any]
    owner: str = ""
    memory_id: str | None = None
    content: str = ""
    retracted: bool = False
    maybe_content: str | None = None
    maybe_retracted: bool = False


@dataclass
class Report:
    active_ids: set[str]
    checked: int


@dataclass
class Ledger:
    project: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    memories: dict[str, Tracked] = field(default_factory=dict)
    cut_off: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    handoffs: dict[str, str] = field(default_factory=dict)  # id -> acknowledged state

    @property
    def acked_creates(self) -> list[Tracked]:
        return [m for m in self.memories.values() if m.memory_id]

    def owned(self, owner: str) -> list[Tracked]:
        with self.lock:
            return [m for m in self.memories.values() if m.owner == owner and m.memory_id]

    def note_failure(self, what: str, response: httpx.Response) -> None:
        with self.lock:
            self.failures.append(f"{what}: {response.status_code} {response.text[:300]}")

    def retry_cut_off_creates(self, http: httpx.Client) -> None:
        """Send every create that got no answer again, with its Idempotency-Key."""
        for tracked in self.memories.values():
            if tracked.memory_id is None:
                response = http.post(
                    "/v1/memories", json=tracked.body, headers={"Idempotency-Key": tracked.key}
                )
                assert response.status_code == 201, response.text
                tracked.memory_id = response.json()["id"]
                tracked.content = tracked.body["content"]


def sentence(rng: random.Random, token: str) -> str:
    return f"{token} " + " ".join(rng.choice(WORDS) for _ in range(12)) + "."


def writer_loop(url: str, ledger: Ledger, name: str, stop: threading.Event, seed: float) -> None:
    """Create, change and retract own memories until stopped or cut off by a crash."""
    rng = random.Random(seed)
    mine: list[Tracked] = []
    with httpx.Client(base_url=url, timeout=60) as http:
        n = 0
        while not stop.is_set():
            n += 1
            live = [m for m in mine if not m.retracted]
            roll = rng.random()
            try:
                if live and roll < 0.15:
                    patch_memory(http, ledger, rng.choice(live), rng)
                elif live and roll < 0.22:
                    retract_memory(http, ledger, rng.choice(live))
                else:
                    mine.append(create_memory(http, ledger, f"zq{name}x{n}", rng, owner=name))
            except httpx.TransportError:
                return  # the service is gone; what was in flight is now unknown


def create_memory(
    http: httpx.Client, ledger: Ledger, token: str, rng: random.Random, *, owner: str
) -> Tracked:
    """POST a new note carrying `token`, tracked before it is sent."""
    body = {
        "project": ledger.project,
        "agent": "load",
        "kind": "note",
        "content": sentence(rng, token),
    }
    tracked = Tracked(token=token, key=uuid.uuid4().hex, body=body, owner=owner)
    with ledger.lock:
        ledger.memories[token] = tracked
        ledger.cut_off.append(token)
    response = http.post("/v1/memories", json=body, headers={"Idempotency-Key": tracked.key})
    with ledger.lock:
        ledger.cut_off.remove(token)
    if response.status_code != 201:
        ledger.note_failure("create", response)
        return tracked
    tracked.memory_id = response.json()["id"]
    tracked.content = body["content"]
    return tracked


def patch_memory(http: httpx.Client, ledger: Ledger, tracked: Tracked, rng: random.Random) -> None:
    """PATCH new content (same token) into a tracked memory."""
    content = sentence(rng, tracked.token)
    tracked.maybe_content = content
    response = http.patch(f"/v1/memories/{tracked.memory_id}", json={"content": content})
    tracked.maybe_content = None
    if response.status_code != 200:
        ledger.note_failure("patch", response)
        return
    tracked.content = content


def retract_memory(http: httpx.Client, ledger: Ledger, tracked: Tracked) -> None:
    """DELETE (retract) a tracked memory."""
    tracked.maybe_retracted = True
    response = http.delete(f"/v1/memories/{tracked.memory_id}")
    tracked.maybe_retracted = False
    if response.status_code != 200:
        ledger.note_failure("retract", response)
        return
    tracked.retracted = True


def _search(http: httpx.Client, query: str, project: str) -> list[dict[str, Any]]:
    response = http.post(
        "/v1/search", json={"query": query, "project": project, "k": 5, "explain": True}
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]  # type: ignore[no-any-return]


def _check_one(http: httpx.Client, project: str, m: Tracked) -> bool:
    """Assert one memory is wholly in its expected state; True when it is active."""
    got = http.get(f"/v1/memories/{m.memory_id}")
    assert got.status_code == 200, f"{m.token}: acknowledged but not found ({got.text})"
    memory = got.json()
    allowed = {m.content} | ({m.maybe_content} if m.maybe_content else set())
    assert memory["content"] in allowed, f"{m.token}: content is {memory['content']!r}"
    retracted = memory["status"] == "retracted"
    assert retracted == m.retracted or m.maybe_retracted, f"{m.token}: status {memory['status']}"
    history = http.get(f"/v1/memories/{m.memory_id}/history").json()["versions"]
    assert [v["version"] for v in history] == list(range(1, memory["version"] + 1))
    assert history[-1]["memory"]["content"] == memory["content"]
    # Search is hybrid: the keyword part is the results that carry a keyword rank.
    by_token = [
        r["memory"]["id"]
        for r in _search(http, m.token, project)
        if r["explain"]["keyword_rank"] is not None
    ]
    if retracted:
        assert by_token == [], f"{m.token}: a retracted memory is still found"
        return False
    assert by_token == [m.memory_id], f"{m.token}: keyword search found {by_token}"
    # The index holds its current text: searched by that text, the vector the index keeps
    # for it is a near match. The graph search's own hit, or the stored vector read for a
    # keyword match it passed by (approximate: it can, after many updates and deletes), both
    # say so; a lost entry has no distance, and an old text (other random words) is at
    # least 0.2 away, where its own text stays under 0.03.
    text = embedding_text(Memory(title=memory["title"], content=memory["content"]))
    by_meaning = {r["memory"]["id"]: r["explain"] for r in _search(http, text, project)}
    assert m.memory_id in by_meaning, f"{m.token}: not found by its own text"
    distance = by_meaning[m.memory_id]["vector_distance"]
    assert distance is not None and distance < FRESH_DISTANCE, (
        f"{m.token}: vector index is stale: {by_meaning[m.memory_id]} (version "
        f"{memory['version']}); top: {sorted(by_meaning.values(), key=lambda e: -e['fused'])[:2]}"
    )
    return True


def check_store(http: httpx.Client, ledger: Ledger, threads: int = 4) -> Report:
    """Every tracked memory wholly as acknowledged; the project holds nothing else."""
    tracked = list(ledger.memories.values())
    assert all(m.memory_id for m in tracked), "retry cut-off creates first"
    assert len({m.memory_id for m in tracked}) == len(tracked), "two tokens share a memory"
    with ThreadPoolExecutor(threads) as pool:
        active = list(pool.map(lambda m: _check_one(http, ledger.project, m), tracked))
    for handoff_id, state in ledger.handoffs.items():
        got = http.get(f"/v1/handoffs/{handoff_id}")
        assert got.status_code == 200 and got.json()["state"] == state, got.text
    projects = {p["project"]: p for p in http.get("/v1/projects").json()}
    expected = sum(active) + len(ledger.handoffs)
    assert projects[ledger.project]["memories"] == expected, "untracked or missing memories"
    ids = {m.memory_id for m, a in zip(tracked, active, strict=True) if a and m.memory_id}
    return Report(active_ids=ids | set(ledger.handoffs), checked=len(tracked))

"""Mixed agent traffic for load and concurrency runs: remember, change, search, recall, hand off.

Every response is checked as it arrives (any non-2xx is a failure) and every write is
tracked in a Ledger, so that the store can be compared with what was acknowledged.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.ledger import WORDS, Ledger, create_memory, patch_memory, retract_memory


@dataclass
class Tally:
    """Requests by kind, with their latencies in seconds."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def _post(
    http: httpx.Client, tally: Tally, ledger: Ledger, kind: str, path: str, body: dict[str, Any]
) -> httpx.Response | None:
    """POST, time it, and note any failure; the response when it succeeded."""
    started = time.perf_counter()
    try:
        response = http.post(path, json=body)
    except httpx.TransportError as exc:
        with ledger.lock:
            ledger.failures.append(f"{kind}: {type(exc).__name__} {exc}")
        return None
    tally.add(kind, time.perf_counter() - started)
    if response.status_code >= 300:
        ledger.note_failure(kind, response)
        return None
    return response


def mixed_loop(
    url: str,
    ledger: Ledger,
    name: str,
    until: float,
    seed: int,
    tally: Tally,
    *,
    handoffs: bool,
) -> None:
    """One client: a realistic mix of an agent's calls until the monotonic deadline."""
    rng = random.Random(seed)
    agent = f"agent-{name}"
    with httpx.Client(base_url=url, timeout=120) as http:
        n = 0
        while time.monotonic() < until:
            n += 1
            roll = rng.random()
            live = [m for m in ledger.owned(name) if not m.retracted]
            query = " ".join(rng.choice(WORDS) for _ in range(4))
            started = time.perf_counter()
            try:
                if roll < 0.35 or not live:
                    create_memory(http, ledger, f"zq{name}x{n}", rng, owner=name)
                    tally.add("remember", time.perf_counter() - started)
                    continue
                if roll < 0.45:
                    patch_memory(http, ledger, rng.choice(live), rng)
                    tally.add("update", time.perf_counter() - started)
                    continue
                if roll < 0.50:
                    retract_memory(http, ledger, rng.choice(live))
                    tally.add("retract", time.perf_counter() - started)
                    continue
            except httpx.TransportError as exc:
                with ledger.lock:
                    ledger.failures.append(f"write: {type(exc).__name__} {exc}")
                continue
            if roll < 0.75:
                body = {"query": query, "project": ledger.project, "k": 10}
                _post(http, tally, ledger, "search", "/v1/search", body)
            elif roll < 0.90 or not handoffs:
                body = {"agent": agent, "project": ledger.project, "query": query}
                _post(http, tally, ledger, "recall", "/v1/recall", body)
            else:
                _hand_off(http, ledger, tally, agent, f"zq{name}h{n}", rng)


def _hand_off(
    http: httpx.Client, ledger: Ledger, tally: Tally, sender: str, token: str, rng: random.Random
) -> None:
    receiver = f"receiver-{rng.randrange(3)}"
    body = {
        "project": ledger.project,
        "from_agent": sender,
        "to_agent": receiver,
        "summary": f"{token} hand over " + " ".join(rng.choice(WORDS) for _ in range(8)),
        "pending": ["review the change"],
    }
    created = _post(http, tally, ledger, "handoff", "/v1/handoffs", body)
    if created is None:
        return
    handoff_id = created.json()["id"]
    with ledger.lock:
        ledger.handoffs[handoff_id] = "open"
    ack = f"/v1/handoffs/{handoff_id}/ack"
    acked = _post(http, tally, ledger, "handoff-ack", ack, {"actor": receiver})
    if acked is not None:
        with ledger.lock:
            ledger.handoffs[handoff_id] = "acknowledged"

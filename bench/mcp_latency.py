"""Search latency over MCP stdio against REST, measured in the same run on one service.

    python -m bench mcp [--searches 100] [--memories 200]

One service (embedded defaults, temp data dir, free loopback port) holds `--memories`
memories in one project. Then `--searches` distinct queries go over REST (one keep-alive
httpx client) and as many over MCP stdio (the SDK's client talking to an `agentmem mcp`
process, which keeps one client to the service), alternating which goes first, after a few
untimed warm-up calls each. Printed: p50 and p95 of each, and the ratio stdio / REST.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import httpx

from bench import corpus
from bench.locomo import percentile
from bench.service import running_service

AGENTMEM = Path(sys.executable).parent / "agentmem"
PROJECT = "bench-mcp"
AGENT = "backend-architect"
WARM_UP = 5
TARGET = 1.5


def seed(url: str, count: int) -> None:
    """Remember `count` corpus memories in the benchmark's project, in one batch."""
    memories = corpus.memories(0, count)
    for memory in memories:
        memory["project"] = PROJECT
    with httpx.Client(base_url=url, timeout=900) as client:
        for offset in range(0, count, 500):
            body = {"memories": memories[offset : offset + 500]}
            client.post("/v1/memories/batch", json=body).raise_for_status()


async def measure(url: str, searches: int) -> dict[str, list[float]]:
    """Latencies in ms of `searches` searches over each transport, alternating."""
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTMEM_")}
    env |= {"AGENTMEM_URL": url, "AGENTMEM_AGENT": AGENT, "AGENTMEM_PROJECT": PROJECT}
    params = StdioServerParameters(command=str(AGENTMEM), args=["mcp"], env=env)
    questions = corpus.queries(2 * (WARM_UP + searches))
    async with (
        httpx.AsyncClient(base_url=url, timeout=60) as rest,
        stdio_client(params) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()

        async def over_rest(query: str) -> None:
            # The body `agentmem mcp` sends for search(query, k=10), so both do the same work.
            body = {"query": query, "project": PROJECT, "include_superseded": False, "k": 10}
            response = await rest.post("/v1/search", json=body)
            response.raise_for_status()
            response.json()

        async def over_stdio(query: str) -> None:
            result = await session.call_tool("search", {"query": query, "k": 10})
            if result.is_error:
                raise RuntimeError(f"MCP search failed: {result.content}")

        timings: dict[str, list[float]] = {"rest": [], "stdio": []}
        for i in range(WARM_UP + searches):
            pair: list[tuple[str, Callable[[str], Awaitable[None]], str]] = [
                ("rest", over_rest, questions[2 * i]),
                ("stdio", over_stdio, questions[2 * i + 1]),
            ]
            # Alternating which goes first keeps either from always following the other.
            for name, search, query in pair[:: -1 if i % 2 else 1]:
                start = time.perf_counter()
                await search(query)
                if i >= WARM_UP:
                    timings[name].append((time.perf_counter() - start) * 1000)
    return timings


def report(timings: dict[str, list[float]], memories: int) -> str:
    """p50/p95 per transport and the ratio of MCP stdio to REST, as plain text."""
    p = {name: (percentile(ms, 50), percentile(ms, 95)) for name, ms in timings.items()}
    ratio50 = p["stdio"][0] / p["rest"][0]
    ratio95 = p["stdio"][1] / p["rest"][1]
    searches = len(timings["rest"])
    return "\n".join(
        [
            f"search latency, {searches} searches per transport, alternating, "
            f"{memories} memories (one service on loopback)",
            "",
            f"REST (httpx keep-alive)    p50 {p['rest'][0]:7.1f} ms   p95 {p['rest'][1]:7.1f} ms",
            f"MCP stdio (agentmem mcp)   p50 {p['stdio'][0]:7.1f} ms   p95 {p['stdio'][1]:7.1f} ms",
            f"ratio stdio/REST: p50 {ratio50:.2f} (target <= {TARGET}), p95 {ratio95:.2f}",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    """Start a service, seed it, time both transports and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench mcp", description=__doc__)
    parser.add_argument("--searches", type=int, default=100, help="Timed searches per transport.")
    parser.add_argument("--memories", type=int, default=200, help="Memories to seed.")
    args = parser.parse_args(argv)
    with running_service() as service:
        seed(service.url, args.memories)
        timings = anyio.run(measure, service.url, args.searches)
    print(report(timings, args.memories))

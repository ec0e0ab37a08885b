"""Load benchmark: the same mixed agent traffic against both stacks, side by side.

    python -m bench.load [--seconds 30] [--clients 16] [--workers 2]

Starts the embedded stack (one process: SQLite + embedded Chroma) and the scale-out stack
(`--workers` processes on a real PostgreSQL and a real `chroma run` server, both started
here from the installed binaries) and drives each for the same time with the same mix from
the same number of clients: remember, update, retract, search, recall, handoff. Prints
throughput and p50/p95/p99 latency per request kind for both stacks, and each scale-out
figure as a ratio to the embedded one measured in the same run (the baseline).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.ledger import Ledger
from tests.support.servers import fresh_collection, start_chroma, start_postgres
from tests.support.service import start_service
from tests.support.traffic import Tally, mixed_loop

KINDS = ("remember", "update", "search", "recall", "handoff")


@dataclass
class Figures:
    """One stack's run: requests per second overall and latency percentiles by kind (ms)."""

    stack: str
    throughput: float
    requests: int
    failures: int
    percentiles: dict[str, tuple[float, float, float]]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of latencies in seconds, in milliseconds."""
    if len(samples) < 2:
        only = samples[0] * 1000 if samples else float("nan")
        return only, only, only
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def drive(url: str, *, stack: str, clients: int, seconds: float, seed: int) -> Figures:
    """Run `clients` mixed-traffic threads against `url` for `seconds`."""
    ledgers = [Ledger(project=f"load-{i}") for i in range(4)]
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=mixed_loop,
            args=(url, ledgers[i % 4], f"c{i}", until, seed + i, tally),
            kwargs={"handoffs": True},
        )
        for i in range(clients)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return Figures(
        stack=stack,
        throughput=tally.total / elapsed,
        requests=tally.total,
        failures=sum(len(ledger.failures) for ledger in ledgers),
        percentiles={k: percentiles(tally.latencies.get(k, [])) for k in KINDS},
    )


def report(baseline: Figures, other: Figures) -> str:
    """Both stacks side by side, with the other as a ratio to the baseline."""
    rows = [
        f"{'':22}{baseline.stack:>24}{other.stack:>24}{'ratio':>9}",
        f"{'throughput (req/s)':22}{baseline.throughput:>24.1f}{other.throughput:>24.1f}"
        f"{other.throughput / baseline.throughput:>8.2f}x",
        f"{'requests / failures':22}{f'{baseline.requests} / {baseline.failures}':>24}"
        f"{f'{other.requests} / {other.failures}':>24}",
    ]
    for kind in KINDS:
        base, them = baseline.percentiles[kind], other.percentiles[kind]
        cells = ["/".join(f"{v:.0f}" for v in figures) for figures in (base, them)]
        rows.append(
            f"{kind + ' p50/95/99 ms':22}{cells[0]:>24}{cells[1]:>24}{them[0] / base[0]:>8.2f}x"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--seconds", type=float, default=30, help="Traffic time per stack.")
    parser.add_argument("--clients", type=int, default=16, help="Concurrent clients.")
    parser.add_argument("--workers", type=int, default=2, help="Scale-out worker processes.")
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="bench-load-"))
    postgres, chroma = start_postgres(), start_chroma()
    try:
        embedded = start_service(root / "embedded" / "data")
        try:
            base = drive(
                embedded.url,
                stack="embedded (1 process)",
                clients=args.clients,
                seconds=args.seconds,
                seed=args.seed,
            )
        finally:
            embedded.stop()
        env = {
            "MEMORY_DATABASE_URL": postgres.fresh_database(),
            "MEMORY_CHROMA_URL": chroma.url,
            "MEMORY_CHROMA_COLLECTION": fresh_collection(),
        }
        scaled = start_service(root / "scaleout" / "data", "--workers", str(args.workers), **env)
        try:
            other = drive(
                scaled.url,
                stack=f"scale-out ({args.workers} workers)",
                clients=args.clients,
                seconds=args.seconds,
                seed=args.seed,
            )
        finally:
            scaled.stop()
    finally:
        postgres.stop()
        chroma.stop()
    print(f"{args.clients} clients, {args.seconds:.0f} s per stack, seed {args.seed}")
    print(report(base, other))


if __name__ == "__main__":
    main()

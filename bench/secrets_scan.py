"""What the secret scan adds to a write, against embedding the same text in the same run.

    python -m bench.secrets_scan [--repeat 9]

For memories of about 0.5, 4 and 32 KB (the content limit) of ordinary prose, and 32 KB of
JWT-like tokens joined by dots (hostile input: one long run of token characters with a
match every few hundred), prints the median time to scan and redact them
(`services.write_path.secrets.redact`) and to embed them with the real model (what every
write pays anyway), and the ratio scan / embed. The target: the scan stays well under the
embedding it precedes, for hostile input too.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import statistics
import time
from collections.abc import Callable

from memory_service.services.write_path.secrets import detectors, redact
from memory_service.store.embedding.embedder import Embedder

LINE = (
    "The orders service keeps one table per aggregate; commit 3f786850e387 moved totals "
    "server-side and the API returns cursor pages of 50 items.\n"
)


def jwt_like(rng: random.Random) -> str:
    """A header.payload.signature token of the shape JWT detectors look for."""

    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    header = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = part(json.dumps({"sub": str(rng.random())}).encode())
    return f"{header}.{payload}.{part(rng.randbytes(32))}"


def median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    embedder = Embedder()
    detectors()  # load the detectors once, as a running service has
    embedder.embed(["warm up"])
    print(f"{'text':>7} {'size':>8} {'scan ms':>9} {'embed ms':>9} {'scan/embed':>11}")
    rng = random.Random(7)
    hostile = ".".join(jwt_like(rng) for _ in range(400))[: 32 * 1024]
    texts = [LINE * max(1, int(kb * 1024 / len(LINE))) for kb in (0.5, 4, 32)] + [hostile]
    for label, text in zip(("prose", "prose", "prose", "tokens"), texts, strict=True):
        scan = median_ms(lambda t=text: redact(t), args.repeat)  # type: ignore[misc]
        embed = median_ms(lambda t=text: embedder.embed([t]), args.repeat)  # type: ignore[misc]
        size = f"{len(text) / 1024:.1f}KB"
        print(f"{label:>7} {size:>8} {scan:>9.2f} {embed:>9.2f} {scan / embed:>11.2f}")


if __name__ == "__main__":
    main()

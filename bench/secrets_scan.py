"""What the secret scan adds to a write, against embedding the same text in the same run.

    python -m bench.secrets_scan [--repeat 9]

For memories of about 0.5, 4 and 32 KB (the content limit) of ordinary prose, and 32 KB of
JWT-like tokens joined by dots (hostile input: one long run of token characters with a
match every hundred or so), prints the median time to scan and redact them
(`services.write_path.secrets.redact`) and to embed them with the real model (what every
write pays anyway), and the ratio scan / embed. Then the whole write through the API, the
app in process on a fresh store: the median of POST /v1/memories for the 32 KB prose and
the 32 KB of tokens, and their ratio (the target: hostile input costs at most 3x prose).
Last, the formats of the test corpus (tests/security/secret_corpus.py) that detect-secrets
alone redacts whole, against the service's scan.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.services.write_path.secrets import detectors, find_secrets, redact
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from tests.security.secret_corpus import POSITIVES
from tests.support.service import IN_PROCESS_URL

LINE = (
    "The orders service keeps one table per aggregate; commit 3f786850e387 moved totals "
    "server-side and the API returns cursor pages of 50 items.\n"
)
LIMIT = 32 * 1024


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


def scan_rows(embedder: Embedder, prose: list[str], hostile: str, repeat: int) -> None:
    """Scan against embedding, text by text."""
    print(f"{'text':>7} {'size':>8} {'scan ms':>9} {'embed ms':>9} {'scan/embed':>11}")
    for label, text in zip(("prose", "prose", "prose", "tokens"), [*prose, hostile], strict=True):
        scan = median_ms(lambda t=text: redact(t), repeat)  # type: ignore[misc]
        embed = median_ms(lambda t=text: embedder.embed([t]), repeat)  # type: ignore[misc]
        size = f"{len(text) / 1024:.1f}KB"
        print(f"{label:>7} {size:>8} {scan:>9.2f} {embed:>9.2f} {scan / embed:>11.2f}")


def api_rows(embedder: Embedder, prose: str, hostile: str, repeat: int) -> None:
    """POST /v1/memories of 32 KB of prose and of tokens, each write a new memory."""
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir)), embedder=embedder)
        with TestClient(app, base_url=IN_PROCESS_URL) as client:
            runs = iter(range(10**6))

            def post(text: str) -> None:
                # A new prefix each time, so no write is answered by an earlier identical one.
                head = f"run {next(runs)}: "
                body = {"project": "bench", "agent": "bench", "content": head + text}
                body["content"] = body["content"][:LIMIT]
                assert client.post("/v1/memories", json=body).status_code == 201

            post(prose)  # warm the path once
            medians = {
                label: median_ms(lambda t=text: post(t), repeat)  # type: ignore[misc]
                for label, text in (("prose", prose), ("tokens", hostile))
            }
    print(f"\nPOST /v1/memories, 32 KB, median of {repeat}:")
    for label, ms in medians.items():
        print(f"{label:>7} {ms:>9.2f} ms")
    print(f"tokens / prose: {medians['tokens'] / medians['prose']:.2f} (target <= 3)")


def _covered_by_detect_secrets(text: str, secret: str) -> bool:
    """Whether detect-secrets' own detectors (all but the entropy and IP ones) report
    values that cover every character of `secret` in `text`."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    noisy = {"Base64 High Entropy String", "Hex High Entropy String", "Public IP (ipv4)"}
    found = get_mapping_from_secret_type_to_class()
    start = text.index(secret)
    hit = [False] * len(secret)
    for kind, cls in found.items():
        if kind in noisy:
            continue
        for value in cls().analyze_string(text):
            at = text.find(value) if value else -1
            while at >= 0:
                for i in range(max(at, start), min(at + len(value), start + len(secret))):
                    hit[i - start] = True
                at = text.find(value, at + 1)
    return all(hit)


def coverage_rows() -> None:
    """Corpus formats redacted whole by detect-secrets alone and by the service's scan."""
    formats = sorted({e.format for e in POSITIVES})
    alone = set(formats)
    ours = set(formats)
    for example in POSITIVES:
        if not _covered_by_detect_secrets(example.text, example.secret):
            alone.discard(example.format)
        spans = find_secrets(example.text)
        start = example.text.index(example.secret)
        if not any(a <= start and start + len(example.secret) <= b for a, b, _ in spans):
            ours.discard(example.format)
    print(f"\ncorpus formats redacted whole (every example), of {len(formats)}:")
    print(f"detect-secrets alone {len(alone):>3}   the service's scan {len(ours):>3}")
    print("missed by detect-secrets alone: " + ", ".join(sorted(set(formats) - alone)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    embedder = Embedder()
    detectors()  # load the detectors once, as a running service has
    embedder.embed(["warm up"])
    rng = random.Random(7)
    hostile = ".".join(jwt_like(rng) for _ in range(400))[:LIMIT]
    prose = [LINE * max(1, int(kb * 1024 / len(LINE))) for kb in (0.5, 4, 32)]
    scan_rows(embedder, prose, hostile, args.repeat)
    api_rows(embedder, prose[-1], hostile, args.repeat)
    coverage_rows()


if __name__ == "__main__":
    main()

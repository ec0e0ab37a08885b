"""The MCP latency benchmark's smoke run: both transports timed and their ratio printed.

Correctness only: no figure here is compared with a time budget.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_smoke_run_prints_both_transports_and_their_ratio() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "mcp", "--searches", "3", "--memories", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "3 searches per transport" in done.stdout
    for transport in ("REST (httpx keep-alive)", "MCP stdio (agentmem mcp)"):
        [line] = [row for row in done.stdout.splitlines() if row.startswith(transport)]
        p50, p95 = (float(ms) for ms in re.findall(r"p\d\d +([\d.]+) ms", line))
        assert 0 < p50 <= p95
    assert re.search(
        r"^ratio stdio/REST: p50 [\d.]+ \(target <= 1.5\), p95 [\d.]+$", done.stdout, re.M
    )

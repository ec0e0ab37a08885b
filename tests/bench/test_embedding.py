"""The embedding benchmark's cross-CPU check: vectors saved on one machine compare with
another's (here the same machine, so they must agree within the model's guarantee)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.support.model import SAME_TEXT

ROOT = Path(__file__).resolve().parents[2]


def _bench(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "embedding", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_saved_vectors_compare_equal_on_the_same_machine(tmp_path: Path) -> None:
    saved = tmp_path / "vectors.npy"
    assert "saved 32 vectors of all-MiniLM-L6-v2@int8-v2" in _bench("--save", str(saved))
    compared = _bench("--compare", str(saved))
    [distance] = re.findall(r"vectors of 32 texts: (\S+)$", compared.strip())
    assert float(distance) <= SAME_TEXT

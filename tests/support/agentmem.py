"""The real `agentmem` executable run as a subprocess, as an agent's shell would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AGENTMEM = Path(sys.executable).parent / "agentmem"


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any AGENTMEM_* the developer's shell may carry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTMEM_")}
    env.update(extra)
    return env


def agentmem(*args: str, cwd: Path, timeout: float = 60, **env: str) -> Ran:
    """Run the real `agentmem` executable; env keys are AGENTMEM_* names without the prefix."""
    proc = subprocess.run(
        [str(AGENTMEM), *args],
        cwd=cwd,
        env=clean_env(**{f"AGENTMEM_{k.upper()}": v for k, v in env.items()}),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Ran(proc.returncode, proc.stdout, proc.stderr)

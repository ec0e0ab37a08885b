"""How fast `agentmem --help` answers, against a bare Python start measured in the same run.

    python -m bench.cli_help [--repeat 15]

Runs each command as a fresh process (as a shell does) and prints the median wall time of
`python -c pass` (the floor no CLI can beat), `agentmem --help`, `agentmem inbox --help`
and, for scale, `python -c "import httpx, rich, pydantic"` (what a command pays when it
talks to the service). The target is `agentmem --help` under 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

AGENTMEM = str(Path(sys.executable).parent / "agentmem")
CASES = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "agentmem --help": [AGENTMEM, "--help"],
    "agentmem inbox --help": [AGENTMEM, "inbox", "--help"],
    "import httpx, rich, pydantic": [sys.executable, "-c", "import httpx, rich, pydantic"],
}


def median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    baseline = median_seconds(CASES["python -c pass (baseline)"], args.repeat)
    print(f"{'command':<32} {'median s':>9} {'x baseline':>11}")
    for name, command in CASES.items():
        seconds = baseline if "baseline" in name else median_seconds(command, args.repeat)
        print(f"{name:<32} {seconds:>9.3f} {seconds / baseline:>10.1f}x")
    help_s = median_seconds(CASES["agentmem --help"], args.repeat)
    verdict = "meets" if help_s < 0.5 else "MISSES"
    print(f"agentmem --help: {help_s:.3f} s median, {verdict} the 0.5 s target")


if __name__ == "__main__":
    main()

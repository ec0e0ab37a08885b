"""The mem0 side of `python -m bench mem0`, run by the python of the mem0 venv (bench/mem0_env.py).

    python -I bench/mem0_worker.py JOB.json RESULT.json

Standard library and mem0 only. The job names the model directory, a temp dir, the memories
to load in bulk (mem0's add in a loop), the sample added one at a time and timed, and the
questions (k results each, within the question's user_id). The result holds the timings and,
per question, the dia_id of each result (from the metadata attached on add). An audit hook
refuses every socket connection off this machine and lists the attempts in the result.
(-I keeps bench/ off sys.path, where bench/mem0.py would shadow the mem0 package.)
"""

from __future__ import annotations

import ipaddress
import json
import socket
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

ATTEMPTS: list[str] = []


def _local(host: object) -> bool:
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _guard(event: str, args: tuple[Any, ...]) -> None:
    """Refuse connections and name look-ups that leave the machine; keep a note of them."""
    if event == "socket.connect":
        sock, address = args[0], args[1]
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
            ATTEMPTS.append(f"connect {address!r}")
            raise ConnectionRefusedError(f"bench: no network for mem0 ({address!r})")
    elif event == "socket.getaddrinfo" and not _local(args[0]):
        ATTEMPTS.append(f"getaddrinfo {args[0]!r}")
        raise socket.gaierror(f"bench: no network for mem0 ({args[0]!r})")


def make_memory(job: dict[str, Any]) -> Any:
    from mem0 import Memory

    tmp = Path(job["tmp"])
    return Memory.from_config(
        {
            "vector_store": {
                "provider": "chroma",
                "config": {"collection_name": "locomo", "path": str(tmp / "chroma")},
            },
            "embedder": {
                "provider": "huggingface",
                "config": {"model": job["model"], "embedding_dims": 384},
            },
            "history_db_path": str(tmp / "history.db"),
        }
    )


def add(memory: Any, item: dict[str, Any]) -> None:
    memory.add(item["content"], user_id=item["user_id"], metadata=item["metadata"], infer=False)


def run(job: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    memory = make_memory(job)
    init_s = time.perf_counter() - started
    started = time.perf_counter()
    for item in job["bulk"]:
        add(memory, item)
    bulk_s = time.perf_counter() - started
    add_ms = []
    for item in job["sample"]:
        started = time.perf_counter()
        add(memory, item)
        add_ms.append((time.perf_counter() - started) * 1000)
    search_ms, ranked = [], []
    for q in job["questions"]:
        started = time.perf_counter()
        found = memory.search(q["query"], top_k=job["k"], filters={"user_id": q["user_id"]})
        search_ms.append((time.perf_counter() - started) * 1000)
        ranked.append([(r.get("metadata") or {}).get("dia_id") for r in found["results"]])
    return {
        "mem0ai": version("mem0ai"),
        "init_s": init_s,
        "bulk_s": bulk_s,
        "add_ms": add_ms,
        "search_ms": search_ms,
        "ranked": ranked,
        "network_attempts": ATTEMPTS,
    }


def main() -> None:
    job_path, result_path = Path(sys.argv[1]), Path(sys.argv[2])
    sys.addaudithook(_guard)
    result = run(json.loads(job_path.read_text()))
    result_path.write_text(json.dumps(result))


if __name__ == "__main__":
    main()

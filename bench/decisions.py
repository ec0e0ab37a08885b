"""Decision recall through the public HTTP API of a real service process.

    python -m bench decisions [--data DIR] [--json PATH] [--smoke]

Remembers the architecture decision records of public projects (bench/data/decisions, one
service project each) oldest first with POST /v1/memories, a replacement with `supersedes`
set to the decision it replaced, waits for the index, then asks every blind question with
POST /v1/search in its project (kinds=["decision"], k=10) in each mode: hybrid (the default
ranking, with its relevance floor), hybrid with min_score=0 (what the floor costs), vector
and keyword. Prints hit@1, hit@3, MRR@10 and superseded leaks (a replaced decision in the
top 3), overall and per project.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from bench.decisions_data import DATA_DIR, Project, first_gold_rank, leaked, load, memory_body
from bench.locomo import wait_indexed
from bench.service import running_service

K = 10
# Each row's search request: hybrid as served, hybrid without its floor, and the baselines.
MODES: dict[str, dict[str, Any]] = {
    "hybrid": {"mode": "hybrid"},
    "no-floor": {"mode": "hybrid", "min_score": 0},
    "vector": {"mode": "vector"},
    "keyword": {"mode": "keyword"},
}


def remember_all(client: httpx.Client, projects: list[Project]) -> dict[str, str]:
    """Remember every decision oldest first; the map from decision id to memory id."""
    memory_of: dict[str, str] = {}
    for project in projects:
        for decision in project.decisions:
            replaced = memory_of[decision.supersedes] if decision.supersedes else None
            body = memory_body(project, decision, replaced)
            response = client.post("/v1/memories", json=body)
            if response.status_code >= 400:
                raise RuntimeError(
                    f"remembering {decision.id} failed ({response.status_code}): "
                    f"{response.text[:500]}; fix that record in the data"
                )
            memory_of[decision.id] = response.json()["id"]
    return memory_of


def ask_all(
    client: httpx.Client,
    projects: list[Project],
    memory_of: dict[str, str],
    request: dict[str, Any],
) -> list[dict[str, Any]]:
    """One row per question: its project, the gold's rank, a leak, and the result count."""
    rows = []
    for project in projects:
        for q in project.questions:
            body = {
                "query": q.text,
                "project": project.slug,
                "k": K,
                "kinds": ["decision"],
                **request,
            }
            response = client.post("/v1/search", json=body)
            response.raise_for_status()
            ranked = [r["memory"]["id"] for r in response.json()["results"]]
            gold = tuple(memory_of[i] for i in q.gold)
            superseded = tuple(memory_of[i] for i in q.superseded)
            rows.append(
                {
                    "question": q.id,
                    "project": project.slug,
                    "rank": first_gold_rank(ranked, gold),
                    "asks_replaced": bool(superseded),
                    "leak": leaked(ranked, superseded),
                    "results": len(ranked),
                }
            )
    return rows


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """hit@1, hit@3, MRR@10 and leaks over a group of question rows."""
    ranks = [r["rank"] for r in rows]
    return {
        "n": len(rows),
        "hit@1": statistics.fmean(rank == 1 for rank in ranks),
        "hit@3": statistics.fmean(rank is not None and rank <= 3 for rank in ranks),
        "mrr@10": statistics.fmean(1 / rank if rank else 0.0 for rank in ranks),
        "asks_replaced": sum(r["asks_replaced"] for r in rows),
        "leaks": sum(r["leak"] for r in rows),
        "no_results": sum(r["results"] == 0 for r in rows),
    }


def summarise(rows: list[dict[str, Any]], projects: list[Project]) -> dict[str, Any]:
    """The figures overall and per project."""
    groups = {"overall": rows}
    for project in projects:
        groups[project.slug] = [r for r in rows if r["project"] == project.slug]
    return {name: figures(members) for name, members in groups.items() if members}


def run(data: Path, *, projects: int | None, max_questions: int | None) -> dict[str, Any]:
    """Load the decisions into a fresh service and measure every mode; the figures as a dict."""
    loaded = load(data, projects=projects, max_questions=max_questions)
    with running_service() as service, httpx.Client(base_url=service.url, timeout=60) as client:
        start = time.perf_counter()
        memory_of = remember_all(client, loaded)
        wait_indexed(client)
        result: dict[str, Any] = {
            "projects": [p.slug for p in loaded],
            "decisions": sum(len(p.decisions) for p in loaded),
            "superseded": sum(1 for p in loaded for d in p.decisions if d.supersedes),
            "questions": sum(len(p.questions) for p in loaded),
            "load_s": time.perf_counter() - start,
            "modes": {},
            "rows": {},
        }
        for mode, request in MODES.items():
            rows = ask_all(client, loaded, memory_of, request)
            result["modes"][mode] = summarise(rows, loaded)
            result["rows"][mode] = rows
    return result


def report(result: dict[str, Any]) -> str:
    """The figures as a plain-text table."""
    overall = result["modes"]["hybrid"]["overall"]
    lines = [
        f"Decision recall: {', '.join(result['projects'])}; {result['decisions']} decisions "
        f"({result['superseded']} replacing another), {result['questions']} questions "
        f"({overall['asks_replaced']} whose answer replaced a decision); remembered and "
        f"indexed through the API in {result['load_s']:.1f} s; k={K}, kinds=[decision]",
        "",
        f"{'mode':8} {'group':20} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'MRR@10':>7} "
        f"{'leaks@3':>8} {'empty':>5}",
    ]
    for mode, groups in result["modes"].items():
        for group, f in groups.items():
            leaks = f"{f['leaks']}/{f['asks_replaced']}"
            lines.append(
                f"{mode:8} {group:20} {f['n']:4d} {f['hit@1']:6.3f} {f['hit@3']:6.3f} "
                f"{f['mrr@10']:7.3f} {leaks:>8} {f['no_results']:5d}"
            )
        lines.append("")
    lines.append(
        "leaks@3: questions whose answer replaced a decision and that ranked the replaced one "
        "in the top 3; empty: questions with no result above the relevance floor"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench decisions", description=__doc__)
    parser.add_argument(
        "--data", type=Path, default=DATA_DIR, help="Directory of <project>.json + questions.json."
    )
    parser.add_argument(
        "--smoke", action="store_true", help="One project, 5 questions: a quick check."
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args(argv)
    limits = {"projects": 1, "max_questions": 5} if args.smoke else {}
    result = run(
        args.data, projects=limits.get("projects"), max_questions=limits.get("max_questions")
    )
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))

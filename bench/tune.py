"""Tune the hybrid ranking's weights on half of LoCoMo and check them on the other half;
or on two of the decision benchmark's projects, checked on the third.

    python -m bench tune --data ../shared/bench-data/locomo10.json
    python -m bench tune --decisions
    python -m bench tune --decisions --variants
    python -m bench tune --data ../shared/bench-data/locomo10.json --variants

Loads every turn into an in-process store once (the same memories as `bench locomo`, which
measures through HTTP), then asks every question with evidence under each weight setting of
a small grid around the current ones. Settings are ranked by recall@10 on the conversations
the weights are tuned on (the even ones) only; the held-out half is printed beside each, so
a setting that wins by fitting the tuned half shows it there.

With `--decisions`, the decision records are remembered in-process as `bench decisions` does
through HTTP, and the weights a sessionless memory's score uses (vector and keyword) are
tuned by leave-one-project-out folds: for each project, the setting with the best MRR@10 on
the other two is chosen and its figures on the held-out project are printed (decisions/0074).
`--variants` does the same for other scoring rules (bench/rank_variants.py); with `--data`,
it tries pseudo-relevance feedback on LoCoMo (bench/locomo_variants.py).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.decisions_data import DATA_DIR
from bench.locomo import TUNED_ON
from bench.locomo_data import Conversation, load, memory_body, recall_at


def remembered(convs: list[Conversation], data_dir: Path) -> tuple[Any, dict[str, str]]:
    """An in-process store holding every turn (as `bench locomo` loads them through HTTP),
    indexed, and the memory id of each turn by "project/dia_id"."""
    from memory_service.api.app import open_store
    from memory_service.schemas.memories import MemoryCreate
    from memory_service.services import memories
    from memory_service.services.indexing.indexing import sync
    from memory_service.settings import Settings

    store = open_store(Settings(data_dir=data_dir))
    memory_of: dict[str, str] = {}
    for conv in convs:
        bodies = [memory_body(conv, t) for t in conv.turns]
        for start in range(0, len(bodies), 500):
            chunk = bodies[start : start + 500]
            made = memories.remember_many(
                store, items=[MemoryCreate.model_validate(b) for b in chunk]
            )
            for body, created in zip(chunk, made, strict=True):
                memory_of[f"{conv.project}/{body['metadata']['dia_id']}"] = created.memory.id
    sync(store)
    return store, memory_of


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench tune", description=__doc__)
    parser.add_argument("--data", type=Path, help="Path to locomo10.json.")
    parser.add_argument("--top", type=int, default=12, help="Settings to print.")
    parser.add_argument(
        "--decisions",
        nargs="?",
        type=Path,
        const=DATA_DIR,
        help="Tune on the decision records of this directory instead (default: bench/data).",
    )
    parser.add_argument(
        "--variants",
        action="store_true",
        help="Score other ranking rules: on decisions by project folds, on LoCoMo by halves.",
    )
    args = parser.parse_args(argv)
    if args.decisions is not None and args.variants:
        from bench.rank_variants import variants

        variants(args.decisions)
        return
    if args.decisions is not None:
        from bench.tune_decisions import tune_decisions

        tune_decisions(args.decisions)
        return
    if args.data is None:
        parser.error("give --data PATH (locomo10.json) or --decisions")

    if args.variants:
        from bench.locomo_variants import feedback

        feedback(args.data)
        return
    from memory_service.schemas.search import SearchRequest
    from memory_service.services.search import ranking
    from memory_service.services.search.search import search_memories

    convs = load(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        store, memory_of = remembered(convs, Path(tmp))
        current = ranking.HYBRID
        grid = itertools.product(
            [current.vector],
            [current.keyword * f for f in (0.67, 1.0, 1.33)],
            [current.session * f for f in (0.67, 1.0, 1.33)],
            [current.neighbour * f for f in (0.5, 1.0, 1.5, 2.0)],
        )
        results = []
        for vector, keyword, session, neighbour in grid:
            weights = ranking.Weights(vector, keyword, session, neighbour)
            ranking.fuse.__kwdefaults__["weights"] = weights
            halves: dict[bool, list[float]] = {True: [], False: []}
            for index, conv in enumerate(convs):
                for q in conv.questions:
                    request = SearchRequest(query=q.question, project=conv.project, k=10)
                    ranked = [h.memory.id for h in search_memories(store, request=request)]
                    evidence = tuple(memory_of[f"{conv.project}/{e}"] for e in q.evidence)
                    halves[index in TUNED_ON].append(recall_at(ranked, evidence, 10))
            tuned, held = (statistics.fmean(halves[h]) for h in (True, False))
            overall = statistics.fmean(halves[True] + halves[False])
            results.append((tuned, held, overall, weights))
        ranking.fuse.__kwdefaults__["weights"] = current
        store.db.dispose()
    results.sort(key=lambda r: -r[0])
    print("R@10 tuned-on  held-out  overall   weights (vector, keyword, session, neighbour)")
    shown = results[: args.top] + [r for r in results[args.top :] if r[3] == current]
    for tuned, held, overall, w in shown:
        mark = "  <- current" if w == current else ""
        print(
            f"     {tuned:.4f}    {held:.4f}   {overall:.4f}   "
            f"({w.vector:.2f}, {w.keyword:.2f}, {w.session:.2f}, {w.neighbour:.3f}){mark}"
        )

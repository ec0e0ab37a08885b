"""Leave-one-project-out tuning of the weights decisions are ranked by (`bench tune --decisions`).

A decision has no session, so only the vector and keyword weights reach its score. Every
question is asked under each setting of a small grid; for each project, the setting with the
best MRR@10 over the other two projects is chosen and reported on the project held out, so no
figure printed for a project was tuned on its own questions.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.decisions_data import Project, first_gold_rank, load, memory_body

KEYWORD = (0.1, 0.2, 0.3, 0.45, 0.6, 0.9)
Ranks = dict[str, list[int | None]]


def figures(ranks: list[int | None]) -> tuple[float, float, float]:
    """hit@1, hit@3 and MRR@10 of the gold decisions' ranks."""
    return (
        statistics.fmean(r == 1 for r in ranks),
        statistics.fmean(r is not None and r <= 3 for r in ranks),
        statistics.fmean(1 / r if r else 0.0 for r in ranks),
    )


def remembered(projects: list[Project], data_dir: Path) -> tuple[Any, dict[str, str]]:
    """An in-process store holding every project's decisions, oldest first (as `bench
    decisions` remembers them through HTTP), indexed; the memory id of each record's id."""
    from memory_service.api.app import open_store
    from memory_service.schemas.memories import MemoryCreate
    from memory_service.services import memories
    from memory_service.services.indexing.indexing import sync
    from memory_service.settings import Settings

    store = open_store(Settings(data_dir=data_dir))
    memory_of: dict[str, str] = {}
    # Every project first: bm25's word statistics span the whole store, as in the bench.
    for project in projects:
        for d in project.decisions:
            replaced = memory_of[d.supersedes] if d.supersedes else None
            body = MemoryCreate.model_validate(memory_body(project, d, replaced))
            [made] = memories.remember_many(store, items=[body])
            memory_of[d.id] = made.memory.id
    sync(store)
    return store, memory_of


def _ranks_per_setting(data: Path) -> tuple[list[Project], dict[float, Ranks]]:
    """Each keyword weight's gold ranks per project, from one in-process load."""
    from memory_service.schemas.search import SearchRequest
    from memory_service.services.search import ranking
    from memory_service.services.search.search import search_memories

    projects = load(data)
    current = ranking.HYBRID
    # The service reads its weights from `fuse`'s default: set it for each setting.
    defaults = ranking.fuse.__kwdefaults__
    assert defaults is not None
    found: dict[float, Ranks] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store, memory_of = remembered(projects, Path(tmp))
        for keyword in sorted({*KEYWORD, current.keyword}):
            weights = ranking.Weights(current.vector, keyword, current.session, current.neighbour)
            defaults["weights"] = weights
            for project in projects:
                for q in project.questions:
                    request = SearchRequest(
                        query=q.text, project=project.slug, k=10, kinds=["decision"]
                    )
                    ranked = [h.memory.id for h in search_memories(store, request=request)]
                    gold = tuple(memory_of[g] for g in q.gold)
                    found.setdefault(keyword, {}).setdefault(project.slug, []).append(
                        first_gold_rank(ranked, gold)
                    )
        defaults["weights"] = current
        store.db.dispose()
    return projects, found


def tune_decisions(data: Path) -> None:
    """Print, per held-out project, the chosen keyword weight and its figures there."""
    from memory_service.services.search.ranking import HYBRID

    projects, found = _ranks_per_setting(data)
    print("held-out project       keyword  tuned MRR  held hit@1  hit@3  MRR@10 | current")
    held_all: list[int | None] = []
    current_all: list[int | None] = []
    for project in projects:
        others = [p.slug for p in projects if p.slug != project.slug]
        tuned = {k: figures([r for slug in others for r in by[slug]]) for k, by in found.items()}
        # Ties go to the weight nearer the current one: the grid is coarse, the data small.
        chosen = max(tuned, key=lambda k: (tuned[k][2], -abs(k - HYBRID.keyword)))
        held = found[chosen][project.slug]
        now = found[HYBRID.keyword][project.slug]
        held_all += held
        current_all += now
        h1, h3, mrr = figures(held)
        c1, c3, cm = figures(now)
        print(
            f"{project.slug:22} {chosen:7.2f}  {tuned[chosen][2]:9.3f}  {h1:10.3f}  {h3:5.3f}"
            f"  {mrr:6.3f} | {c1:.3f} {c3:.3f} {cm:.3f}"
        )
    h1, h3, mrr = figures(held_all)
    c1, c3, cm = figures(current_all)
    print(
        f"{'pooled held-out':22} {'':7}  {'':9}  {h1:10.3f}  {h3:5.3f}  {mrr:6.3f} | "
        f"{c1:.3f} {c3:.3f} {cm:.3f}"
    )
    print(f"current: keyword weight {HYBRID.keyword} (hit@1, hit@3, MRR@10 per project)")

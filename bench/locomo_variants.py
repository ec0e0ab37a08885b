"""Pseudo-relevance feedback on LoCoMo (`bench tune --data PATH --variants`).

Each question is searched as usual; its query vector is then moved towards the mean of the
stored vectors of the first m results, by beta, and searched again with the same ranking.
Recall at 5 and 10 is printed on the conversations the weights were tuned on and on the
held-out ones, as `bench tune` does. beta 0 is the search as it is.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

import numpy as np

from bench.locomo import TUNED_ON
from bench.locomo_data import load, recall_at
from bench.tune import remembered

SETTINGS = ((0.0, 0), (0.3, 1), (0.3, 3), (0.6, 3), (1.0, 5))


def feedback(data: Path) -> None:
    from memory_service.schemas.search import SearchRequest
    from memory_service.services.search.search import search_memories

    convs = load(data)
    with tempfile.TemporaryDirectory() as tmp:
        store, memory_of = remembered(convs, Path(tmp))
        embedder = store.embedder
        asked = embedder.embed_query
        print("beta  m   tuned-on R@5 / R@10   held-out R@5 / R@10")
        for beta, m in SETTINGS:
            found: dict[bool, dict[int, list[float]]] = {h: {5: [], 10: []} for h in (True, False)}
            for index, conv in enumerate(convs):
                for q in conv.questions:
                    request = SearchRequest(query=q.question, project=conv.project, k=10)
                    hits = search_memories(store, request=request)
                    top = [h.memory.id for h in hits[:m]]
                    stored = store.vectors.embeddings(top, projects=(conv.project,)) if top else {}
                    if beta and stored:
                        moved = np.asarray(asked(q.question), dtype=np.float32)
                        moved += beta * np.mean(list(stored.values()), axis=0)
                        vector = (moved / np.linalg.norm(moved)).tolist()
                        embedder.embed_query = lambda _text, v=vector: v  # type: ignore[method-assign]
                        try:
                            hits = search_memories(store, request=request)
                        finally:
                            embedder.embed_query = asked  # type: ignore[method-assign]
                    ranked = [h.memory.id for h in hits]
                    evidence = tuple(memory_of[f"{conv.project}/{e}"] for e in q.evidence)
                    for k in (5, 10):
                        found[index in TUNED_ON][k].append(recall_at(ranked, evidence, k))
            tuned, held = (
                f"{statistics.fmean(found[h][5]):.3f} / {statistics.fmean(found[h][10]):.3f}"
                for h in (True, False)
            )
            print(f"{beta:4.1f}  {m}   {tuned:>19}   {held:>19}")
        store.db.dispose()

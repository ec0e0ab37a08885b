"""Re-rank the decision benchmark's candidates under other scoring rules (`bench tune --variants`).

Every decision of a project is a candidate: its stored vector, its keyword relevance (FTS5
bm25 over the same columns and weights as search, relative to the query's best match) and
the vectors of its passages (the title with each window of 130 words of content and
reasoning, and the title with the reasoning) are captured once in process. Each family of rules is
then scored under a grid of its settings; for each project the setting with the best MRR@10
on the other two projects is chosen and reported on the project held out, so no held-out
figure was tuned on its own questions. The first row is the ranking search uses today,
reproduced from the captured parts (it matches `bench decisions` through HTTP).
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.decisions_data import first_gold_rank, load
from bench.tune_decisions import figures, remembered
from memory_service.services.search.ranking import HYBRID

# A sessionless memory's keyword weight: its own match counts again as its session's best.
SESSIONLESS = HYBRID.keyword + HYBRID.session


@dataclass
class Asked:
    query: np.ndarray
    relevance: np.ndarray  # keyword relevance per candidate, 0 where no word matches
    gold: tuple[str, ...]


@dataclass
class Captured:
    ids: list[str]
    vectors: np.ndarray
    passages: list[np.ndarray]
    questions: list[Asked]


Rule = Callable[[Captured, Asked], np.ndarray]


def _passages(title: str, text: str, size: int = 130, stride: int = 90) -> list[str]:
    """The title with each window of `size` words of the text (about 180 of the model's
    tokens), `stride` words apart."""
    words = text.split()
    starts = range(0, max(1, len(words) - size + stride), stride)
    return [f"{title}\n{' '.join(words[i : i + size])}" for i in starts if words[i : i + size]] or [
        title
    ]


def capture(data: Path) -> dict[str, Captured]:
    """Each project's live decisions and questions, as search sees them."""
    from memory_service.schemas.search import SearchRequest
    from memory_service.services.search.filters import build_filter
    from memory_service.services.search.ranking import keyword_relevance
    from memory_service.store.keyword import keyword_search
    from memory_service.store.memories import load_memories

    out: dict[str, Captured] = {}
    projects = load(data)
    with tempfile.TemporaryDirectory() as tmp:
        store, memory_of = remembered(projects, Path(tmp))
        for project in projects:
            with store.db.read() as session:
                loaded = load_memories(session, [memory_of[d.id] for d in project.decisions])
            live = [m for m in loaded.values() if m.status != "superseded"]
            ids = [m.id for m in live]
            stored = store.vectors.embeddings(ids, projects=(project.slug,))
            passages = [
                np.asarray(
                    store.embedder.embed(
                        [
                            *_passages(m.title, f"{m.content}\n{m.reasoning}"),
                            f"{m.title}\n{m.reasoning}",
                        ]
                    ),
                    dtype=np.float32,
                )
                for m in live
            ]
            asked = []
            for q in project.questions:
                request = SearchRequest(query=q.text, project=project.slug, kinds=["decision"])
                with store.db.read() as session:
                    hits = keyword_search(
                        session, query=q.text, where=build_filter(request), n=1000, dialect="sqlite"
                    )
                relevance = keyword_relevance(hits)
                asked.append(
                    Asked(
                        np.asarray(store.embedder.embed_query(q.text), dtype=np.float32),
                        np.array([relevance.get(i, 0.0) for i in ids]),
                        tuple(memory_of[g] for g in q.gold),
                    )
                )
            out[project.slug] = Captured(ids, np.stack([stored[i] for i in ids]), passages, asked)
        store.db.dispose()
    return out


def _today(keyword: float) -> Rule:
    return lambda c, a: c.vectors @ a.query + keyword * a.relevance


def _hubness(alpha: float, k: int) -> Rule:
    """Similarity less `alpha` times a decision's mean similarity to its k nearest others."""

    def rule(c: Captured, a: Asked) -> np.ndarray:
        mutual = c.vectors @ c.vectors.T
        np.fill_diagonal(mutual, -1.0)
        crowd = np.sort(mutual, axis=1)[:, -k:].mean(axis=1)
        return c.vectors @ a.query - alpha * crowd + SESSIONLESS * a.relevance

    return rule


def _feedback(beta: float, m: int) -> Rule:
    """The query moved towards the mean of today's top m, then scored as today."""

    def rule(c: Captured, a: Asked) -> np.ndarray:
        top = np.argsort(-_today(SESSIONLESS)(c, a))[:m]
        moved = a.query + beta * c.vectors[top].mean(axis=0)
        return c.vectors @ (moved / np.linalg.norm(moved)) + SESSIONLESS * a.relevance

    return rule


def _passage(share: float, keyword: float) -> Rule:
    """Whole-text similarity mixed with the best passage's."""

    def rule(c: Captured, a: Asked) -> np.ndarray:
        best = np.array([float((p @ a.query).max()) for p in c.passages])
        return (1 - share) * (c.vectors @ a.query) + share * best + keyword * a.relevance

    return rule


FAMILIES: dict[str, dict[str, Rule]] = {
    "today (keyword 0.9 for a sessionless memory)": {"-": _today(SESSIONLESS)},
    "vector only": {"-": lambda c, a: c.vectors @ a.query},
    "keyword weight w": {f"w={w}": _today(w) for w in (0.15, 0.2, 0.3, 0.45, 0.6, 0.9)},
    "hubness correction": {
        f"a={al},k={k}": _hubness(al, k) for al, k in itertools.product((0.25, 0.5, 1.0), (3, 10))
    },
    "pseudo-relevance feedback": {
        f"b={b},m={m}": _feedback(b, m) for b, m in itertools.product((0.2, 0.5, 1.0), (1, 3, 5))
    },
    "best passage": {
        f"s={s},w={w}": _passage(s, w)
        for s, w in itertools.product((0.3, 0.5, 1.0), (0.2, 0.3, 0.45, 0.9))
    },
}


def _ranks(c: Captured, rule: Rule, floor: float = 0.2) -> list[int | None]:
    """The gold's rank per question; the relevance floor (decisions/0065) applies as in search."""
    ranks = []
    for a in c.questions:
        shown = (c.vectors @ a.query >= floor) | (a.relevance > 0)
        order = [j for j in np.argsort(-rule(c, a), kind="stable") if shown[j]][:10]
        ranks.append(first_gold_rank([c.ids[j] for j in order], a.gold))
    return ranks


def _held_out(ranks: dict[str, dict[str, list[int | None]]]) -> tuple[list[int | None], list[str]]:
    """Per project, the setting with the best MRR@10 on the others, and its ranks there."""
    held: list[int | None] = []
    chosen = []
    projects = next(iter(ranks.values()))
    for project in projects:

        def tuned(name: str, project: str = project) -> float:
            return figures([r for p, rs in ranks[name].items() if p != project for r in rs])[2]

        best = max(ranks, key=tuned)
        chosen.append(best)
        held += ranks[best][project]
    return held, chosen


def variants(data: Path) -> None:
    """Print each family's held-out hit@1, hit@3 and MRR@10 (pooled over the three folds)."""
    captured = capture(data)
    print(f"{'family':46} held-out hit@1  hit@3  MRR@10  chosen per held-out project")
    in_sample: list[tuple[float, str]] = []
    for family, settings in FAMILIES.items():
        ranks = {n: {p: _ranks(c, r) for p, c in captured.items()} for n, r in settings.items()}
        held, chosen = _held_out(ranks)
        h1, h3, mrr = figures(held)
        print(f"{family:46} {h1:14.3f}  {h3:5.3f}  {mrr:6.3f}  {', '.join(chosen)}")
        for name, by in ranks.items():
            pooled = [r for rs in by.values() for r in rs]
            in_sample.append((figures(pooled)[0], f"{family}, {name}"))
    top, where = max(in_sample)
    print(f"best hit@1 of any one setting, tuned on every question: {top:.3f} ({where})")

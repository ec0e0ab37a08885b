"""Recall of the vector index against exact search, after many updates and deletes.

    python -m bench churn [--memories 2000] [--rounds 20] [--vectors model|random]

An embedded Chroma collection is filled with N vectors, then churned round after round as
edits, retractions and rollbacks churn it: half the entries get a new vector, 5% are
deleted and as many new ones added. Chroma's graph search (HNSW) is then compared with exact
search (NumPy over every live vector): recall@10 for the benchmark's questions, and at the
entries written in the last round, each queried with its own vector ("found": its own id
is in the ten). The same operations run against Chroma's defaults (the baseline) and the
settings `store/vectors.py` gives a collection (decisions/0072), with query time beside.

`--vectors model` (default): the served model's vectors of the speed corpus's texts, what
the index holds. `--vectors random`: random unit vectors of 384 dimensions, a harder case
with no clusters for the graph to follow.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench import corpus

DIMENSION = 384
BATCH = 100
K = 10


@dataclass
class Churn:
    """One run's operations, replayed alike against every setting."""

    pool: np.ndarray  # every vector an entry may take, unit length
    queries: np.ndarray
    operations: list[tuple[str, list[int], list[int]]]  # (upsert|delete, ids, pool rows)
    live: dict[int, int]  # entry id -> pool row, after the last operation
    fresh: list[int]  # entries written in the last round


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """The rows scaled to unit length, as float32."""
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def vectors(kind: str, count: int, queries: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` pool vectors and `queries` query vectors of the named kind."""
    if kind == "random":
        rng = np.random.default_rng(seed)
        pool = unit_rows(rng.standard_normal((count, DIMENSION)))
        # Near pool vectors, else a query's ten nearest are no nearer than the rest.
        near = pool[rng.choice(count, queries, replace=False)]
        return pool, unit_rows(near + 0.3 * unit_rows(rng.standard_normal(near.shape)))
    from memory_service.store.embedding.embedder import Embedder

    embedder = Embedder()
    texts = [m["content"] for m in corpus.memories(0, count)]
    pool = np.asarray(embedder.embed(texts), dtype=np.float32)
    return pool, np.asarray(embedder.embed(corpus.queries(queries)), dtype=np.float32)


def plan(size: int, rounds: int, updated: float, *, kind: str, queries: int, seed: int) -> Churn:
    """The fill and every round's updates, deletes and additions, drawn once."""
    pool, asked = vectors(kind, 3 * size, queries, seed)
    rng = random.Random(seed)
    unused = list(range(size, len(pool)))
    rng.shuffle(unused)
    live = {i: i for i in range(size)}
    operations = [("upsert", list(range(size)), list(range(size)))]
    next_id, fresh = size, []
    for _ in range(rounds):
        changed = rng.sample(sorted(live), int(size * updated))
        gone = rng.sample(sorted(set(live) - set(changed)), size // 20)
        added = list(range(next_id, next_id + size // 20))
        next_id += len(added)
        unused += [live[i] for i in changed + gone]  # their old vectors may come back later
        rows = [unused.pop(0) for _ in changed + added]
        operations += [("upsert", changed + added, rows), ("delete", gone, [])]
        for i in gone:
            del live[i]
        live.update(zip(changed + added, rows, strict=True))
        fresh = changed + added
    return Churn(pool, asked, operations, live, fresh)


def replay(churn: Churn, configuration: dict[str, Any], root: Path) -> Any:
    """A new embedded collection with this HNSW configuration, after every operation."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(root), settings=ChromaSettings(anonymized_telemetry=False)
    )
    collection = client.create_collection(
        "churn", configuration={"hnsw": configuration}, embedding_function=None
    )
    for action, ids, rows in churn.operations:
        for at in range(0, len(ids), BATCH):
            names = [str(i) for i in ids[at : at + BATCH]]
            if action == "delete":
                collection.delete(ids=names)
            else:
                collection.upsert(ids=names, embeddings=churn.pool[rows[at : at + BATCH]])
    return collection


def recall(collection: Any, churn: Churn, asked: np.ndarray) -> tuple[float, float, float]:
    """recall@10 against exact search, the share of rows of `asked` found by their own id
    (meaningful for fresh entries only), and the median query time in ms."""
    ids = np.array(sorted(churn.live))
    stored = churn.pool[[churn.live[i] for i in ids]]
    exact = ids[np.argsort(-(asked @ stored.T), axis=1)[:, :K]]
    found, times = [], []
    for row in asked:
        began = time.perf_counter()
        got = collection.query(query_embeddings=[row], n_results=K, include=[])["ids"][0]
        times.append((time.perf_counter() - began) * 1000)
        found.append([int(i) for i in got])
    hits = [len(set(f) & set(e.tolist())) / K for f, e in zip(found, exact, strict=True)]
    own = [int(e[0]) in f for f, e in zip(found, exact, strict=True)]
    return statistics.fmean(hits), statistics.fmean(own), statistics.median(times)


def measure(churn: Churn, settings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each setting's figures on the same churn."""
    at_fresh = churn.pool[[churn.live[i] for i in churn.fresh]]
    out: dict[str, Any] = {}
    for name, configuration in settings.items():
        with tempfile.TemporaryDirectory(prefix="bench-churn-") as tmp:
            began = time.perf_counter()
            collection = replay(churn, configuration, Path(tmp))
            churned_s = time.perf_counter() - began
            asked, _, query_ms = recall(collection, churn, churn.queries)
            fresh, own, _ = recall(collection, churn, at_fresh)
        out[name] = {
            "configuration": configuration,
            "recall_at_10": asked,
            "fresh_recall_at_10": fresh,
            "fresh_found": own,
            "query_ms_p50": query_ms,
            "churn_s": churned_s,
        }
    return out


def report(result: dict[str, Any]) -> str:
    """The figures as a plain-text table, query and write times against the first row's."""
    rows = result["settings"]
    first = next(iter(rows.values()))
    head = (
        f"index recall under churn: {result['memories']} entries, {result['rounds']} rounds "
        f"({result['operations']} writes), {result['vectors']} vectors, "
        f"{result['queries']} queries, {result['fresh']} fresh entries"
    )
    width = max(len(n) for n in rows)
    columns = "recall@10  fresh@10  fresh found  query p50         writes"
    lines = [head, "", f"{'setting':{width}}  {columns}"]
    for name, r in rows.items():
        query = f"{r['query_ms_p50']:.2f} ms ({r['query_ms_p50'] / first['query_ms_p50']:.2f} x)"
        writes = f"{r['churn_s']:.1f} s ({r['churn_s'] / first['churn_s']:.2f} x)"
        lines.append(
            f"{name:{width}}  {r['recall_at_10']:9.4f}  {r['fresh_recall_at_10']:8.4f}  "
            f"{r['fresh_found']:11.4f}  {query:16}  {writes}"
        )
    return "\n".join(lines)


def _number(text: str) -> int | float:
    """A `--try` value as Chroma wants it."""
    return float(text) if "." in text else int(text)


def main(argv: list[str] | None = None) -> None:
    from memory_service.store.vectors import HNSW

    parser = argparse.ArgumentParser(prog="python -m bench churn", description=__doc__)
    parser.add_argument("--memories", type=int, default=2000, help="Live entries.")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--updated", type=float, default=0.5, help="Share updated per round.")
    parser.add_argument("--vectors", choices=("model", "random"), default="model")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--try",
        dest="tries",
        action="append",
        default=[],
        metavar="KEY=VALUE[,KEY=VALUE]",
        help="Another HNSW setting over the service's, e.g. ef_search=400,max_neighbors=32.",
    )
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args(argv)
    churn = plan(
        args.memories,
        args.rounds,
        args.updated,
        kind=args.vectors,
        queries=args.queries,
        seed=args.seed,
    )
    settings = {"Chroma's defaults": {"space": "cosine"}, "the service's (0072)": dict(HNSW)}
    for given in args.tries:
        pairs = dict(pair.split("=", 1) for pair in given.split(","))
        settings[f"service's, {given}"] = {**HNSW, **{k: _number(v) for k, v in pairs.items()}}
    result = {
        "memories": args.memories,
        "rounds": args.rounds,
        "vectors": args.vectors,
        "queries": args.queries,
        "operations": sum(len(ids) for _, ids, _ in churn.operations),
        "fresh": len(churn.fresh),
        "settings": measure(churn, settings),
    }
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))

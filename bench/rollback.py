"""Rollback benchmark: a project with 10,000 events rolled back to a mid-way checkpoint.

    python -m bench.rollback [--events 10000]

Prints the dry run, the rollback (SQL transaction and index catch-up separately) and the undo,
each against the time to read the project's events once (the floor: a rollback must at least
read what changed), measured in the same run. Medians of --repeat runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlmodel import col, select

from memory_service.api.app import open_store
from memory_service.models import Event, Memory
from memory_service.schemas.checkpoints import CheckpointCreate
from memory_service.schemas.memories import MemoryCreate
from memory_service.schemas.rollback import RollbackRequest
from memory_service.services import memories
from memory_service.services.history import checkpoints, rollback
from memory_service.services.indexing import indexing
from memory_service.services.write_path.changes import record_change, snapshot
from memory_service.settings import Settings
from memory_service.store import Store

PROJECT = "bench-rollback"


def _changes(store: Store, count: int, rng: random.Random, tag: str) -> None:
    """`count` edits and status changes, written in one transaction through the write path."""
    with store.db.write() as session:
        pool = list(session.exec(select(Memory).where(Memory.project == PROJECT)).all())
        for i in range(count):
            memory = rng.choice(pool)
            before = snapshot(memory)
            if memory.kind == "decision" and i % 3 == 0:
                memory.status = "deprecated" if memory.status == "accepted" else "accepted"
                kind = "status_changed"
            else:
                memory.content = f"{memory.content.split(' [')[0]} [{tag} edit {i}]"
                kind = "updated"
            record_change(
                session, memory=memory, event_type=kind, actor="bench", token=None, before=before
            )


def _create(store: Store, count: int, offset: int) -> None:
    for start in range(0, count, 500):
        items = [
            MemoryCreate(
                project=PROJECT,
                agent="backend-architect",
                kind="decision" if n % 4 == 0 else "note",
                content=f"Memory {n}: service s{n % 97} uses queue q{n % 31} for job {n}.",
                reasoning="benchmark" if n % 4 == 0 else None,
            )
            for n in range(offset + start, offset + min(start + 500, count))
        ]
        memories.remember_many(store, items=items)


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _read_events(store: Store) -> None:
    with store.db.read() as session:
        list(session.exec(select(Event).where(Event.project == PROJECT).order_by(col(Event.seq))))


def run(events: int, repeat: int) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Settings(data_dir=Path(tmp)))
        quarter = events // 4
        _create(store, quarter, 0)
        _changes(store, quarter, rng, "before")
        indexing.sync(store)
        cp = checkpoints.create_checkpoint(
            store, project=PROJECT, body=CheckpointCreate(label="good", agent="qa", known_good=True)
        )
        _create(store, events // 10, quarter)
        _changes(store, events - 2 * quarter - events // 10, rng, "after")
        indexing.sync(store)
        with store.db.read() as session:
            total = len(session.exec(select(Event.seq).where(Event.project == PROJECT)).all())
        floor = statistics.median(_timed(lambda: _read_events(store)) for _ in range(5))
        request = RollbackRequest(to=cp.id, actor="bench", dry_run=True)
        dry = [
            _timed(lambda: rollback.rollback(store, project=PROJECT, request=request))
            for _ in range(repeat)
        ]
        plan = rollback.rollback(store, project=PROJECT, request=request)
        # The SQL transaction alone: skip the index catch-up, then time it separately.
        real = request.model_copy(update={"dry_run": False})
        sync = indexing.sync
        indexing.sync = lambda store: 0  # type: ignore[assignment]
        try:
            start = time.perf_counter()
            outcome = rollback.rollback(store, project=PROJECT, request=real)
            sql_s = time.perf_counter() - start
        finally:
            indexing.sync = sync  # type: ignore[assignment]
        index_s = _timed(lambda: indexing.sync(store))
        assert outcome.rollback is not None
        undo_s = _timed(
            lambda: rollback.undo_rollback(store, rollback_id=outcome.rollback.id, actor="bench")
        )  # type: ignore[union-attr]
    print(f"project events: {total}, reverted memories: {len(plan.changes)}")
    print(f"{'step':<28}{'seconds':>10}{'x floor':>10}")
    rows = [
        ("floor: read all events", floor),
        ("dry run (median)", statistics.median(dry)),
        ("rollback: SQL transaction", sql_s),
        ("rollback: index catch-up", index_s),
        ("rollback total", sql_s + index_s),
        ("undo (incl. index)", undo_s),
    ]
    for name, seconds in rows:
        print(f"{name:<28}{seconds:>10.3f}{seconds / floor:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run(args.events, args.repeat)


if __name__ == "__main__":
    main()

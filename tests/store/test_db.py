"""Writers: group commit on one transaction, each unit of work in its own savepoint; JSON
columns read back exactly what was written."""

from __future__ import annotations

import contextvars
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlmodel import Session, select

from memory_service.models import IndexState
from memory_service.store.db import Database
from memory_service.store.group_commit import Joint

CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("caller", default="nobody")


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'memory.db'}")
    database.migrate()
    return database


def _put(key: str, *, fail: bool = False) -> object:
    def work(session: Session) -> list[str]:
        session.add(IndexState(key=key, value=CALLER.get()))
        session.flush()
        if fail:
            raise ValueError(f"{key} refused")
        return sorted(row.key for row in session.exec(select(IndexState)))

    return work


def _queued(db: Database, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(db._group._queue) < count:  # noqa: SLF001 - waiting for the callers to queue
        assert time.monotonic() < deadline, "writers never queued"
        time.sleep(0.005)


def _as(caller: str, db: Database, work: object) -> list[str]:
    CALLER.set(caller)
    return db.write_together(work)  # type: ignore[arg-type]


def test_writers_that_wait_together_share_a_transaction_and_keep_their_own_errors(
    db: Database,
) -> None:
    running, gate = threading.Event(), threading.Event()

    def first(session: Session) -> list[str]:
        running.set()
        gate.wait(timeout=30)
        return _put("first")(session)  # type: ignore[operator, no-any-return]

    with ThreadPoolExecutor(max_workers=4) as pool:
        one = pool.submit(_as, "a", db, first)
        assert running.wait(timeout=30)  # `first` holds the transaction; two more queue
        two = pool.submit(_as, "b", db, _put("second"))
        _queued(db, 1)
        three: Future[list[str]] = pool.submit(_as, "c", db, _put("third", fail=True))
        _queued(db, 2)
        four = pool.submit(_as, "d", db, _put("fourth"))
        _queued(db, 3)
        gate.set()
        assert one.result() == ["first"]
        assert two.result() == ["first", "second"]
        with pytest.raises(ValueError, match="third refused"):
            three.result()
        # The fourth saw the second's row before any commit (one transaction), and not the
        # third's (its savepoint was rolled back).
        assert four.result() == ["first", "fourth", "second"]
    with db.read() as session:
        rows = {row.key: row.value for row in session.exec(select(IndexState))}
    # Each unit of work ran in its own caller's context, though the first caller ran them.
    assert rows == {"first": "a", "second": "b", "fourth": "d"}


def test_a_lone_writer_commits_at_once(db: Database) -> None:
    CALLER.set("alone")
    assert db.write_together(_put("only")) == ["only"]  # type: ignore[arg-type]
    with db.read() as session:
        assert [row.value for row in session.exec(select(IndexState))] == ["alone"]


def test_json_columns_read_back_what_json_dumps_wrote_beyond_orjson(db: Database) -> None:
    from datetime import UTC, datetime

    from memory_service.models import Memory
    from memory_service.store.memories import load_memories

    # Each in a column of its own: orjson refuses Infinity, so that column always falls back.
    meta = {"big": 2**70 + 1, "id": 12345678901234567890123, "nested": {"n": [1, 2.5, "café"]}}
    consequences = {"ratio": float("inf")}
    now = datetime.now(UTC)
    with db.write() as session:
        session.add(
            Memory(
                id="01JSON0000000000000000000A",
                project="p",
                agent="a",
                kind="note",
                title="t",
                content="c",
                status="active",
                meta=meta,
                consequences=consequences,
                tags=["x"],
                occurred_at=now,
                recorded_at=now,
                updated_at=now,
                content_hash="0" * 64,
            )
        )
    with db.read() as session:
        found = load_memories(session, ["01JSON0000000000000000000A"])
    memory = found["01JSON0000000000000000000A"]
    assert (memory.meta, memory.consequences, memory.tags) == (meta, consequences, ["x"])
    assert isinstance(memory.meta["big"], int)


def _joint(key: str, calls: list[list[str]]) -> Joint:
    """Puts each payload's row in one call; refuses a payload named "bad"."""

    def together(session: Session, keys: list[str]) -> list[list[str]]:
        calls.append(list(keys))
        for k in keys:
            _put(k, fail=k == "bad")(session)  # type: ignore[operator]
        return [[k] for k in keys]

    return Joint("puts", together, key)


def _joined_with_first_holding(
    db: Database, keys: list[str]
) -> tuple[list[Future[list[str]]], list[list[str]]]:
    """`first` holds the transaction while works for `keys` queue with a joint each."""
    running, gate = threading.Event(), threading.Event()
    calls: list[list[str]] = []

    def first(session: Session) -> list[str]:
        running.set()
        gate.wait(timeout=30)
        return _put("first")(session)  # type: ignore[operator, no-any-return]

    pool = ThreadPoolExecutor(max_workers=len(keys) + 1)
    futures = [pool.submit(_as, "a", db, first)]
    assert running.wait(timeout=30)
    for n, key in enumerate(keys, start=1):
        work = _put(key, fail=key == "bad")
        futures.append(
            pool.submit(lambda k=key, w=work: db.write_together(w, joint=_joint(k, calls)))
        )  # type: ignore[misc]
        _queued(db, n)
    gate.set()
    pool.shutdown(wait=True)
    return futures, calls


def test_waiting_works_with_one_joint_key_are_done_in_one_call(db: Database) -> None:
    futures, calls = _joined_with_first_holding(db, ["x", "y", "z"])
    assert [f.result() for f in futures] == [["first"], ["x"], ["y"], ["z"]]
    assert calls == [["x", "y", "z"]]  # one call for the three, not three calls
    with db.read() as session:
        assert sorted(row.key for row in session.exec(select(IndexState))) == [
            "first",
            "x",
            "y",
            "z",
        ]


def test_when_the_joint_call_fails_each_work_is_done_alone_with_its_own_error(
    db: Database,
) -> None:
    futures, calls = _joined_with_first_holding(db, ["x", "bad", "z"])
    assert calls == [["x", "bad", "z"]]  # tried together once, then each alone
    assert futures[1].result() == ["first", "x"]
    with pytest.raises(ValueError, match="bad refused"):
        futures[2].result()
    assert futures[3].result() == ["first", "x", "z"]
    with db.read() as session:
        assert sorted(row.key for row in session.exec(select(IndexState))) == ["first", "x", "z"]

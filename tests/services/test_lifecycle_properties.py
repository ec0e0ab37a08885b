"""Property: whatever sequence of decisions, proposals, reviews, supersessions, retractions,
rollbacks and undos agents and reviewers send, the decision lifecycle's invariants hold
after every step, a refused step changes nothing, and a rollback (or its undo) restores
exactly the state it aims at (decisions/0066)."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from memory_service.api.app import open_store
from memory_service.errors import DomainError, NothingToRollBack
from memory_service.models import Memory
from memory_service.schemas.memories import MemoryCreate, MemoryUpdate
from memory_service.schemas.rollback import RollbackRequest
from memory_service.services import memories
from memory_service.services.history import rollback as rollbacks
from memory_service.services.history.history import current_seq
from memory_service.settings import Settings
from memory_service.store import Store
from memory_service.store.embedding.embedder import Embedder

VOLATILE = ("version", "updated_at")
REPLACEMENT_STATES = ("accepted", "superseded", "deprecated")
_projects = itertools.count()
State = dict[str, dict[str, Any]]

pick = st.integers(0, 40)
op = st.one_of(
    st.tuples(
        st.just("create"),
        st.sampled_from(["accepted", "proposed"]),
        st.one_of(st.none(), pick),
    ),
    st.tuples(st.sampled_from(["accept", "reject", "deprecate"]), pick, st.booleans()),
    st.tuples(st.just("supersede"), pick, pick),
    st.tuples(st.just("retract"), pick, st.none()),
    st.tuples(st.just("mark"), st.none(), st.none()),
    st.tuples(st.just("rollback"), pick, st.none()),
    st.tuples(st.just("undo"), st.none(), st.none()),
)
TARGET = {"accept": "accepted", "reject": "rejected", "deprecate": "deprecated"}
SOURCE = {"accept": "proposed", "reject": "proposed", "deprecate": "accepted"}


@pytest.fixture
def store(tmp_path: Path, embedder: Embedder) -> Iterator[Store]:
    """One real store (SQLite + embedded Chroma) for every example; each its own project.
    In memory-backed /dev/shm when the machine has one: the property is about states, and
    waiting for the disk at each commit would only make its 200 examples slow."""
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else tmp_path) as folder:
        opened = open_store(Settings(data_dir=Path(folder) / "data"), embedder)
        yield opened
        opened.db.dispose()


def _state(store: Store, project: str) -> State:
    with store.db.read() as session:
        rows = session.exec(select(Memory).where(Memory.project == project)).all()
    return {m.id: m.model_dump(exclude={"pk", *VOLATILE}) for m in rows}


def _check_invariants(state: State) -> None:
    """At most one accepted decision per chain; a superseded decision points to a successor
    that was accepted (accepted now, or since superseded or deprecated) and names it back."""
    live = {i: m for i, m in state.items() if m["status"] != "retracted"}
    for i, m in live.items():
        if m["status"] == "superseded":
            successor = state.get(m["superseded_by"] or "")
            assert successor is not None, (i, m["superseded_by"])
            assert successor["status"] in REPLACEMENT_STATES, (i, successor["status"])
            assert successor["supersedes"] == i
        else:
            assert m["superseded_by"] is None, (i, m["status"])
    parent = {i: i for i in live}

    def root(i: str) -> str:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, m in live.items():
        for j in (m["supersedes"], m["superseded_by"]):
            if j in parent:
                parent[root(i)] = root(j)
    accepted = [root(i) for i, m in live.items() if m["status"] == "accepted"]
    assert len(accepted) == len(set(accepted)), "a chain holds two accepted decisions"


class Run:
    """One example's project: the ids it made, the points it marked, its last rollback."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.project = f"life-{next(_projects)}"
        self.ids: list[str] = []
        self.marks: list[tuple[int, State]] = []
        # The last rollback, the state before it and the state it left.
        self.last_rollback: tuple[str, State, State] | None = None

    def nth(self, n: int, status: str | None = None, besides: str | None = None) -> str | None:
        """A memory of the run by `n`: for an even `n`, one in `status` (and not `besides`)
        if there is one, so that legal steps are common; for an odd `n`, any."""
        pool = [i for i in self.ids if i != besides] or self.ids
        if status is not None and n % 2 == 0:
            state = _state(self.store, self.project)
            pool = [i for i in pool if state[i]["status"] == status] or pool
        return pool[n // 2 % len(pool)] if pool else None

    def apply(self, name: str, a: Any, b: Any) -> None:
        """Run one step; a refusal is a DomainError, which must change nothing."""
        store, project = self.store, self.project
        if name == "create":
            old = self.nth(b, "accepted") if b is not None else None
            item = MemoryCreate(
                project=project, agent="architect", kind="decision",
                content=f"Decision {len(self.ids)} of {project}", reasoning="Because.",
                status=a, supersedes=old,
            )  # fmt: skip
            [made] = memories.remember_many(store, items=[item])
            self.ids.append(made.memory.id)
        elif name in TARGET and (memory_id := self.nth(a, SOURCE[name])):
            role = "agent" if b else "reviewer"
            change = MemoryUpdate(status=TARGET[name], actor="reviewer")
            memories.update_memory(store, memory_id=memory_id, changes=change, role=role)
        elif name == "supersede" and (old := self.nth(a, "accepted")):
            new = self.nth(b, "accepted", besides=old) or old
            memories.supersede_memory(store, memory_id=old, by=new, actor="reviewer")
        elif name == "retract" and (memory_id := self.nth(a)):
            memories.retract_memory(store, memory_id=memory_id, actor="architect")
        elif name == "mark":
            with store.db.read() as session:
                self.marks.append((current_seq(session), _state(store, project)))
        elif name == "rollback" and self.marks:
            self._rollback(*self.marks[a % len(self.marks)])
        elif name == "undo" and self.last_rollback:
            self._undo()

    def _rollback(self, seq: int, then: State) -> None:
        before = _state(self.store, self.project)
        request = RollbackRequest(to=str(seq), actor="qa")
        try:
            done = rollbacks.rollback(self.store, project=self.project, request=request)
        except NothingToRollBack:
            done = None
        after = _state(self.store, self.project)
        # Exactly the state then; what was made since is retracted, as it was.
        assert {i: after[i] for i in then} == then
        assert all(after[i] == {**before[i], "status": "retracted"} for i in after if i not in then)
        if done is not None and done.rollback is not None:
            self.last_rollback = (done.rollback.id, before, after)

    def _undo(self) -> None:
        assert self.last_rollback is not None
        rollback_id, before, rolled = self.last_rollback
        self.last_rollback = None
        since = _state(self.store, self.project)
        rollbacks.undo_rollback(self.store, rollback_id=rollback_id, actor="qa")
        # What the rollback changed is exactly as before it; the rest stays as it is. A
        # memory the rollback changed that changed again since refuses the undo (a
        # StateConflict, which must change nothing).
        after = _state(self.store, self.project)
        reverted = {i for i in rolled if before.get(i) != rolled[i]}
        assert {i: after[i] for i in reverted} == {i: before[i] for i in reverted}
        assert {i: after[i] for i in after if i not in reverted} == {
            i: since[i] for i in after if i not in reverted
        }


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(op, min_size=4, max_size=14))
def test_the_lifecycle_keeps_its_invariants_and_restores_are_exact(
    store: Store, steps: list[tuple[str, Any, Any]]
) -> None:
    run = Run(store)
    run.apply("create", "accepted", None)
    run.apply("mark", None, None)
    for name, a, b in steps:
        before = _state(store, run.project)
        try:
            run.apply(name, a, b)
        except DomainError:
            assert _state(store, run.project) == before, f"a refused {name} changed the state"
        _check_invariants(_state(store, run.project))

"""The index writer: drains the outbox on a thread of its own (decisions/0076).

A remember is acknowledged once its memory, event and outbox row are committed in SQL;
this thread then embeds and indexes it. Remembers that commit while a drain runs are taken
by the next drain together, so concurrent writers share one model call and one index write
per project instead of one each. A search first waits for the rows committed before it
(`settle`), so whoever reads after a write, the writer included, finds it.
"""

from __future__ import annotations

import logging
import threading
import time

from memory_service.services.indexing import indexing
from memory_service.store import Store

log = logging.getLogger("memory_service")
# How often a drain runs with nothing to wake it: retries index writes that failed after
# their commit (a Chroma server that was down), and takes rows another replica left.
RETRY_S = 2.0
# How long a search waits for the index to take the writes committed before it.
PATIENCE_S = 10.0
# How often a waiting search looks whether another replica's drain took its rows.
LOOK_S = 0.05


class Indexer:
    """Drains the outbox whenever a write nudges it, and on a timer."""

    def __init__(self, store: Store, *, retry_s: float = RETRY_S) -> None:
        self._store = store
        self._retry_s = retry_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._drained = threading.Condition()
        self._passes = 0
        # Nudges so far, and how many of them the last finished drain covered.
        self._nudges = 0
        self._covered = 0
        self._count_lock = threading.Lock()
        self.failing = False
        self._thread = threading.Thread(target=self._run, name="indexer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Finish the drain under way (the outbox keeps the rest for the next start)."""
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def nudge(self) -> None:
        """Something was committed to the outbox: drain soon."""
        with self._count_lock:
            self._nudges += 1
        self._wake.set()

    def behind(self) -> int:
        """Writes that nudged this writer and are not indexed yet (about: a drain under way
        may have taken some)."""
        return self._nudges - self._covered

    def caught_up(self) -> bool:
        """True when every write that nudged this writer has been indexed (what other
        processes committed is not known here)."""
        return self.behind() == 0

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._retry_s)
            self._wake.clear()
            # Read before the drain reads the outbox: each of these nudges followed a commit
            # that the drain will see.
            nudges = self._nudges
            try:
                # Rows another replica holds are its to index; this thread does not wait.
                indexing.sync(self._store, patience_s=0.0)
                failing = False
                self._covered = nudges
            except Exception:  # noqa: BLE001 - logged, retried on the next pass
                log.exception("outbox drain failed; will retry")
                failing = True
            with self._drained:
                self._passes += 1
                self.failing = failing
                self._drained.notify_all()

    def wait_for(self, high: int, patience_s: float) -> bool:
        """Wait until the outbox holds no row up to `high`; False if the index is failing
        or `patience_s` passed first (the caller then reads the index as it is)."""
        deadline = time.monotonic() + patience_s
        self.nudge()
        while indexing.pending(self._store, high):
            left = deadline - time.monotonic()
            if self.failing or left <= 0:
                return False
            self._await_pass(min(LOOK_S, left))
        return True

    def _await_pass(self, timeout: float) -> None:
        with self._drained:
            passes = self._passes
            self._drained.wait_for(lambda: self._passes != passes, timeout=timeout)


def settle(store: Store, *, patience_s: float = PATIENCE_S) -> None:
    """Bring the index up to the writes committed so far before reading it: through this
    process's index writer when it has one, else by draining here."""
    indexer = store.indexer
    if indexer is not None and store.db.dialect == "sqlite" and indexer.caught_up():
        return  # on SQLite this process is the only writer a search waits for
    high = indexing.newest_row(store)
    if high is None:
        return
    if indexer is None:
        indexing.sync(store)
    else:
        indexer.wait_for(high, patience_s)

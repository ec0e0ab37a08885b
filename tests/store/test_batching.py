"""Micro-batching: callers that wait together share one call, each gets its own results."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from memory_service.store.embedding.batching import MicroBatcher
from memory_service.store.embedding.embedder import Embedder


class Gated:
    """A batch function whose first call blocks until the test opens the gate."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.gate = threading.Event()
        self.batches: list[list[str]] = []
        self.fail_on = fail_on

    def __call__(self, items: list[str]) -> list[str]:
        if not self.batches:
            self.gate.wait(timeout=30)
        self.batches.append(list(items))
        if self.fail_on in items:
            raise ValueError(f"cannot process {self.fail_on}")
        return [item.upper() for item in items]


def _queued(batcher: MicroBatcher[str, str], count: int) -> None:
    deadline = time.monotonic() + 30
    while len(batcher._queue) < count:  # noqa: SLF001 - waiting for the callers to queue
        assert time.monotonic() < deadline, "callers never queued"
        time.sleep(0.005)


def test_callers_that_arrive_during_a_call_share_the_next_one() -> None:
    fn = Gated()
    batcher = MicroBatcher(fn)
    with ThreadPoolExecutor(max_workers=6) as pool:
        first = pool.submit(batcher, ["a"])
        later = [pool.submit(batcher, [c, c + c]) for c in "bcdef"]
        _queued(batcher, 5)
        fn.gate.set()
        assert first.result() == ["A"]
        results = [f.result() for f in later]
    assert results == [[c.upper(), (c + c).upper()] for c in "bcdef"]
    assert batcher.calls == 2 and len(fn.batches[1]) == 10


def test_an_error_reaches_every_caller_of_its_batch_and_no_other() -> None:
    fn = Gated(fail_on="bad")
    batcher = MicroBatcher(fn)
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(batcher, ["ok"])
        later = [pool.submit(batcher, ["bad"]), pool.submit(batcher, ["fine"])]
        _queued(batcher, 2)
        fn.gate.set()
        assert first.result() == ["OK"]
        for future in later:
            with pytest.raises(ValueError, match="cannot process bad"):
                future.result()
    assert batcher(["after"]) == ["AFTER"]


def test_a_batch_holds_at_most_max_items_unless_one_request_is_bigger() -> None:
    fn = Gated()
    batcher = MicroBatcher(fn, max_items=3)
    with ThreadPoolExecutor(max_workers=4) as pool:
        first = pool.submit(batcher, ["x"])
        later = [pool.submit(batcher, items) for items in (["a", "b"], ["c", "d"], list("efghi"))]
        _queued(batcher, 3)
        fn.gate.set()
        first.result()
        assert [f.result() for f in later] == [["A", "B"], ["C", "D"], list("EFGHI")]
    assert [len(b) for b in fn.batches] == [1, 2, 2, 5]


def test_concurrent_embeddings_equal_one_by_one_embeddings(published_embedder: Embedder) -> None:
    # fp32: its vectors do not depend on batch-mates, so any difference is a routing error.
    embedder = published_embedder
    texts = [f"Agent {i} recorded decision number {i} about caching." for i in range(16)]
    alone = [embedder.embed([t])[0] for t in texts]
    with ThreadPoolExecutor(max_workers=16) as pool:
        together = list(pool.map(lambda t: embedder.embed([t])[0], texts))
    np.testing.assert_allclose(np.array(together), np.array(alone), atol=1e-5)

"""Micro-batching: concurrent callers of a batch function share one call.

The first caller runs the function at once (no timer, so a lone request waits for nothing);
callers that arrive while it runs queue up, and when it returns, one of them runs the
function once for everything queued. On a CPU model, one call over 16 texts costs far less
than 16 calls over one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Request(Generic[T, R]):
    items: list[T]
    results: list[R] | None = None
    error: BaseException | None = None
    done: bool = field(default=False)


class MicroBatcher(Generic[T, R]):
    """Runs `fn` over the items of the requests that are waiting together."""

    def __init__(self, fn: Callable[[list[T]], list[R]], *, max_items: int = 512) -> None:
        self._fn = fn
        self._max_items = max_items
        self._cond = threading.Condition()
        self._queue: list[_Request[T, R]] = []
        self._running = False
        self.calls = 0  # how many times `fn` ran: fewer than requests when they shared

    def __call__(self, items: list[T]) -> list[R]:
        """`fn(items)`, possibly computed together with other callers' items."""
        request: _Request[T, R] = _Request(items)
        with self._cond:
            self._queue.append(request)
        while True:
            with self._cond:
                while not request.done and self._running:
                    self._cond.wait()
                if request.done:
                    break
                self._running = True
                batch = self._take()
            # Our request may be behind max_items of others: run batches until it is done.
            self._run(batch)
        if request.error is not None:
            raise request.error
        assert request.results is not None
        return request.results

    def _take(self) -> list[_Request[T, R]]:
        # First come, first served, up to max_items (a lone big request is taken whole).
        batch: list[_Request[T, R]] = []
        size = 0
        while self._queue and (not batch or size + len(self._queue[0].items) <= self._max_items):
            request = self._queue.pop(0)
            batch.append(request)
            size += len(request.items)
        return batch

    def _run(self, batch: list[_Request[T, R]]) -> None:
        items = [item for request in batch for item in request.items]
        try:
            self.calls += 1
            out = self._fn(items)
            start = 0
            for request in batch:
                request.results = out[start : start + len(request.items)]
                start += len(request.items)
        except BaseException as error:  # noqa: BLE001 - handed to every caller of the batch
            for request in batch:
                request.error = error
        finally:
            with self._cond:
                for request in batch:
                    request.done = True
                self._running = False
                self._cond.notify_all()

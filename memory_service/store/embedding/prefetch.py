"""Embeddings started before they are asked for.

A remember knows, before its SQL transaction commits, which texts the index write after
it will embed. It starts them here; the model works (outside the GIL) while the request
thread writes SQL, and the index write takes the vectors when it gets there. Texts are
the keys: a text the index write does not ask for is never used, and is forgotten once
`capacity` newer ones were started (decisions/0027).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor

Vectors = list[list[float]]


class Prefetch:
    """Texts being embedded ahead of time, and their vectors until taken."""

    def __init__(
        self, embed: Callable[[list[str]], Vectors], *, capacity: int = 4096, workers: int = 32
    ) -> None:
        self._embed = embed
        self._capacity = capacity
        # Many workers: each waits in the model's micro-batcher, so the texts of requests
        # that arrive together share one model call.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prefetch")
        self._lock = threading.Lock()
        self._started: OrderedDict[str, tuple[Future[Vectors], int]] = OrderedDict()
        self._writing: Counter[Hashable] = Counter()

    def claim(self, keys: set[Hashable]) -> bool:
        """Note writes under way to these keys (sessions); True if none was before: only
        then can the caller tell which memory will come before its own."""
        with self._lock:
            alone = all(self._writing[k] == 0 for k in keys)
            self._writing.update(keys)
            return alone

    def release(self, keys: set[Hashable]) -> None:
        with self._lock:
            self._writing.subtract(keys)
            for k in keys:
                if self._writing[k] <= 0:
                    del self._writing[k]

    def start(self, texts: list[str]) -> None:
        """Begin embedding these texts (those not begun already) in the background."""
        with self._lock:
            new = [t for t in dict.fromkeys(texts) if t not in self._started]
            if not new:
                return
            batch = self._pool.submit(self._embed, new)
            for i, text in enumerate(new):
                self._started[text] = (batch, i)
            while len(self._started) > self._capacity:
                self._started.popitem(last=False)

    def take(self, texts: list[str]) -> dict[str, list[float]]:
        """The vectors of those texts that were started, once they are ready; each text is
        handed out once. A failed embedding is left out: the caller embeds it itself."""
        with self._lock:
            found = {t: self._started.pop(t) for t in dict.fromkeys(texts) if t in self._started}
        vectors: dict[str, list[float]] = {}
        for text, (batch, i) in found.items():
            try:
                vectors[text] = batch.result()[i]
            except Exception:  # noqa: BLE001 - the model's error resurfaces when re-run
                continue
        return vectors

    def __len__(self) -> int:
        return len(self._started)

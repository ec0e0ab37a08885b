"""An embedder whose vectors are exact on every CPU, for tests of ranking logic.

The served int8 model's vectors agree across CPUs only within the model's tolerance
(decisions/0033); a test that asserts two ways of ranking give *equal* scores must not
depend on that. This one sums a fixed integer vector per token (exact in int64) and
normalises in float64, where every step is correctly rounded, so its vectors are the same
bits everywhere while still putting texts with shared words near each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from memory_service.store.embedding.embedder import Embedder


class ExactEmbedder(Embedder):
    """The real tokenizer and serving machinery, with a bag-of-tokens vector per text."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        super().__init__(cache_dir=cache_dir)
        self.model_id = "exact-bag-of-tokens"
        vocabulary = self._tokenizer.get_vocab_size()
        rng = np.random.default_rng(20261204)
        self._table = rng.integers(-8, 9, size=(vocabulary, self.dimension), dtype=np.int64)

    def _run(self, encoding: Any) -> np.ndarray:
        summed = self._table[np.asarray(encoding.ids, dtype=np.int64)].sum(axis=0)
        norm = float(np.sqrt(float((summed * summed).sum()))) or 1.0
        return (summed.astype(np.float64) / norm).astype(np.float32)

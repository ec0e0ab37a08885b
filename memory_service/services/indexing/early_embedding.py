"""Embedding a remember's memories while its SQL transaction commits.

The index write after a remember embeds each new memory with the start of the memory
before it in its session (services/texts.py). Those texts are known before the write: the
memory before the first one of a session is the newest live memory there now, the rest
come from the request itself. They are started on the model at once (store/embedding/prefetch.py);
when the index write asks for the same texts, their vectors are ready or nearly so. A
text that turns out otherwise (a concurrent write to the same session, a duplicate) is
simply not asked for, and the index write embeds what it needs itself (decisions/0027).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager

from memory_service.schemas.memories import MemoryCreate
from memory_service.services.sessions import newest_in_sessions
from memory_service.services.texts import compose, title_for
from memory_service.store import Store


def expected_texts(store: Store, items: list[MemoryCreate]) -> list[str]:
    """What the index write will most likely embed for these new memories, in order."""
    before = newest_in_sessions(store, {(i.project, i.session) for i in items if i.session})
    texts = []
    for item in items:
        key = (item.project, item.session or "")
        previous = before.get(key) if item.session else None
        title = title_for(item.title, item.content)
        texts.append(compose(title, item.content, item.reasoning, previous))
        if item.session:
            before[key] = item.content
    return texts


@contextmanager
def embedding_early(store: Store, items: list[MemoryCreate]) -> Iterator[None]:
    """Around a remember's write and index write: the model starts on its texts at once,
    unless another write to one of its sessions is under way in this process (then which
    memory comes before which is a race, and a guess would waste the model's time)."""
    sessions: set[Hashable] = {(i.project, i.session) for i in items if i.session}
    prefetch = store.embedder.prefetch
    alone = prefetch.claim(sessions)
    try:
        if alone:
            prefetch.start(expected_texts(store, items))
        yield
    finally:
        prefetch.release(sessions)

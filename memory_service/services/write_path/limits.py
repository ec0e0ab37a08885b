"""The size limits a write meets before its transaction: memories in a batch, bytes of
content, and bytes of a whole memory with its reasoning and metadata."""

from __future__ import annotations

import json

from memory_service.errors import PayloadTooLarge
from memory_service.schemas.memories import MemoryCreate
from memory_service.store import Store


def check_sizes(store: Store, items: list[MemoryCreate]) -> None:
    """Refuse a batch of more memories, or a content of more bytes, than the settings allow."""
    if len(items) > store.settings.max_batch:
        raise PayloadTooLarge(
            f"a batch holds at most {store.settings.max_batch} memories, got {len(items)}: "
            "split it into smaller batches",
            limit=store.settings.max_batch,
        )
    limit = store.settings.max_content_bytes
    for index, item in enumerate(items):
        size = len(item.content.encode())
        if size > limit:
            raise PayloadTooLarge(
                f"content is {size} bytes, over the {limit}-byte limit: split it into "
                "several memories or store a summary with a reference",
                index=index,
                bytes=size,
                limit=limit,
            )


def check_total_size(store: Store, fields: dict[str, object], *, index: int | None = None) -> None:
    """Refuse a memory whose fields weigh more than the per-memory budget, naming the
    heaviest: reasoning and metadata are stored, versioned and recalled like content."""
    check_fields_size(store.settings.max_memory_bytes, fields, index=index)


def check_fields_size(limit: int, fields: dict[str, object], *, index: int | None = None) -> None:
    """`check_total_size` against a budget of `limit` bytes."""
    sizes = {
        name: len(value.encode()) if isinstance(value, str) else len(json.dumps(value).encode())
        for name, value in fields.items()
    }
    total = sum(sizes.values())
    if total > limit:
        heaviest = max(sizes, key=lambda name: sizes[name])
        raise PayloadTooLarge(
            f"the memory is {total} bytes in all, over the {limit}-byte limit; its largest "
            f"field is {heaviest} ({sizes[heaviest]} bytes): shorten it, or store the bulk in "
            "a deliverable's content and refer to it",
            field=heaviest,
            index=index,
            bytes=total,
            limit=limit,
        )

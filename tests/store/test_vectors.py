"""The embedded vector index keeps Chroma's SQLite file in WAL mode."""

from __future__ import annotations

from pathlib import Path

from memory_service.store.vectors import VectorIndex


def test_embedded_chroma_writes_through_a_write_ahead_log(tmp_path: Path) -> None:
    index = VectorIndex(path=tmp_path / "chroma")
    index.upsert(["m1"], [[1.0] + [0.0] * 383], [{"project": "shop", "status": "active"}])
    # Only WAL mode keeps a -wal file next to the database (checked without opening the
    # file: another SQLite library's handle would drop the locks Chroma holds on it).
    assert (tmp_path / "chroma" / "chroma.sqlite3-wal").exists()
    assert index.count() == 1

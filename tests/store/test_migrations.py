"""Schema migrations keep the data: down and up again, the keyword index is rebuilt."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.settings import Settings
from memory_service.store.db import MIGRATIONS, Database
from memory_service.store.embedding.embedder import Embedder
from tests.factories import remember, result_ids, search
from tests.support.service import IN_PROCESS_URL


def _downgrade(settings: Settings, revision: str) -> None:
    db = Database(settings.resolved_database_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
    assert db.revision() == revision
    db.dispose()


def test_the_keyword_index_is_rebuilt_from_the_memories_both_ways(
    tmp_path: object, embedder: Embedder
) -> None:
    settings = Settings(data_dir=tmp_path / "data")  # type: ignore[operator]
    with TestClient(create_app(settings, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        stored = remember(c, project="shop", content="The parcel locker firmware was flashed.")
    _downgrade(settings, "0060")  # the keyword index without the project column
    # Start-up migrates to head.
    with TestClient(create_app(settings, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        found = search(c, "parcel locker", project="shop", mode="keyword")
        assert result_ids(found) == [stored["id"]]
        later = remember(c, project="shop", content="The parcel locker got a new battery.")
        found = search(c, "parcel locker battery", project="shop", mode="keyword")
        assert result_ids(found)[0] == later["id"]

"""`memory-service status` (and --json) against real stores: what it reads, what it calls a
problem, and that it neither loads the model nor creates a store."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory

from memory_service.api.app import open_store
from memory_service.services.access import tokens
from memory_service.settings import Settings
from memory_service.store.db import MIGRATIONS, Database
from memory_service.store.embedding.embedder import Embedder
from tests.factories import edit_unindexed, remember_notes
from tests.support.servers import ChromaServer, PostgresServer, free_port
from tests.support.service import BIN

HEAD = str(ScriptDirectory(str(MIGRATIONS)).get_current_head())
SERVED = "all-MiniLM-L6-v2@int8-v2"


def status(*args: str, **env: str) -> tuple[int, str, str]:
    """Run `memory-service status ARGS` with MEMORY_* variables (names without the prefix)."""
    variables = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_")}
    variables.update({f"MEMORY_{k.upper()}": v for k, v in env.items()})
    done = subprocess.run(
        [str(BIN), "status", *args], env=variables, capture_output=True, text=True, timeout=120
    )
    return done.returncode, done.stdout, done.stderr


def as_json(**env: str) -> tuple[int, dict[str, Any]]:
    code, out, err = status("--json", **env)
    assert out, err
    return code, json.loads(out)


def test_a_healthy_embedded_store_for_people_and_for_scripts(
    tmp_path: Path, embedder: Embedder
) -> None:
    data = tmp_path / "data"
    store = open_store(Settings(data_dir=data), embedder)
    [memory] = remember_notes(store, ["Status reads the stores without the model."])
    tokens.create_token(store.db, name="ops", role="admin", agent=None, projects=None, actor="t")
    edit_unindexed(store, memory.id, "Status reads the outbox too.")
    store.db.dispose()

    code, report = as_json(data_dir=str(data))
    assert code == 0, report
    assert report["sql"] == {"ok": True, "where": str(data / "memory.sqlite3"), "problem": None}
    assert report["chroma"]["ok"] is True
    assert report["schema_revision"] == report["schema_head"] == HEAD
    assert (report["index_model"], report["index_dimension"]) == (SERVED, 384)
    assert report["configured_model"] == SERVED
    assert report["outbox_depth"] == 1 and report["index_lag_seconds"] >= 0
    assert (report["tokens_active"], report["tokens_revoked"]) == (1, 0)
    assert report["healthy"] is True and report["problems"] == []

    code, out, _ = status(data_dir=str(data))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("SQL store") and "(reachable)" in lines[0]
    assert any(line.startswith("schema") and HEAD in line for line in lines)
    assert any(line.startswith("outbox") and "1 waiting" in line for line in lines)
    assert any(line.startswith("tokens") and "1 active, 0 revoked" in line for line in lines)
    assert lines[-1] == "healthy"

    code, report = as_json(data_dir=str(data), embedding_precision="fp32")
    assert code == 1
    assert report["configured_model"] == "all-MiniLM-L6-v2"
    assert ["memory-service reindex" in p for p in report["problems"]] == [True]


def test_before_the_first_start_it_says_so_and_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "never-started"
    code, out, _ = status(data_dir=str(data))
    assert code == 1
    assert "no database yet: start the service once" in out
    assert "no index yet" in out
    assert not data.exists()


def test_an_unreachable_chroma_server_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Database(Settings(data_dir=data).resolved_database_url).migrate()
    url = f"http://127.0.0.1:{free_port()}"
    code, report = as_json(data_dir=str(data), chroma_url=url)
    assert code == 1
    assert report["chroma"]["ok"] is False and report["chroma"]["where"] == url
    assert report["sql"]["ok"] is True
    assert [p for p in report["problems"] if p.startswith("vector index:")]


def test_the_scale_out_stores_are_reached_and_the_password_stays_hidden(
    tmp_path: Path, postgres: PostgresServer, chroma_server: ChromaServer
) -> None:
    url = postgres.fresh_database()
    try:
        Database(url).migrate()
        env = {"data_dir": str(tmp_path / "data"), "database_url": url}
        code, report = as_json(**env, chroma_url=chroma_server.url)
        assert code == 0, report
        assert report["sql"]["ok"] and report["chroma"]["ok"]
        assert report["chroma"]["where"] == chroma_server.url
        assert report["schema_revision"] == HEAD
        password = url.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
        assert not password or password not in json.dumps(report)
        assert report["tokens_active"] == 0
    finally:
        postgres.drop_database(url)

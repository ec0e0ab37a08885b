"""Export, import and migrate: a store moves between engines without losing history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.errors import InvalidInput
from memory_service.services import backup
from memory_service.services.indexing.background import settle
from memory_service.settings import Settings
from memory_service.store.db import Database
from memory_service.store.embedding.embedder import Embedder
from tests.factories import decision_body, remember, result_ids, search
from tests.support.servers import ChromaServer, PostgresServer, fresh_collection
from tests.support.service import IN_PROCESS_URL

BIN = Path(sys.executable).parent / "memory-service"


def _post(client: TestClient, url: str, body: dict[str, Any], status: int = 200) -> Any:
    response = client.post(url, json=body, headers={"Idempotency-Key": f"k-{url}-{len(body)}"})
    assert response.status_code == status, response.text
    return response.json()


def _build_history(client: TestClient) -> list[str]:
    """A store with every kind of change: versions, supersession, retraction, rollback."""
    first = _post(client, "/v1/memories", decision_body(), 201)
    note = remember(client, content="Checkout retries payment twice.", tags=["payments"])
    client.patch(f"/v1/memories/{note['id']}", json={"content": "Checkout retries payment 3x."})
    _post(
        client,
        "/v1/projects/shop/checkpoints",
        {"label": "qa-passed", "agent": "qa-engineer", "known_good": True},
        201,
    )
    second = _post(
        client,
        "/v1/memories",
        decision_body(title="Orders in DynamoDB", content="Single-table.", supersedes=first["id"]),
        201,
    )
    gone = remember(client, project="blog", content="Drafts autosave every minute.")
    client.delete(f"/v1/memories/{gone['id']}")
    _post(client, "/v1/projects/shop/rollback", {"to": "last-known-good", "actor": "qa"})
    handoff = {
        "project": "shop",
        "from_agent": "backend-architect",
        "to_agent": "frontend-developer",
        "summary": "Orders API is ready for the checkout screens.",
    }
    if client.post("/v1/handoffs", json=handoff).status_code != 201:
        pytest.fail("handoffs endpoint refused a valid handoff")
    return [first["id"], second["id"], note["id"], gone["id"]]


def _records(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines]


def _views(client: TestClient, ids: list[str]) -> dict[str, Any]:
    return {
        i: (client.get(f"/v1/memories/{i}").json(), client.get(f"/v1/memories/{i}/history").json())
        for i in ids
    }


def test_export_then_import_into_a_fresh_postgresql_reproduces_every_record(
    tmp_path: Path,
    embedder: Embedder,
    postgres: PostgresServer,
    chroma_server: ChromaServer,
) -> None:
    source = Settings(data_dir=tmp_path / "sqlite")
    with TestClient(create_app(source, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        ids = _build_history(c)
        before = _views(c, ids)
    exported = list(backup.export_lines(Database(source.resolved_database_url)))
    kinds = {r["type"] for r in _records(exported)}
    assert {"memory", "event", "idempotency_key", "checkpoint", "rollback"} <= kinds

    target = Settings(
        data_dir=tmp_path / "pg",
        database_url=postgres.fresh_database(),
        chroma_url=chroma_server.url,
        chroma_collection=fresh_collection(),
    )
    result = backup.import_lines(Database(target.resolved_database_url), exported)
    assert result.counts["event"] == sum(r["type"] == "event" for r in _records(exported))
    again = list(backup.export_lines(Database(target.resolved_database_url)))
    _assert_sequences_past_imported_keys(Database(target.resolved_database_url))
    # Every row, key and value equal (JSON objects compared as objects: JSONB sorts keys).
    assert _records(again) == _records(exported)

    # Start-up indexes the outbox.
    with TestClient(create_app(target, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        assert _views(c, ids) == before
        assert result_ids(search(c, "how many payment retries", project="shop"))[0] == ids[2]
        # The id sequence continues after the imported rows.
        assert (
            c.post(
                "/v1/memories",
                json={
                    "project": "shop",
                    "agent": "a",
                    "kind": "note",
                    "content": "New after import.",
                },
            ).status_code
            == 201
        )
        store = c.app.state.store  # type: ignore[attr-defined]
        settle(store)  # the remember above is indexed after it was acknowledged
        assert (
            store.vectors.count()
            == len(
                [
                    r
                    for r in _records(again)
                    if r["type"] == "memory" and r["row"]["status"] not in ("retracted",)
                ]
            )
            + 1
        )


def _assert_sequences_past_imported_keys(db: Database) -> None:
    with db.read_engine.connect() as conn:
        for table in backup.history_tables():
            keys = list(table.primary_key.columns)
            if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
                continue
            key = keys[0]
            top = conn.execute(sa.select(sa.func.max(key))).scalar_one() or 0
            sequence = f"pg_get_serial_sequence('{table.name}', '{key.name}')"
            assert conn.execute(sa.text(f"SELECT nextval({sequence})")).scalar_one() > top


def test_import_refuses_a_truncated_export_and_leaves_the_store_empty(
    tmp_path: Path, embedder: Embedder
) -> None:
    source = Settings(data_dir=tmp_path / "a")
    with TestClient(create_app(source, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        remember(c)
        remember(c, content="Second note.")
    lines = list(backup.export_lines(Database(source.resolved_database_url)))
    target = Database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    with pytest.raises(InvalidInput, match="truncated"):
        backup.import_lines(target, lines[:-1])
    damaged = [*lines[:2], *lines[3:]]
    with pytest.raises(InvalidInput, match="damaged"):
        backup.import_lines(target, damaged)
    backup.ensure_empty(target)  # nothing of either attempt was kept
    backup.import_lines(target, lines)
    with pytest.raises(InvalidInput, match="already has rows"):
        backup.import_lines(target, lines)


def test_import_refuses_what_is_not_an_export(tmp_path: Path) -> None:
    target = Database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    with pytest.raises(InvalidInput, match="is this an agent-memory export"):
        backup.import_lines(target, ['{"hello": "world"}'])
    with pytest.raises(InvalidInput, match="not JSON"):
        backup.import_lines(target, ["PK\x03\x04 zip bytes"])


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )


def test_cli_migrate_moves_a_sqlite_store_to_postgresql_and_builds_the_index(
    tmp_path: Path,
    embedder: Embedder,
    postgres: PostgresServer,
    chroma_server: ChromaServer,
) -> None:
    source = Settings(data_dir=tmp_path / "sqlite")
    with TestClient(create_app(source, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        ids = _build_history(c)
    target_url = postgres.fresh_database().replace("postgresql+psycopg://", "postgresql://")
    collection = fresh_collection()
    env = {"MEMORY_CHROMA_URL": chroma_server.url, "MEMORY_CHROMA_COLLECTION": collection}
    done = _cli("migrate", "--from", source.resolved_database_url, "--to", target_url, env=env)
    assert done.returncode == 0, done.stderr
    assert "loaded" in done.stdout and "indexed" in done.stdout
    again = _cli("migrate", "--from", source.resolved_database_url, "--to", target_url, env=env)
    assert again.returncode == 1
    assert "already has rows" in again.stderr
    target = Settings(
        data_dir=tmp_path / "pg",
        database_url=target_url,
        chroma_url=chroma_server.url,
        chroma_collection=collection,
    )
    with TestClient(create_app(target, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        assert c.get("/readyz").json()["outbox"] == 0  # the CLI indexed everything
        assert result_ids(search(c, "payment retries", project="shop"))[0] == ids[2]


def test_cli_export_and_import_round_trip_through_a_file(
    tmp_path: Path, embedder: Embedder
) -> None:
    source = Settings(data_dir=tmp_path / "a")
    with TestClient(create_app(source, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        ids = _build_history(c)
        before = _views(c, ids)
    dump = tmp_path / "backup.jsonl"
    exported = _cli("export", str(dump), env={"MEMORY_DATA_DIR": str(source.data_dir)})
    assert exported.returncode == 0, exported.stderr
    restored_dir = tmp_path / "b"
    imported = _cli("import", str(dump), "--no-index", env={"MEMORY_DATA_DIR": str(restored_dir)})
    assert imported.returncode == 0, imported.stderr
    assert "queued in the outbox" in imported.stdout
    restored = create_app(Settings(data_dir=restored_dir), embedder=embedder)
    with TestClient(restored, base_url=IN_PROCESS_URL) as c:
        assert _views(c, ids) == before
    refused = _cli("import", str(tmp_path / "missing.jsonl"), env={})
    assert refused.returncode == 1 and "is not a file" in refused.stderr

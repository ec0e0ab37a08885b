"""`memory-service` never prints a database password: `migrate` and `export` mask it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from memory_service.cli import app
from memory_service.store.db import Database
from tests.support.servers import PostgresServer

PASSWORD = "hunter2-never-printed"


def _with_password(url: str) -> str:
    """The URL with a password; the test cluster trusts loopback, so any password works."""
    return url.replace("://postgres@", f"://postgres:{PASSWORD}@")


def _run(*args: str, **env: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def _sqlite_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'memory.sqlite3'}"
    db = Database(url)
    db.migrate()
    db.dispose()
    return url


def test_migrate_prints_the_target_url_with_its_password_masked(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    target = _with_password(postgres.fresh_database())
    ran = _run("migrate", "--from", _sqlite_store(tmp_path), "--to", target, "--no-index")
    assert ran.exit_code == 0, ran.output
    masked = target.replace(PASSWORD, "***")
    assert f"loaded nothing into {masked}" in ran.stdout
    assert PASSWORD not in ran.stdout + ran.stderr


def test_migrate_refusals_do_not_print_the_password(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    empty = _with_password(postgres.create_database())
    ran = _run("migrate", "--from", empty, "--to", _sqlite_store(tmp_path), "--no-index")
    assert ran.exit_code == 1
    assert f"{empty.replace(PASSWORD, '***')} holds no agent-memory store" in ran.stderr
    garbled = f"postgres ql://postgres:{PASSWORD}@127.0.0.1/db"
    ran = _run("migrate", "--from", garbled, "--to", _sqlite_store(tmp_path), "--no-index")
    assert ran.exit_code == 1
    assert "--from is not a database URL" in ran.stderr
    assert PASSWORD not in ran.stdout + ran.stderr


def test_export_names_an_empty_database_with_its_password_masked(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    empty = _with_password(postgres.create_database())
    ran = _run("export", str(tmp_path / "out.jsonl"), MEMORY_DATABASE_URL=empty)
    assert ran.exit_code == 1
    assert "postgres:***@127.0.0.1" in ran.stderr
    assert PASSWORD not in ran.stdout + ran.stderr


@pytest.mark.parametrize("scheme", ["postgresql://", "postgresql+psycopg://"])
def test_masking_keeps_everything_but_the_password(scheme: str) -> None:
    from memory_service.cli_backup import masked

    url = f"{scheme}agent:{PASSWORD}@db.internal:5432/memory"
    assert masked(url) == f"{scheme}agent:***@db.internal:5432/memory"
    assert masked("sqlite:////var/lib/memory.sqlite3") == "sqlite:////var/lib/memory.sqlite3"

"""Real PostgreSQL and Chroma server processes on loopback, for tests and benchmarks.

PostgreSQL comes from the installed binaries (initdb + pg_ctl in a temp dir, on a free
port); as root it runs as the `postgres` user, since it refuses to run as root. Chroma is
the `chroma run` command of the virtualenv. Nothing here needs Docker or the network.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

CHROMA_BIN = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's bin directory (MEMORY_TEST_PG_BIN overrides)."""
    override = os.environ.get("MEMORY_TEST_PG_BIN")
    if override:
        return Path(override)
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        raise RuntimeError(
            "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: install them "
            "(apt-get install -y postgresql) or set MEMORY_TEST_PG_BIN"
        )
    return Path(found[-1]).parent


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL cluster; `fresh_database` makes an empty migrated database."""

    root: Path
    port: int
    bin: Path
    template: str | None = None
    shared: str | None = None
    _made: list[str] = field(default_factory=list)

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """A new database (a copy of `template` when given); returns its SQLAlchemy URL."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        self._admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self._made.append(name)
        return self.url(name)

    def fresh_database(self) -> str:
        """An empty database at the newest schema, cloned from a migrated template."""
        if self.template is None:
            from memory_service.store.db import Database

            url = self.create_database("memory_template")
            db = Database(url)
            db.migrate()
            db.dispose()
            self.template = "memory_template"
        return self.create_database(template=self.template)

    def emptied_database(self) -> str:
        """A database at the newest schema with every table emptied (a fresh-database
        equivalent that costs a TRUNCATE instead of a 0.5 s CREATE DATABASE)."""
        if self.shared is None:
            self.shared = self.fresh_database()
        name = self.shared.rsplit("/", 1)[1]
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname={name}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            ]
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")  # type: ignore[arg-type]
        return self.shared

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(
                [str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"]
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """initdb a cluster in a temp dir and start it on a free loopback port."""
    bin_dir = postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="memory-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "-N",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = free_port()
    # Durability of the test cluster itself does not matter (the service is what gets
    # killed), so skip fsync for speed.
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    return PostgresServer(root=root, port=port, bin=bin_dir)


@dataclass
class ChromaServer:
    """A `chroma run` process; each user takes its own collection name."""

    process: subprocess.Popen[bytes]
    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def delete_collection(self, name: str) -> None:
        httpx.delete(
            f"{self.url}/api/v2/tenants/default_tenant/databases/default_database/collections/{name}",
            timeout=30,
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def fresh_collection() -> str:
    return f"t-{uuid.uuid4().hex[:16]}"


@contextmanager
def scaleout_settings(postgres: PostgresServer, chroma: ChromaServer) -> Iterator[dict[str, str]]:
    """MEMORY_* variables for a fresh PostgreSQL database and a fresh Chroma collection,
    both dropped afterwards."""
    url = postgres.fresh_database()
    collection = fresh_collection()
    try:
        yield {
            "MEMORY_DATABASE_URL": url,
            "MEMORY_CHROMA_URL": chroma.url,
            "MEMORY_CHROMA_COLLECTION": collection,
        }
    finally:
        postgres.drop_database(url)
        chroma.delete_collection(collection)


def start_chroma(timeout: float = 60) -> ChromaServer:
    """Start a Chroma server on a free loopback port and wait for its heartbeat."""
    root = Path(tempfile.mkdtemp(prefix="memory-chroma-"))
    port = free_port()
    log = open(root / "chroma.log", "wb")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [
            str(CHROMA_BIN),
            "run",
            "--path",
            str(root / "data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = ChromaServer(process=process, root=root, port=port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited with {process.returncode}; see {root}")
        try:
            if httpx.get(f"{server.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise TimeoutError(f"chroma server not up after {timeout}s")

"""Secrets agents paste into memories never reach SQLite, Chroma, the event log or the logs."""

from __future__ import annotations

import base64
import json
import logging
import random
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from memory_service.api.app import create_app
from memory_service.services.write_path.secret_scan import TOKEN_CHARS, TOKEN_RUN, Work, _Runs
from memory_service.services.write_path.secrets import redact
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from tests.support.service import IN_PROCESS_URL

rng = random.Random()


def _chars(alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def realistic_secrets() -> dict[str, str]:
    """Fresh secrets of the kinds agents paste, so none can be in the store by chance."""
    alnum = string.ascii_letters + string.digits
    key_lines = [_chars(alnum + "+/", 64) for _ in range(4)]
    return {
        "aws_key_id": "AKIA" + _chars(string.ascii_uppercase + string.digits, 16),
        "aws_secret": _chars(alnum + "/+", 40),
        "private_key_line": key_lines[1],
        "private_key": "-----BEGIN RSA PRIVATE KEY-----\n"
        + "\n".join(key_lines)
        + "\n-----END RSA PRIVATE KEY-----",
        "jwt": _b64url({"alg": "HS256", "typ": "JWT"})
        + "."
        + _b64url({"sub": "svc-orders", "iat": 1732600000})
        + "."
        + _chars(alnum + "-_", 43),
        "pg_password": "Pg" + _chars(alnum, 18),
        "github": "ghp_" + _chars(alnum, 36),
    }


def _raw_values(s: dict[str, str]) -> list[str]:
    return [v for k, v in s.items() if k != "private_key"]


def _store_everywhere(client: TestClient, s: dict[str, str]) -> None:
    """Put the secrets in every text field a caller can write, through every write route."""
    url = f"postgres://orders:{s['pg_password']}@db.internal:5432/orders"
    decision = {
        "project": "shop",
        "agent": "backend-architect",
        "kind": "decision",
        "title": f"Deploy key {s['aws_key_id']}",
        "content": f"Use AWS_SECRET_ACCESS_KEY={s['aws_secret']} for the deploy role.",
        "reasoning": f"The service token is {s['jwt']} until rotation.",
        "context": f"The CI key:\n{s['private_key']}\n",
        "options": [{"name": "Vault", "pros": [f"no more {s['github']} in env files"]}],
        "consequences": {"bad": [f"Connect with {url}"]},
        "metadata": {"db": {"url": url}, "notes": [s["github"]]},
        "tags": ["deploy"],
    }
    created = client.post("/v1/memories", json=decision)
    assert created.status_code == 201, created.text
    batch = client.post(
        "/v1/memories/batch",
        json={"memories": [{"project": "shop", "agent": "ops", "content": f"token {s['github']}"}]},
    )
    assert batch.status_code == 201, batch.text
    patched = client.patch(
        f"/v1/memories/{created.json()['id']}", json={"content": f"Rotated; was {url}"}
    )
    assert patched.status_code == 200, patched.text
    handoff = client.post(
        "/v1/handoffs",
        json={
            "project": "shop",
            "from_agent": "backend-architect",
            "to_agent": "frontend-developer",
            "summary": f"Orders API is live; JWT for tests: {s['jwt']}",
            "pending": [f"Rotate {s['aws_key_id']}"],
            "risks": [f"Staging DB is {url}"],
        },
    )
    assert handoff.status_code == 201, handoff.text
    ack = client.post(
        f"/v1/handoffs/{handoff.json()['id']}/ack",
        json={"note": f"using {s['github']} meanwhile"},
    )
    assert ack.status_code == 200, ack.text
    checkpoint = client.post(
        "/v1/projects/shop/checkpoints",
        json={"label": "qa", "agent": "qa", "note": f"ran with {url}"},
    )
    assert checkpoint.status_code == 201, checkpoint.text


def _files(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def app_with(tmp_path: Path, embedder: Embedder) -> Any:
    def start(**settings: Any) -> TestClient:
        config = Settings(data_dir=tmp_path / "data", **settings)
        return TestClient(create_app(config, embedder=embedder), base_url=IN_PROCESS_URL)

    return start


def test_redacted_secrets_are_nowhere_on_disk_nor_in_the_logs(
    app_with: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Every logger at its most verbose: SQL statements with their parameters too.
    for name in (None, "sqlalchemy.engine", "chromadb", "uvicorn", "memory_service"):
        caplog.set_level(logging.DEBUG, logger=name)
    s = realistic_secrets()
    with app_with() as client:
        _store_everywhere(client, s)
        found = client.post("/v1/search", json={"query": "deploy key", "project": "shop"}).json()
        stored = found["results"][0]["memory"] if found["results"] else {}
        history = client.get("/v1/audit").json()
    assert "[REDACTED:AWS Access Key]" in json.dumps(stored)
    assert "[REDACTED:Private Key]" in json.dumps(stored)
    assert history["entries"], "the changes were recorded"
    files = list(_files(tmp_path / "data"))
    assert any(p.name.endswith("-wal") or p.suffix == ".sqlite3" for p in files)
    assert any("chroma" in p.parts for p in files)
    leaks = [
        (path.name, name)
        for path in files
        for name, value in s.items()
        if name != "private_key" and value.encode() in path.read_bytes()
    ]
    assert leaks == []
    assert "INSERT INTO memory" in caplog.text  # the log did see what was written
    assert [name for name, value in s.items() if value in caplog.text] == []


def test_reject_refuses_naming_the_field_and_kind_but_never_the_secret(
    app_with: Any, tmp_path: Path
) -> None:
    s = realistic_secrets()
    body = {
        "project": "shop",
        "agent": "ops",
        "content": "How we reach the orders database.",
        "metadata": {"db": {"url": f"postgresql://app:{s['pg_password']}@db:5432/orders"}},
    }
    with app_with(secrets="reject") as client:
        refused = client.post("/v1/memories", json=body)
        batch = client.post(
            "/v1/memories/batch",
            json={"memories": [{**body, "metadata": {}}, {**body, "content": s["aws_key_id"]}]},
        )
        assert client.get("/v1/projects").json() == []
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "secret_detected"
    assert error["details"] == {"field": "metadata.db.url", "kind": "Basic Auth Credentials"}
    assert "metadata.db.url" in error["message"]
    assert batch.status_code == 422
    assert batch.json()["error"]["details"]["field"] == "memories.1.content"
    assert s["pg_password"] not in refused.text and s["aws_key_id"] not in batch.text
    for path in _files(tmp_path / "data"):
        assert not any(v.encode() in path.read_bytes() for v in _raw_values(s)), path


@pytest.mark.parametrize(
    "text",
    [
        "Fixed in commit 3f786850e387550fdab836ed7e6dc881de23001b (PR #42).",
        "See memory 01JD3N8Y5QK2ZC8W3X7V6B4T9M and request 9f1c2d3e-4b5a-6789-abcd-ef0123456789.",
        "The password field is validated server-side; tokens expire after 15 minutes.",
        "Connect to postgres://db.internal:5432/orders with the vault credentials.",
    ],
)
def test_ordinary_memories_are_left_alone(text: str) -> None:
    assert redact(text) == (text, [])


def test_each_kind_is_replaced_by_a_marker_that_names_it() -> None:
    s = realistic_secrets()
    cases = {
        f"id {s['aws_key_id']} ok": "AWS Access Key",
        f"export AWS_SECRET_ACCESS_KEY={s['aws_secret']}": "AWS Secret Access Key",
        f"key:\n{s['private_key']}\nend": "Private Key",
        f"Bearer {s['jwt']}": "JSON Web Token",
        f"postgres://u:{s['pg_password']}@h/db": "Basic Auth Credentials",
        f"use {s['github']}": "GitHub Token",
    }
    for text, kind in cases.items():
        cleaned, kinds = redact(text)
        assert kinds == [kind], text
        assert f"[REDACTED:{kind}]" in cleaned
        assert not any(v in cleaned for v in _raw_values(s)), cleaned
    assert redact(redact(f"id {s['aws_key_id']}")[0])[1] == []  # a marker is not a secret


def _walk(text: str, start: int, end: int) -> tuple[int, int]:
    """Growing a span one character at a time: the plain definition."""
    while start > 0 and TOKEN_CHARS.match(text[start - 1]):
        start -= 1
    while end < len(text) and TOKEN_CHARS.match(text[end]):
        end += 1
    return start, end


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab.=/ -\n:é", max_size=60), data=st.data())
def test_growing_a_match_by_token_runs_equals_walking_it(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert _Runs(text, TOKEN_RUN, Work()).grow(start, end) == _walk(text, start, end)

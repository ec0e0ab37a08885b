"""The secret scan costs a constant per character whatever the text holds, and a request
scans at most its budget: counted work, never timed."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from re import _parser  # type: ignore[attr-defined]

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from memory_service.api.app import create_app
from memory_service.services.write_path import secret_rules
from memory_service.services.write_path.secret_scan import Work, find_secrets
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from tests.support.service import IN_PROCESS_URL


def _jwt_like(n: int) -> str:
    part = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "n": n}).encode()).decode()
    return f"{part.rstrip('=')}.{part.rstrip('=')}.{'s' * 43}"


# Inputs that made scanners slow: a match every few hundred characters of one long run,
# runs cut short everywhere, padding, keys without values, headers without ends, many '@'.
# Each piece differs from the one before, as distinct secrets do.
HOSTILE: dict[str, Callable[[int], str]] = {
    "dot-joined JWT-like tokens": lambda i: _jwt_like(i) + ".",
    "many short token runs": lambda i: f"ab{i} c.d e-f ",
    "a run of padding": lambda i: "=+/" * (1 + i % 3),
    "repeated password= prefixes": lambda i: f"password={i % 10}",
    "repeated JSON keys": lambda i: f'"password": "{i}',
    "key headers without ends": lambda i: f"-----BEGIN RSA PRIVATE KEY-----\n{i}",
    "URL-like text with many @": lambda i: f"a://b{i}:@@@",
    "a password URL without a host": lambda i: f"postgres://u:p{i}@",
    "YAML keys": lambda i: f"\ntoken: A{i}",
    "authorization headers": lambda i: f"Authorization: Bearer {i:012d}",
}
PER_CHARACTER = 100  # the most work a character may cost, whatever surrounds it


def _work(text: str) -> int:
    work = Work()
    find_secrets(text, work)
    return work.chars


@settings(max_examples=60, deadline=None)
@given(
    shape=st.sampled_from(sorted(HOSTILE)),
    noise=st.text(alphabet="aZ09=+/._-:@ \n\"'", max_size=12),
    copies=st.integers(min_value=50, max_value=400),
)
def test_scan_work_is_linear_in_the_length_of_hostile_text(
    shape: str, noise: str, copies: int
) -> None:
    piece = HOSTILE[shape]
    text = "".join(piece(i) + noise for i in range(copies))
    longer = "".join(piece(i) + noise for i in range(2 * copies))
    once, twice = _work(text), _work(longer)
    assert twice <= 2.2 * once + 4096
    assert once <= PER_CHARACTER * len(text)


def test_every_rule_reads_a_bounded_number_of_characters_per_attempt() -> None:
    # With every repeat bounded, one attempt at a position reads at most the pattern's
    # widest match, so a pass over a text is linear in its length.
    rules = secret_rules.TOKEN_RULES + secret_rules.CONTEXT_RULES
    patterns = [r.pattern for r in rules] + [
        p.pattern
        for p in (
            secret_rules.PEM_HEADER, secret_rules.PEM_END, secret_rules.URL_USER,
            secret_rules.URL_PORT, secret_rules.URL_STOP, secret_rules.MARKER_RE,
            secret_rules.PLACEHOLDER, secret_rules.CODE, secret_rules.NAME,
            secret_rules.KEY_NAMES_SECRET,
        )
    ]  # fmt: skip
    widest = {p: _parser.parse(p).getwidth()[1] for p in patterns}
    assert {p: w for p, w in widest.items() if w > 16_384} == {}
    assert all(re.compile(p) for p in patterns)


def _client(tmp_path: Path, embedder: Embedder, limit: int) -> TestClient:
    config = Settings(data_dir=tmp_path / "data", max_scan_chars=limit)
    return TestClient(create_app(config, embedder=embedder), base_url=IN_PROCESS_URL)


def test_a_request_over_its_scan_budget_is_refused_with_413(
    tmp_path: Path, embedder: Embedder
) -> None:
    def note(size: int, n: int = 0) -> dict[str, str]:
        return {"project": "shop", "agent": "ops", "content": f"{n} " + "x" * size}

    with _client(tmp_path, embedder, limit=2000) as client:
        one = client.post("/v1/memories", json=note(2500))
        batch = client.post("/v1/memories/batch", json={"memories": [note(1200), note(1200, 1)]})
        assert client.get("/v1/projects").json() == []
        fits = client.post("/v1/memories/batch", json={"memories": [note(900), note(900, 1)]})
        patch = client.patch(
            f"/v1/memories/{fits.json()['memories'][0]['id']}", json={"content": "y" * 2500}
        )
    assert one.status_code == 413, one.text
    error = one.json()["error"]
    assert error["code"] == "scan_budget_exceeded"
    assert error["details"] == {"field": "content", "limit": 2000}
    assert "send fewer or smaller memories per request" in error["message"]
    assert batch.status_code == 413, batch.text
    assert batch.json()["error"]["details"]["field"] == "memories.1.content"
    assert fits.status_code == 201, fits.text
    assert patch.status_code == 413, patch.text


@pytest.mark.parametrize("limit", [0, -1])
def test_the_scan_budget_must_be_positive(tmp_path: Path, limit: int) -> None:
    with pytest.raises(ValueError, match="max_scan_chars"):
        Settings(data_dir=tmp_path, max_scan_chars=limit)

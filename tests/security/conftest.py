"""One secured app per module: tokens of every role, a revoked one, and two projects.

The agent token (alice) and the reviewer token (rita) may use project `shop` only; the
admin token (ada) every project; `lab` is the foreign project of the first two.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.services.access import tokens
from memory_service.settings import Settings
from memory_service.store.db import Database
from memory_service.store.embedding.embedder import Embedder
from tests.support.service import IN_PROCESS_URL

OWN, FOREIGN = "shop", "lab"
AGENT_OF = {"agent": "alice", "reviewer": "rita", "admin": "ada"}
STRANGER = "mallory"
TOKEN_SPECS: dict[str, dict[str, Any]] = {
    "agent": {"name": "alice-token", "role": "agent", "agent": "alice", "projects": [OWN]},
    "reviewer": {"name": "rita-token", "role": "reviewer", "agent": "rita", "projects": [OWN]},
    "admin": {"name": "ada-token", "role": "admin", "agent": "ada", "projects": None},
    "revoked": {"name": "old-token", "role": "agent", "agent": "alice", "projects": [OWN]},
}
ROLES = ("none", "bogus", "revoked", "agent", "reviewer", "admin")
# An MCP client's first request over streamable HTTP, and the answers it accepts.
MCP_INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "security-tests", "version": "1"},
    },
}
MCP_HEADERS = {"accept": "application/json, text/event-stream"}


def issue_tokens(db: Database) -> dict[str, str]:
    """Create the tokens of TOKEN_SPECS (revoking `revoked`); their values by role."""
    db.migrate()
    issued = {
        role: tokens.create_token(db, actor="test-setup", **spec).token
        for role, spec in TOKEN_SPECS.items()
    }
    tokens.revoke_token(db, name="old-token", actor="test-setup")
    issued["bogus"] = "amt_" + secrets.token_urlsafe(32)
    return issued


@dataclass
class Secured:
    """The app and a way to call it as each role."""

    client: TestClient
    tokens: dict[str, str]
    settings: Settings
    made: int = field(default=0)

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, role: str, method: str, url: str, **kwargs: Any) -> Any:
        return self.client.request(method, url, headers=self.headers(role), **kwargs)

    def admin(self, method: str, url: str, **kwargs: Any) -> Any:
        """A setup call as admin that must succeed; its JSON."""
        response = self.call("admin", method, url, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    def unique(self, text: str) -> str:
        self.made += 1
        return f"{text} #{self.made}"


def sign_in(client: TestClient, token: str, next_page: str = "/ui") -> Any:
    """Post the sign-in form with `token`, as a browser that has just loaded the form."""
    form = client.get("/ui/signin").text
    csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
    data = {"token": token, "csrf_token": csrf, "next": next_page}
    return client.post("/ui/signin", data=data, follow_redirects=False)


def secured_app(data_dir: Path, embedder: Embedder, **settings: Any) -> Iterator[Secured]:
    """Start the app on a store whose tokens exist before the first request."""
    config = Settings(data_dir=data_dir, **settings)
    db = Database(config.resolved_database_url)
    issued = issue_tokens(db)
    db.dispose()
    with TestClient(create_app(config, embedder=embedder), base_url=IN_PROCESS_URL) as client:
        yield Secured(client, issued, config)


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Secured]:
    """A module's secured app, with no rate limits so tables of requests (bogus and revoked
    tokens among them) run through."""
    yield from secured_app(
        tmp_path_factory.mktemp("secured") / "data",
        embedder,
        rate_limit="none",
        auth_failure_limit="none",
    )

"""Sign-in in a real browser (Debian's Chromium) against a real service with tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from memory_service.settings import Settings
from memory_service.store.db import Database
from tests.security.conftest import OWN, issue_tokens
from tests.support.browser import chromium
from tests.support.service import service


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    data = tmp_path_factory.mktemp("ui-signin") / "data"
    db = Database(Settings(data_dir=data).resolved_database_url)
    tokens = issue_tokens(db)
    db.dispose()
    with service(data) as url:
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        body = {"project": OWN, "agent": "alice", "kind": "decision", "title": "Use SQLite",
                "content": "SQLite in WAL mode.", "reasoning": "One file."}  # fmt: skip
        assert httpx.post(f"{url}/v1/memories", json=body, headers=admin).status_code == 201
        yield url, tokens


def test_a_person_signs_in_with_a_token_and_the_pages_obey_the_policy(
    served: tuple[str, dict[str, str]],
    browser: Any,
) -> None:
    url, tokens = served
    context = browser.new_context()
    tab = context.new_page()
    console: list[str] = []
    tab.on("console", lambda message: console.append(message.text))
    tab.on("pageerror", lambda exc: console.append(str(exc)))

    first = tab.goto(f"{url}/ui/projects/{OWN}/decisions")
    assert first is not None and first.status == 401
    tab.get_by_role("link", name="Sign in with an access token").click()
    tab.get_by_label("Access token").fill(tokens["bogus"])
    tab.get_by_role("button", name="Sign in").click()
    assert "not known to this service" in tab.content()
    tab.get_by_label("Access token").fill(tokens["reviewer"])
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(f"{url}/ui/projects/{OWN}/decisions")
    assert "Use SQLite" in tab.content()
    assert "am_session" not in tab.evaluate("document.cookie")  # HttpOnly: out of scripts' reach
    session = [c for c in context.cookies() if c["name"] == "am_session"][0]
    assert session["httpOnly"] and session["sameSite"] == "Strict" and session["path"] == "/ui"
    tab.get_by_role("button", name="Sign out").click()
    tab.wait_for_url(f"{url}/ui/signin")
    assert not [c for c in context.cookies() if c["name"] == "am_session"]
    assert [m for m in console if "Content Security Policy" in m] == []
    context.close()

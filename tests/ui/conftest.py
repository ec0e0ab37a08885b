"""Browser tests: Debian's Chromium driven by Playwright against a real service process.

No browser is downloaded: Playwright launches /usr/bin/chromium (`apt-get install chromium`;
`.ci/run` installs it when missing). Screenshots of each page go to test-artifacts/ui/.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium
from tests.support.service import service
from tests.ui.seed import Seeded, seed

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class Site:
    url: str
    shop: Seeded
    rollback: Seeded


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One real service with two seeded projects: one to read, one to roll back."""
    with service(tmp_path_factory.mktemp("ui") / "data") as url:
        yield Site(url, seed(url, "shop"), seed(url, "shop-rollback"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh laptop-sized tab; JavaScript errors on any page fail the test."""
    context = browser.new_context(viewport=LAPTOP)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, errors


def shot(tab: Any, name: str) -> None:
    """Save a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

"""Browser tests: Debian's Chromium driven by Playwright against a real service process.

No browser is downloaded: Playwright launches /usr/bin/chromium (`apt-get install chromium`;
`.ci/run` installs it when missing). Screenshots of each page go to test-artifacts/ui/.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import chromium
from tests.support.service import service
from tests.ui.review_seed import write_review
from tests.ui.seed import Seeded, seed

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class Site:
    url: str
    shop: Seeded
    rollback: Seeded
    review: Seeded


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One real service with three seeded projects: one to read, one to roll back, and one
    to review the log by (search, versions, imported ADRs, handoff notes, a rollback)."""
    with service(tmp_path_factory.mktemp("ui") / "data") as url:
        with httpx.Client(base_url=url, timeout=60) as http:
            review = write_review(http)
        yield Site(url, seed(url, "shop"), seed(url, "shop-rollback"), review)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh laptop-sized tab; JavaScript errors and refusals by the page's Content
    Security Policy (an inline style or script) on any page fail the test."""
    context = browser.new_context(viewport=LAPTOP)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield tab
    context.close()
    assert not errors, errors


def shot(tab: Any, name: str) -> None:
    """Save a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def shots(tab: Any, name: str) -> None:
    """Screenshots at laptop and phone sizes; the page must not scroll sideways on the phone."""
    shot(tab, name)
    tab.set_viewport_size(PHONE)
    try:
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{tab.url} scrolls sideways on a phone ({width}px)"
        shot(tab, f"phone-{name}")
    finally:
        tab.set_viewport_size(LAPTOP)

"""`agentmem` as a real subprocess against a real `memory-service` process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.service import service


@pytest.fixture(scope="package")
def service_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real service process for tests/cli; tests keep apart by project name."""
    with service(tmp_path_factory.mktemp("service") / "data") as url:
        yield url

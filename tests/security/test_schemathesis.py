"""Schemathesis against the service's own OpenAPI schema, with an admin token: no 5xx, and
every answer (status, content type, body) is one the schema documents.

Examples per operation are bounded so the run takes a couple of minutes on two cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.python.asgi import shutdown_lifespans

from memory_service.api.app import create_app
from memory_service.settings import Settings
from memory_service.store.db import Database
from memory_service.store.embedding.embedder import Embedder
from tests.security.conftest import issue_tokens

EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
HEADERS: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Any]:
    config = Settings(data_dir=tmp_path_factory.mktemp("fuzz") / "data", rate_limit="none")
    db = Database(config.resolved_database_url)
    HEADERS["Authorization"] = f"Bearer {issue_tokens(db)['admin']}"
    # A loopback Host: schemathesis's own ("testserver") is refused on a loopback bind.
    HEADERS["Host"] = "localhost"
    db.dispose()
    app = create_app(config, embedder=embedder)
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app, headers={"Host": "localhost"})
    yield loaded
    shutdown_lifespans()  # the app's lifespan: stop its index drainer and close the store


def test_no_5xx_and_every_answer_matches_the_schema(api_schema: Any) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20  # the whole API, not an empty schema
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            case.call_and_validate(headers=dict(HEADERS), checks=CHECKS)

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - collected, every operation is fuzzed
            failures.append(f"{operation.label}: {exc}"[:2000])
    assert failures == []

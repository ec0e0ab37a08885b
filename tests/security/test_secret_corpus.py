"""Every secret of the corpus is stored as its marker alone, whole and in every field a
caller writes (tags and topic too); ordinary text is stored exactly as sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.schemas.fields import normalise_tag
from memory_service.services.write_path.secrets import redact
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from tests.security.secret_corpus import NEGATIVES, POSITIVES, Example
from tests.support.service import IN_PROCESS_URL

TAGGABLE = [e for e in POSITIVES if e.as_tag]


def _start(data_dir: Path, embedder: Embedder, **settings: Any) -> TestClient:
    config = Settings(data_dir=data_dir, **settings)
    return TestClient(create_app(config, embedder=embedder), base_url=IN_PROCESS_URL)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[TestClient]:
    with _start(tmp_path_factory.mktemp("corpus"), embedder) as client:
        yield client


def _remember(client: TestClient, **fields: Any) -> dict[str, Any]:
    """Store a note with `fields` and read it back as the API returns it."""
    created = client.post("/v1/memories", json={"project": "shop", "agent": "ops", **fields})
    assert created.status_code == 201, created.text
    read = client.get(f"/v1/memories/{created.json()['id']}")
    assert read.status_code == 200, read.text
    stored: dict[str, Any] = read.json()
    return stored


@pytest.mark.parametrize("example", POSITIVES, ids=lambda e: e.format)
def test_a_secret_is_stored_as_its_marker_alone_in_content_reasoning_and_title(
    api: TestClient, example: Example
) -> None:
    title = example.text if len(example.text) <= 300 else None
    stored = _remember(api, content=example.text, reasoning=example.text, title=title)
    assert stored["content"] == example.redacted
    assert stored["reasoning"] == example.redacted
    if title is not None:
        assert stored["title"] == example.redacted.strip()  # a title is stored stripped
    assert example.secret not in str(stored)


def test_every_secret_in_metadata_values_is_stored_as_its_marker(api: TestClient) -> None:
    metadata = {f"e{i}": e.text for i, e in enumerate(POSITIVES)}
    metadata["db_password"] = "hunter2-" + POSITIVES[0].secret[-6:]  # named so by its key
    stored = _remember(api, content="Connection notes for the orders stack.", metadata=metadata)
    expected = {f"e{i}": e.redacted for i, e in enumerate(POSITIVES)}
    expected["db_password"] = "[REDACTED:Secret Keyword]"
    assert stored["metadata"] == expected


@pytest.mark.parametrize("example", TAGGABLE, ids=lambda e: e.format)
def test_a_secret_pasted_as_tag_or_topic_becomes_a_slug_marker(
    api: TestClient, example: Example
) -> None:
    stored = _remember(
        api, content=f"Rotated the {example.format}.", tags=[example.secret, "ops"],
        topic=example.secret,
    )  # fmt: skip
    marker = "redacted-" + example.kind.lower().replace(" ", "-")
    assert stored["tags"] == [marker, "ops"]
    assert stored["topic"] == marker
    assert normalise_tag(example.secret) not in str(stored)


def test_tags_that_become_the_same_marker_are_stored_once(api: TestClient) -> None:
    github = [e.secret for e in TAGGABLE if e.kind == "GitHub Token"]
    aws = [e.secret for e in TAGGABLE if e.kind == "AWS Access Key"]
    stored = _remember(
        api, content="Two keys pasted as tags.", tags=[*github, "ops", *aws, *github]
    )
    assert stored["tags"] == ["redacted-github-token", "ops", "redacted-aws-access-key"]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_text_is_stored_exactly_as_sent(api: TestClient, text: str) -> None:
    stored = _remember(api, content=text, tags=["orders", "sha256:9f86d081884c7d659a2f"])
    assert stored["content"] == text
    assert stored["tags"] == ["orders", "sha256:9f86d081884c7d659a2f"]


@pytest.mark.parametrize("field", ["tags", "topic"])
def test_reject_refuses_a_secret_in_tags_or_topic_naming_the_field(
    tmp_path: Path, embedder: Embedder, field: str
) -> None:
    secret = TAGGABLE[0].secret
    value: Any = ["ops", secret] if field == "tags" else secret
    with _start(tmp_path / "data", embedder, secrets="reject") as client:
        refused = client.post(
            "/v1/memories", json={"project": "shop", "agent": "ops", "content": "x", field: value}
        )
        batch = client.post(
            "/v1/memories/batch",
            json={"memories": [
                {"project": "shop", "agent": "ops", "content": "fine"},
                {"project": "shop", "agent": "ops", "content": "y", field: value},
            ]},
        )  # fmt: skip
        assert client.get("/v1/projects").json() == []
    where = "tags.1" if field == "tags" else "topic"
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"] == {"field": where, "kind": TAGGABLE[0].kind}
    assert batch.status_code == 422, batch.text
    assert batch.json()["error"]["details"]["field"] == f"memories.1.{where}"
    assert normalise_tag(secret) not in refused.text + batch.text


@pytest.mark.parametrize("example", POSITIVES, ids=lambda e: e.format)
def test_a_redacted_text_holds_no_secret_any_more(example: Example) -> None:
    once, kinds = redact(example.text)
    assert kinds == [example.kind]
    assert redact(once) == (once, [])

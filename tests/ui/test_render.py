"""The UI's pages in-process on both stacks: SQLite + embedded Chroma, PostgreSQL + Chroma."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.ui.seed import write


def test_every_page_renders_and_escapes_memory_text(client: TestClient) -> None:
    seeded = write(client)
    ids, p = seeded.ids, seeded.project
    pages = {
        "/ui": ["shop"],
        f"/ui/projects/{p}/decisions": ["Orders live in SQLite", "January 2026"],
        f"/ui/projects/{p}/decisions?tag=orders&status=superseded": ["Orders live in SQLite"],
        f"/ui/projects/{p}/decisions?q=message+broker+events": ["Publish order events to Kafka"],
        f"/ui/projects/{p}/decisions/{ids['postgres']}": ["Orders API spec", "Diff with v1"],
        f"/ui/projects/{p}/memories/{ids['handoff-devops']}": ["Provision PostgreSQL"],
        f"/ui/projects/{p}/handoffs": ["to qa-engineer", "“cluster is up” — devops"],
        f"/ui/projects/{p}/checkpoints": ["qa-passed-sprint-1"],
        f"/ui/projects/{p}/rollback": ["6 memories would change"],
    }
    for path, texts in pages.items():
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        assert response.headers["content-type"].startswith("text/html")
        for text in texts:
            assert text in response.text, (path, text)
    filtered = client.get(f"/ui/projects/{p}/decisions?tag=orders&status=superseded").text
    assert filtered.count('class="entry-title"') == 2
    # Memory text is escaped, never markup.
    html = client.get(f"/ui/projects/{p}/decisions/{ids['postgres']}").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert('x')&lt;/script&gt; is not code." in html


def test_empty_filter_values_redirect_to_the_clean_url(client: TestClient) -> None:
    response = client.get(
        "/ui/projects/shop/decisions?q=&status=accepted&topic=&tag=&agent=",
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("/ui/projects/shop/decisions?status=accepted")


def test_a_confirm_without_a_name_shows_the_preview_again(client: TestClient) -> None:
    seeded = write(client)
    preview = client.get("/ui/projects/shop/rollback?to=last-known-good").text
    seen = preview.split('name="seen" value="')[1].split('"')[0]
    response = client.post(
        "/ui/projects/shop/rollback",
        data={"to": "last-known-good", "seen": seen, "actor": "Not A Slug"},
    )
    assert response.status_code == 422
    assert "actor: &#39;Not A Slug&#39; is not a slug" in response.text
    memory = client.get(f"/v1/memories/{seeded.ids['dynamo']}").json()
    assert memory["status"] == "accepted"  # nothing was rolled back


def test_once_tokens_exist_the_ui_follows_the_apis_access_rules(client: TestClient) -> None:
    from memory_service.services import tokens

    seeded = write(client)
    db = client.app.state.store.db  # type: ignore[attr-defined]
    agent = tokens.create_token(
        db, name="alice", role="agent", agent="alice", projects=["lab"], actor="test"
    ).token
    refused = client.get("/ui/projects/shop/decisions")
    assert refused.status_code == 401 and "this service needs a token" in refused.text
    elsewhere = client.get(
        "/ui/projects/shop/decisions", headers={"Authorization": f"Bearer {agent}"}
    )
    assert elsewhere.status_code == 403 and "may not use project" in elsewhere.text
    listed = client.get("/ui", headers={"Authorization": f"Bearer {agent}"})
    assert listed.status_code == 200 and "/ui/projects/shop/" not in listed.text
    undo = client.post(f"/ui/rollbacks/{'0' * 26}/undo", data={"actor": "alice"})
    assert undo.status_code == 401
    assert client.get(f"/v1/memories/{seeded.ids['dynamo']}").status_code == 401

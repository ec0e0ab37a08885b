"""The UI's pages in-process on both stacks: SQLite + embedded Chroma, PostgreSQL + Chroma."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.ui.seed import write


def _csrf(client: TestClient) -> dict[str, str]:
    """The form field that repeats the CSRF cookie the UI set on the last page."""
    return {"csrf_token": client.cookies.get("am_csrf") or ""}


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
        data={"to": "last-known-good", "seen": seen, "actor": "Not A Slug", **_csrf(client)},
    )
    assert response.status_code == 422
    assert "actor: &#39;Not A Slug&#39; is not a slug" in response.text
    memory = client.get(f"/v1/memories/{seeded.ids['dynamo']}").json()
    assert memory["status"] == "accepted"  # nothing was rolled back

    done = client.post(
        "/ui/projects/shop/rollback",
        data={"to": "last-known-good", "seen": seen, "actor": "qa-lead", **_csrf(client)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get(f"/v1/memories/{seeded.ids['dynamo']}").json()["status"] == "retracted"
    again = client.get("/ui/projects/shop/rollback?to=last-known-good")
    assert again.status_code == 200
    assert "Nothing to roll back in project &#39;shop&#39;" in again.text
    assert 'name="seen"' not in again.text  # no confirm form when there is nothing to do


def test_once_tokens_exist_the_ui_follows_the_apis_access_rules(client: TestClient) -> None:
    from memory_service.services.access import tokens

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


IMPORTED = """\
---
status: accepted
date: 2026-05-04
decision-makers: Jane Doe
consulted: security
informed: support
---

# Sign requests with HMAC

## Decision Drivers

* Replay protection

## Considered Options

Both were prototyped.

* HMAC
* mTLS

## Decision Outcome

Chosen option: "HMAC", because it needs no PKI.

### Confirmation

A contract test signs and verifies a request.

## More Information

See the threat model.
"""


def test_an_imported_adr_shows_its_madr_only_sections(client: TestClient) -> None:
    files = [{"name": "0007-sign-requests.md", "content": IMPORTED}]
    made = client.post("/v1/projects/api/adr", json={"files": files}).json()
    [row] = made["files"]
    html = client.get(f"/ui/projects/api/decisions/{row['memory_id']}").text
    for text in (
        "Decision drivers",
        "Replay protection",
        "Both were prototyped.",
        "A contract test signs and verifies a request.",
        "See the threat model.",
        "<dt>Consulted</dt><dd>security</dd>",
        "<dt>ADR</dt><dd>0007</dd>",
        "<dt>Agent</dt><dd>jane-doe</dd>",
    ):
        assert text in html, text
    odd = client.post(
        "/v1/memories",
        json={
            "project": "api",
            "agent": "x",
            "kind": "decision",
            "content": "Odd metadata",
            "reasoning": "Metadata is free JSON.",
            "metadata": {"adr": {"number": "seven", "consulted": "sec", "drivers": 5}},
        },
    ).json()
    page = client.get(f"/ui/projects/api/decisions/{odd['id']}")
    assert page.status_code == 200 and "<dt>ADR</dt>" not in page.text

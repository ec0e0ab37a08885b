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
        f"/ui/projects/{p}/decisions?q=message+broker+events": [
            "Publish order <mark>events</mark> to Kafka"
        ],
        f"/ui/projects/{p}/decisions/{ids['postgres']}": ["Orders API spec", "Diff with v1"],
        f"/ui/projects/{p}/memories/{ids['handoff-devops']}": ["Provision PostgreSQL"],
        f"/ui/projects/{p}/handoffs": ["to qa-engineer", "completed</span> by devops"],
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
        "<dt>ADR</dt><dd>ADR-0007</dd>",
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


def _decide(client: TestClient, project: str, **fields: object) -> str:
    body = {"project": project, "agent": "backend-architect", "kind": "decision", **fields}
    response = client.post("/v1/memories", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_titles_and_option_names_render_inline_markdown_as_escaped_html(
    client: TestClient,
) -> None:
    made = _decide(
        client,
        "md",
        title="Quote `<script>` in *titles*",
        content="Titles may hold <b>markup</b>.",
        reasoning="Reviewers read titles first.",
        options=[{"name": "**Escape** `<img src=x onerror=alert(1)>`"}],
        outcome="Escape",
    )
    log = client.get("/ui/projects/md/decisions").text
    assert "Quote <code>&lt;script&gt;</code> in <em>titles</em>" in log
    assert "`" not in log.split('class="entry-title"')[1].split("</h3>")[0]
    page = client.get(f"/ui/projects/md/decisions/{made}").text
    assert "<strong>Escape</strong> <code>&lt;img src=x onerror=alert(1)&gt;</code>" in page
    assert "<img src=x" not in page and "<script>" not in page
    assert "<title>Quote `&lt;script&gt;` in *titles* · md · agent-memory</title>" in page


def test_search_excerpts_highlight_words_of_escaped_text(client: TestClient) -> None:
    _decide(
        client,
        "hl",
        title="Cache headers for the API",
        content="Send <mark>Cache-Control</mark> & ETag headers; caching is the client's job.",
        reasoning="Fewer requests.",
    )
    html = client.get("/ui/projects/hl/decisions?q=cache+amp").text
    excerpt = html.split('class="result-excerpt"')[1].split("</p>")[0]
    assert "&lt;<mark>mark</mark>&gt;" not in excerpt  # "mark" is no query word
    assert "&lt;mark&gt;<mark>Cache</mark>-Control&lt;/mark&gt;" in excerpt
    assert "&amp; ETag" in excerpt  # an entity is never split by a highlight
    assert "<mark>caching</mark>" in excerpt


def test_imported_adrs_of_one_date_are_listed_by_number(client: TestClient) -> None:
    day = "---\nstatus: accepted\ndate: 2026-05-04\n---\n\n# {title}\n"
    files = [
        {"name": f"{n:04d}-{slug}.md", "content": day.format(title=title)}
        for n, slug, title in (
            (3, "third", "Third"),
            (12, "twelfth", "Twelfth"),
            (1, "first", "First"),
            (7, "seventh", "Seventh"),
        )
    ]
    assert client.post("/v1/projects/adrs/adr", json={"files": files}).status_code == 200
    # Free metadata that only looks like an ADR number must not break the ordering.
    _decide(
        client,
        "adrs",
        title="Odd",
        content="Odd metadata on the same day.",
        reasoning="Metadata is free JSON.",
        occurred_at="2026-05-04T00:00:00Z",
        metadata={"adr": {"number": "seven"}},
    )
    html = client.get("/ui/projects/adrs/decisions").text
    numbers = [part.split("<")[0] for part in html.split('class="adr-number">')[1:]]
    assert numbers == ["ADR-0012", "ADR-0007", "ADR-0003", "ADR-0001"]


def test_a_version_that_does_not_exist_is_named_not_replaced(client: TestClient) -> None:
    made = _decide(client, "v", title="Versioned", content="One.", reasoning="Because.")
    single = client.get(f"/ui/projects/v/decisions/{made}").text
    assert 'class="compare"' not in single and "Only one version so far" in single
    patched = client.patch(f"/v1/memories/{made}", json={"content": "One and two."})
    assert patched.status_code == 200
    page = client.get(f"/ui/projects/v/decisions/{made}?from=1&to=9")
    assert page.status_code == 200
    assert "There is no v9: its versions are v1 to v2. Pick two of them." in page.text
    assert "Changes from" not in page.text and 'class="diff"' not in page.text
    same = client.get(f"/ui/projects/v/decisions/{made}?from=2&to=2").text
    assert "v2 compared with itself shows nothing" in same


def test_a_rollback_page_is_found_only_in_its_own_project(client: TestClient) -> None:
    seeded = write(client)
    rolled = client.post(
        "/v1/projects/shop/rollback", json={"to": "last-known-good", "actor": "qa-lead"}
    ).json()
    page = client.get(f"/ui/projects/shop/rollbacks/{rolled['id']}")
    assert page.status_code == 200
    assert "6 memories changed" in page.text
    assert f"/ui/projects/shop/decisions/{seeded.ids['dynamo']}?from=1&amp;to=2#diff" in page.text
    _decide(client, "other", title="Other", content="Another project.", reasoning="Test.")
    elsewhere = client.get(f"/ui/projects/other/rollbacks/{rolled['id']}")
    assert elsewhere.status_code == 404
    assert "project &#39;other&#39; has no rollback with id" in elsewhere.text
    # The project's navigation stays, with its checkpoints as the current section.
    assert 'href="/ui/projects/other/checkpoints" aria-current="page"' in elsewhere.text
    undo = client.post(f"/v1/rollbacks/{rolled['id']}/undo", json={"actor": "qa-lead"}).json()
    undone = client.get(f"/ui/projects/shop/rollbacks/{undo['id']}").text
    assert "<h1>Undo of the rollback to checkpoint qa-passed-sprint-1" in undone
    assert "It re-applied what <a" in undone and ">rollback to checkpoint qa-passed" in undone

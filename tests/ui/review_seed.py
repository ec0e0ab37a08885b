"""A project to review the decision log by (issue 20): decisions to search for, Markdown in
titles, a decision in three versions, imported ADRs of one date, a handoff with its notes
that builds on a superseded decision, and a rollback to a labelled checkpoint.
"""

from __future__ import annotations

import httpx

from tests.ui.seed import Seeded, decide, post_json

REVIEW = "review"
COUNTRIES = (
    "Austria Belgium Canada Denmark Estonia Finland France Germany Greece Iceland Ireland "
    "Italy Japan Latvia Lithuania Croatia Norway Romania Portugal Spain Sweden Switzerland"
).split()
QUEUE_WORKERS = len(COUNTRIES)  # more than a page of search results


def _adr(number: int, title: str, day: str = "2026-03-01") -> dict[str, str]:
    """A minimal MADR file with this number and title, accepted on `day`."""
    content = (
        f"---\nstatus: accepted\ndate: {day}\ndecision-makers: Jane Doe\n---\n\n# {title}\n\n"
        f'## Decision Outcome\n\nChosen option: "{title}", because the team agreed.\n'
    )
    return {"name": f"{number:04d}-{title.lower().replace(' ', '-')}.md", "content": content}


def write_review(http: httpx.Client, project: str = REVIEW) -> Seeded:
    """A project to review the log by: cache decisions to search for, Markdown in titles, a
    decision in three versions, imported ADRs of one date, a handoff with its notes that
    builds on a superseded decision, and a rollback to a labelled checkpoint."""
    ids: dict[str, str] = {}
    workers = [
        {
            "project": project,
            "agent": "platform-engineer",
            "kind": "decision",
            "title": f"Invoices for {country} leave through the mail queue",
            "content": f"Invoices to customers in {country} are sent from the mail queue.",
            "reasoning": "The mail provider limits how many messages we may send an hour.",
            "topic": "invoicing",
            "occurred_at": f"2025-06-{n + 1:02d}T08:00:00Z",
        }
        for n, country in enumerate(COUNTRIES)
    ]
    post_json(http, "/v1/memories/batch", {"memories": workers})
    ids["cache"] = decide(
        http,
        project,
        title="Cache product pages in Redis",
        content="Product pages are cached in Redis for five minutes.",
        reasoning="Page loads dominate the database load.",
        topic="caching",
        tags=["cache"],
        occurred_at="2026-01-05T09:00:00Z",
    )
    ids["invalidate"] = decide(
        http,
        project,
        title="Invalidate the cache on every write",
        content="A write deletes the cached page of the product it changes.",
        reasoning="Stale prices are worse than a slower page.",
        topic="caching",
        tags=["cache"],
        occurred_at="2026-01-20T09:00:00Z",
    )
    ids["cdn"] = decide(
        http,
        project,
        title="Images through a CDN",
        content="Product images are served by a CDN that may cache them for a day.",
        reasoning="Images are most of the bytes a storefront sends.",
        topic="storefront",
        occurred_at="2026-02-01T09:00:00Z",
    )
    ids["orjson"] = decide(
        http,
        project,
        title="Serialise responses with `orjson`, *not* the standard library",
        content="Every JSON response is written by `orjson`.",
        reasoning="It is the fastest encoder we measured.",
        topic="api-style",
        options=[
            {"name": "`orjson`", "pros": ["fastest"], "cons": ["a compiled dependency"]},
            {"name": "the *standard* `json` module", "pros": ["no dependency"]},
        ],
        outcome="`orjson`",
        occurred_at="2026-02-05T09:00:00Z",
    )
    ids["prices"] = decide(
        http,
        project,
        title="Prices are stored in cents",
        content="Prices are integers in cents.",
        reasoning="Floating point money drifts.",
        topic="money",
        options=[{"name": "Integer cents", "pros": ["exact"], "cons": ["conversion at edges"]}],
        outcome="Integer cents",
        occurred_at="2026-02-10T09:00:00Z",
    )
    for change in (
        {"content": "Prices are integers in cents, one column per currency."},
        {
            "options": [
                {
                    "name": "Integer cents",
                    "pros": ["exact", "cheap to compare"],
                    "cons": ["conversion at edges"],
                }
            ]
        },
    ):
        patched = http.patch(f"/v1/memories/{ids['prices']}", json=change)
        assert patched.status_code == 200, patched.text
    ids["cookies"] = decide(
        http,
        project,
        title="Sessions in signed cookies",
        content="The session lives in a signed cookie.",
        reasoning="No server state.",
        topic="sessions",
        occurred_at="2026-02-12T09:00:00Z",
    )
    ids["sessions"] = decide(
        http,
        project,
        title="Sessions in Redis",
        content="The session lives in Redis; the cookie holds its id.",
        reasoning="Sessions must be revocable.",
        topic="sessions",
        supersedes=ids["cookies"],
        occurred_at="2026-02-20T09:00:00Z",
    )
    imported = http.post(
        f"/v1/projects/{project}/adr",
        json={
            "files": [
                _adr(2, "Name services after their domain"),
                _adr(10, "Deploy with containers"),
                _adr(4, "Log as JSON lines"),
            ]
        },
    )
    assert imported.status_code == 200, imported.text
    for row in imported.json()["files"]:
        ids[f"adr-{row['name'][:4]}"] = row["memory_id"]
    handoff = post_json(
        http,
        "/v1/handoffs",
        {
            "project": project,
            "from_agent": "backend-architect",
            "to_agent": "devops",
            "summary": "Provision the session store",
            "completed": ["Session schema"],
            "pending": ["Backups"],
            "refs": [ids["cookies"]],
        },
    )
    ids["handoff"] = str(handoff["id"])
    for step, note in (("ack", "starting after lunch"), ("complete", "done, see the runbook")):
        done = http.post(f"/v1/handoffs/{ids['handoff']}/{step}", json={"note": note})
        assert done.status_code == 200, done.text
    checkpoint = post_json(
        http,
        f"/v1/projects/{project}/checkpoints",
        {"label": "release-1", "agent": "qa-engineer", "known_good": True},
    )["id"]
    ids["dropped"] = decide(
        http,
        project,
        title="Drop the page cache",
        content="Product pages are no longer cached.",
        reasoning="Invalidation bugs.",
        topic="caching",
        occurred_at="2026-03-10T09:00:00Z",
    )
    rolled = post_json(
        http,
        f"/v1/projects/{project}/rollback",
        {"to": "last-known-good", "actor": "qa-lead", "reason": "QA: pages slow without cache"},
    )
    ids["rollback"] = str(rolled["id"])
    return Seeded(project, ids, checkpoint)

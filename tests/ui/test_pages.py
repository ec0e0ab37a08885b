"""Each page of the UI in a real browser: what it shows, its filters, links and forms."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.ui.conftest import PHONE, Site, shot


def test_projects_overview_shows_counts_and_last_activity(site: Site, page: Any) -> None:
    page.goto(f"{site.url}/ui")
    card = page.locator(".project-card", has=page.get_by_role("link", name="shop", exact=True))
    expect(card.locator(".counts")).to_contain_text("Decisions6")
    expect(card.locator(".counts")).to_contain_text("Deliverables1")
    expect(card.locator(".counts")).to_contain_text("Handoffs3")
    expect(card).to_contain_text(re.compile(r"Last activity \d{4}-\d\d-\d\d \d\d:\d\d UTC"))
    expect(page.locator(".project-card")).to_have_count(3)
    shot(page, "projects")
    card.get_by_role("link", name="Decision log").click()
    expect(page).to_have_url(f"{site.url}/ui/projects/shop/decisions")


def test_decision_log_is_a_timeline_by_month_with_status_chips(site: Site, page: Any) -> None:
    page.goto(f"{site.url}/ui/projects/shop")  # the project opens on its decision log
    expect(page).to_have_url(f"{site.url}/ui/projects/shop/decisions")
    expect(page.locator(".month h2")).to_have_text(
        ["April 2026", "March 2026", "February 2026", "January 2026"], ignore_case=True
    )
    expect(page.locator(".entry-title a")).to_have_text(
        [
            "Orders live in DynamoDB",
            "GraphQL for the storefront",
            "Publish order events to Kafka",
            "REST with cursor pagination",
            "Orders live in PostgreSQL",
            "Orders live in SQLite",
        ]
    )
    sqlite = page.locator(".entry", has_text="Orders live in SQLite")
    expect(sqlite.locator(".chip")).to_have_text("superseded")
    expect(sqlite.locator(".entry-replaced")).to_have_text("Replaced by Orders live in PostgreSQL")
    expect(page.locator(".status-summary")).to_contain_text("superseded 2")
    expect(page.get_by_role("tab")).to_have_count(0)
    expect(page.get_by_role("link", name="Decisions", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    shot(page, "decisions")


def test_filters_narrow_the_log_and_live_in_the_url(site: Site, page: Any) -> None:
    page.goto(f"{site.url}/ui/projects/shop/decisions")
    page.get_by_label("Status", exact=True).select_option("superseded")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"\?status=superseded$"))
    expect(page.locator(".entry-title a")).to_have_text(
        ["Orders live in PostgreSQL", "Orders live in SQLite"]
    )
    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Agent", exact=True).select_option("platform-engineer")
    page.get_by_label("Tag", exact=True).select_option("orders")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"tag=orders&agent=platform-engineer$"))
    expect(page.locator(".entry-title a")).to_have_text(["Publish order events to Kafka"])
    shot(page, "decisions-filtered")
    # The URL alone reproduces the view: open it in a fresh tab.
    shared = page.url
    other = page.context.new_page()
    other.goto(f"{site.url}/ui/projects/shop/decisions?topic=api-style")
    expect(other.locator(".entry-title a")).to_have_text(["REST with cursor pagination"])
    expect(other.get_by_label("Topic", exact=True)).to_have_value("api-style")
    other.goto(shared)
    expect(other.locator(".entry-title a")).to_have_text(["Publish order events to Kafka"])


def test_search_ranks_decisions_by_meaning_and_keywords(site: Site, page: Any) -> None:
    page.goto(f"{site.url}/ui/projects/shop/decisions")
    page.get_by_label("Search", exact=True).fill("which message broker publishes events")
    page.get_by_label("Search", exact=True).press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=which\+message\+broker"))
    expect(page.locator("#log-summary")).to_contain_text(
        "decisions in shop match 'which message broker publishes events'"
    )
    expect(page.locator(".result-title a").first).to_have_text("Publish order events to Kafka")
    shot(page, "search")
    page.get_by_label("Search", exact=True).fill("where do we keep orders")
    page.get_by_label("Status", exact=True).select_option("superseded")
    page.get_by_role("button", name="Apply").click()
    titles = page.locator(".result-title a").all_inner_texts()
    assert titles and set(titles) <= {"Orders live in PostgreSQL", "Orders live in SQLite"}


def test_a_decision_page_shows_the_record_chain_history_and_references(
    site: Site, page: Any
) -> None:
    page.goto(f"{site.url}/ui/projects/shop/decisions")
    page.locator(".entry-title").get_by_role("link", name="Orders live in PostgreSQL").click()
    postgres = site.shop.ids["postgres"]
    expect(page).to_have_url(f"{site.url}/ui/projects/shop/decisions/{postgres}")
    expect(page.locator("h1")).to_have_text("Orders live in PostgreSQL")
    expect(page.locator(".callout-warning")).to_contain_text("replaced by Orders live in DynamoDB")
    # Memory text is shown, never run: the <script> in the context stays text.
    expect(page.locator("#h-context + .prose")).to_have_text(
        "Two services now write orders. <script>alert('x')</script> is not code."
    )
    chosen = page.locator(".option-chosen")
    expect(chosen.locator("h3")).to_have_text("PostgreSQL chosen")
    expect(chosen.locator(".pros li")).to_have_text(
        ["Transactions across order lines", "Known to operations"]
    )
    expect(chosen.locator(".cons li")).to_have_text(["One more server to run"])
    expect(page.locator(".outcome")).to_have_text("Chosen option: PostgreSQL")
    expect(page.locator("#h-outcome ~ .prose strong")).to_have_text("across services")
    expect(page.locator("#h-consequences ~ .pros-cons .cons li")).to_have_text(
        ["Vertical scaling first"]
    )
    expect(page.locator(".chain li")).to_contain_text(
        [
            "Orders live in SQLite superseded",
            "Orders live in PostgreSQL (this decision) superseded",
            "Orders live in DynamoDB accepted",
        ]
    )
    expect(page.locator("#h-refby + .plain-list a")).to_have_text(
        [
            "Provision PostgreSQL",
            "Test the orders API",
            "Orders API ready for the storefront",
            "Orders API spec",
        ]
    )
    expect(page.locator(".history tbody tr")).to_have_count(2)
    expect(page.locator(".history tbody tr").nth(1)).to_contain_text("superseded")
    shot(page, "decision")

    page.get_by_role("link", name="Diff with v1").click()
    expect(page).to_have_url(re.compile(r"\?from=1&to=2#diff$"))
    expect(page.locator(".diff-field-status del")).to_have_text(["removed: accepted"])
    expect(page.locator(".diff-field-status ins")).to_have_text(["added: superseded"])
    expect(page.locator(".diff-field-superseded_by ins")).to_have_text(
        ["Orders live in DynamoDB accepted"]
    )

    # Follow the supersession forward, then back.
    page.locator(".callout-warning a[rel=next]").click()
    dynamo = site.shop.ids["dynamo"]
    expect(page).to_have_url(f"{site.url}/ui/projects/shop/decisions/{dynamo}")
    expect(page.locator(".callout-warning")).to_have_count(0)
    expect(page.locator(".chain-current")).to_contain_text("Orders live in DynamoDB")
    page.locator(".chain a[rel=prev]").click()
    expect(page).to_have_url(f"{site.url}/ui/projects/shop/decisions/{postgres}")


def test_a_revised_decision_shows_the_text_diff_between_versions(site: Site, page: Any) -> None:
    rest = site.shop.ids["rest"]
    page.goto(f"{site.url}/ui/projects/shop/decisions/{rest}?from=1&to=2")
    expect(page.locator(".history tbody tr").nth(1)).to_contain_text("updated api-reviewer")
    # Word by word: only what was added is marked, the rest of the sentence is kept.
    expect(page.locator(".diff-field-content del")).to_have_count(0)
    expect(page.locator(".diff-field-content ins")).to_have_text(["added: and ETags"])
    expect(page.locator(".diff-field-content .diff-text")).to_have_text(
        "Public APIs are REST with opaque cursors added: and ETags."
    )


def test_the_handoff_board_groups_by_state_and_receiving_agent(site: Site, page: Any) -> None:
    page.goto(f"{site.url}/ui/projects/shop/handoffs")
    for state, agent, title in (
        ("open", "frontend-developer", "Orders API ready for the storefront"),
        ("acknowledged", "qa-engineer", "Test the orders API"),
        ("completed", "devops", "Provision PostgreSQL"),
    ):
        column = page.locator(f".column-{state}")
        expect(column.locator(".to-agent")).to_have_text([f"to {agent}"])
        expect(column.locator(".handoff h4")).to_have_text([title])
        expect(column.locator(".handoff")).to_contain_text("Pagination edge cases")
    expect(page.locator(".column-acknowledged .handoff .notes li")).to_have_text(
        re.compile(r"^acknowledged by qa-engineer \d{4}-\d\d-\d\d: “on it”$")
    )
    shot(page, "handoffs")
    page.get_by_label("Receiving agent", exact=True).select_option("qa-engineer")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"\?agent=qa-engineer$"))
    expect(page.locator(".handoff")).to_have_count(1)
    page.get_by_role("link", name="Orders live in PostgreSQL").click()
    expect(page.locator("h1")).to_have_text("Orders live in PostgreSQL")


def _memory(site: Site, key: str) -> dict[str, Any]:
    response = httpx.get(f"{site.url}/v1/memories/{site.rollback.ids[key]}")
    return response.json()  # type: ignore[no-any-return]


def test_rollback_is_previewed_then_confirmed_then_undone(site: Site, page: Any) -> None:
    project = site.rollback.project
    page.goto(f"{site.url}/ui/projects/{project}/checkpoints")
    expect(page.locator("#since-good")).to_have_text(
        "8 changes to 6 memories since the last known-good checkpoint, qa-passed-sprint-1."
    )
    expect(page.locator(".entry-checkpoint")).to_contain_text("qa-passed-sprint-1 known good")
    shot(page, "checkpoints")
    page.get_by_role("link", name="Preview rollback to the last known-good state").click()
    expect(page.locator("#h-changes")).to_have_text("6 memories would change")

    def change(title: str) -> Any:
        return page.locator(".change").filter(has=page.locator("h3", has_text=title))

    dynamo = change("Orders live in DynamoDB")
    expect(dynamo.locator(".action")).to_have_text("retracted")
    postgres = change("Orders live in PostgreSQL")
    expect(postgres.locator("tr", has_text="superseded by")).to_contain_text(
        "Orders live in DynamoDB"
    )
    expect(change("REST with cursor pagination")).not_to_contain_text("content hash")
    expect(page.locator("#h-impact ~ .plain-list li", has_text="Orders API spec")).to_contain_text(
        "stays; review it"
    )
    shot(page, "rollback-preview")
    assert _memory(site, "dynamo")["status"] == "accepted"  # a preview changes nothing

    # Someone changes the project after the preview: confirming must not apply a stale plan.
    httpx.patch(
        f"{site.url}/v1/memories/{site.rollback.ids['events']}", json={"tags": ["orders"]}
    ).raise_for_status()
    page.get_by_label("Your name (who confirms the rollback)").fill("qa-lead")
    page.get_by_role("button", name="Roll back 6 memories").click()
    expect(page.locator("#confirm-error")).to_contain_text("changed since this preview")
    expect(page.locator("#h-changes")).to_have_text("7 memories would change")
    assert _memory(site, "dynamo")["status"] == "accepted"

    page.get_by_label("Your name (who confirms the rollback)").fill("qa-lead")
    page.get_by_role("button", name="Roll back 7 memories").click()
    expect(page).to_have_url(re.compile(r"/checkpoints\?done=\w{26}$"))
    expect(page.locator(".callout-success")).to_contain_text("applied")
    rolled = page.locator(".entry-rollback")
    expect(rolled.locator(".entry-title")).to_have_text(
        "Rollback to checkpoint qa-passed-sprint-1 (the last known-good)"
    )
    expect(rolled).to_contain_text("by qa-lead · 7 memories changed")
    expect(page.locator(".callout-success")).to_contain_text(
        "Rollback to checkpoint qa-passed-sprint-1 (the last known-good) applied: "
        "7 memories changed"
    )
    shot(page, "rollback-done")
    assert _memory(site, "dynamo")["status"] == "retracted"
    assert _memory(site, "postgres")["status"] == "accepted"

    page.get_by_label("Undo as", exact=True).fill("qa-lead")
    page.get_by_role("button", name="Undo this rollback").click()
    expect(page.locator(".entry-rollback").first).to_contain_text(
        "Undo of the rollback to checkpoint qa-passed-sprint-1"
    )
    expect(page.locator(".entry-rollback").nth(1)).to_contain_text("undone")
    assert _memory(site, "dynamo")["status"] == "accepted"
    assert _memory(site, "postgres")["status"] == "superseded"


def test_errors_are_pages_that_say_what_to_fix(site: Site, page: Any) -> None:
    response = page.goto(f"{site.url}/ui/projects/nope/decisions")
    assert response.status == 404
    expect(page.locator(".callout-error")).to_contain_text("project 'nope' has no memories")
    response = page.goto(f"{site.url}/ui/projects/shop/decisions?status=maybe")
    assert response.status == 422
    expect(page.locator(".callout-error")).to_contain_text("status must be one of")
    response = page.goto(f"{site.url}/ui/projects/shop/rollback?to=not-a-checkpoint")
    assert response.status == 409
    expect(page.locator(".callout-error")).to_contain_text("is not a checkpoint of project")


def test_keyboard_users_can_skip_to_content_and_see_focus(site: Site, page: Any) -> None:
    page.goto(f"{site.url}/ui/projects/shop/decisions")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.evaluate("e => e.getBoundingClientRect().top") >= 0  # shown when focused
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_every_page_fits_a_phone_screen(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    tab = context.new_page()
    ids = site.shop.ids
    for name, path in (
        ("projects", "/ui"),
        ("decisions", "/ui/projects/shop/decisions"),
        ("decision", f"/ui/projects/shop/decisions/{ids['postgres']}"),
        ("handoffs", "/ui/projects/shop/handoffs"),
        ("checkpoints", "/ui/projects/shop/checkpoints"),
        ("rollback-preview", "/ui/projects/shop/rollback?to=last-known-good"),
    ):
        tab.goto(site.url + path)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"
        shot(tab, f"phone-{name}")
    context.close()

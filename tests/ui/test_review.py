"""The decision log as a reviewer reads it (issue 20), in a real browser: search that says
"no match" and shows why a result matched, log rows that say what was decided and why,
counts that name their unit and filter, ADR numbers, Markdown in titles, word-level diffs,
handoffs with every note, and rollbacks named by their checkpoints."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.ui.conftest import PHONE, Site, shots
from tests.ui.review_seed import QUEUE_WORKERS

# The review project's decisions: its workers, seven written one by one, three imported ADRs
# (the one rolled back is retracted, so no longer counted).
DECISIONS = QUEUE_WORKERS + 7 + 3
CACHE_TITLES = {
    "Cache product pages in Redis",
    "Invalidate the cache on every write",
    "Images through a CDN",
}


def _log(site: Site, query: str = "") -> str:
    return f"{site.url}/ui/projects/review/decisions{query}"


def _decision(site: Site, key: str, query: str = "") -> str:
    return f"{site.url}/ui/projects/review/decisions/{site.review.ids[key]}{query}"


def test_a_search_nothing_matches_says_so(site: Site, page: Any) -> None:
    page.goto(_log(site))
    page.get_by_label("Search", exact=True).fill("zzzzqqq")
    page.get_by_label("Search", exact=True).press("Enter")
    expect(page.locator("#log-summary")).to_have_text("No decision matches 'zzzzqqq'")
    expect(page.locator(".result")).to_have_count(0)
    expect(page.locator(".entry")).to_have_count(0)
    expect(page.locator(".empty")).to_contain_text("Try other words or fewer filters")
    shots(page, "search-no-match")


def test_search_results_are_ranked_with_highlighted_excerpts(site: Site, page: Any) -> None:
    page.goto(_log(site, "?q=cache"))
    expect(page.locator("#log-summary")).to_have_text(
        f"5 of {DECISIONS} decisions in review match 'cache'"
    )
    # A ranked list, not the dated timeline: no month headings, numbered results.
    expect(page.locator(".month")).to_have_count(0)
    results = page.locator("ol.results > li.result")
    expect(results).to_have_count(5)
    titles = page.locator(".result-title a").all_inner_texts()
    assert set(titles[:3]) == CACHE_TITLES  # the word and the meaning before meaning alone
    assert set(titles[3:]) == {"Sessions in signed cookies", "Sessions in Redis"}
    redis = results.filter(has=page.locator(".result-title", has_text="Sessions in Redis"))
    expect(redis.locator(".result-why")).to_have_text(
        "Found by meaning: none of the words of the search is in it."
    )
    expect(redis.locator("mark")).to_have_count(0)
    cdn = results.filter(has_text="Images through a CDN")
    # The title does not hold the word: the excerpt shows where the text does.
    expect(cdn.locator(".result-excerpt mark")).to_have_text(["cache"])
    expect(cdn.locator(".result-excerpt")).to_contain_text("served by a CDN that may cache them")
    invalidate = results.filter(has_text="Invalidate the cache on every write")
    expect(invalidate.locator(".result-title mark")).to_have_text(["cache"])
    expect(invalidate.locator(".result-excerpt mark")).to_have_text(["cached"])
    shots(page, "search-ranked")


def test_search_results_come_a_page_at_a_time(site: Site, page: Any) -> None:
    page.goto(_log(site, "?q=queue"))
    expect(page.locator("#log-summary")).to_have_text(
        f"{QUEUE_WORKERS} of {DECISIONS} decisions in review match 'queue'"
    )
    expect(page.locator("#results-head")).to_have_text(
        f"Ranked by relevance: 1–20 of {QUEUE_WORKERS}"
    )
    expect(page.locator(".result")).to_have_count(20)
    first_page = set(page.locator(".result-title a").all_inner_texts())
    page.get_by_role("link", name="Less relevant →").click()
    expect(page).to_have_url(re.compile(r"\?q=queue&page=2$"))
    expect(page.locator("#results-head")).to_have_text(
        f"Ranked by relevance: 21–{QUEUE_WORKERS} of {QUEUE_WORKERS}"
    )
    expect(page.locator("ol.results")).to_have_attribute("start", "21")
    rest = set(page.locator(".result-title a").all_inner_texts())
    assert len(rest) == QUEUE_WORKERS - 20 and not rest & first_page
    shots(page, "search-page-2")


def test_log_rows_say_what_was_decided_and_why(site: Site, page: Any) -> None:
    page.goto(_log(site))
    row = page.locator(".entry", has_text="Cache product pages in Redis")
    expect(row.locator(".entry-line")).to_have_text(
        "Product pages are cached in Redis for five minutes."
    )
    expect(row.locator(".entry-why")).to_have_text("Because Page loads dominate the database load.")
    shots(page, "decisions-rows")


def test_counts_name_their_unit_and_filter(site: Site, page: Any) -> None:
    page.goto(_log(site))
    expect(page.locator("#log-summary")).to_have_text(f"{DECISIONS} decisions in review")
    page.get_by_label("Tag", exact=True).select_option("cache")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#log-summary")).to_have_text(
        f"2 of {DECISIONS} decisions in review with tag cache"
    )
    # The status chips and the choices count the whole project, and say so.
    expect(page.locator("#by-status")).to_have_text(
        f"All {DECISIONS} decisions in review by status, before filters:"
    )
    expect(page.locator("#f-topic option", has_text="invoicing")).to_have_text(
        f"invoicing ({QUEUE_WORKERS} in review)"
    )
    page.get_by_label("Search", exact=True).fill("cache")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#log-summary")).to_have_text(
        f"2 of {DECISIONS} decisions in review match 'cache' with tag cache"
    )
    shots(page, "decisions-counts")


def test_imported_adrs_show_their_numbers_in_number_order(site: Site, page: Any) -> None:
    page.goto(_log(site))
    march = page.locator(".month", has=page.get_by_role("heading", name="March 2026"))
    expect(march.locator(".entry-title")).to_have_text(
        [
            "ADR-0010 Deploy with containers accepted",
            "ADR-0004 Log as JSON lines accepted",
            "ADR-0002 Name services after their domain accepted",
        ]
    )
    march.get_by_role("link", name="Log as JSON lines").click()
    expect(page.locator("h1")).to_have_text("ADR-0004 Log as JSON lines")
    expect(page.locator(".facts")).to_contain_text("ADRADR-0004")
    shots(page, "decision-adr")


def test_markdown_in_titles_and_option_names_is_rendered(site: Site, page: Any) -> None:
    page.goto(_log(site))
    title = page.locator(".entry-title a", has_text="Serialise responses with")
    expect(title).to_have_text("Serialise responses with orjson, not the standard library")
    expect(title.locator("code")).to_have_text("orjson")
    expect(title.locator("em")).to_have_text("not")
    title.click()
    expect(page.locator("h1 code")).to_have_text("orjson")
    expect(page.locator(".option h3")).to_have_text(["orjson chosen", "the standard json module"])
    expect(page.locator(".option h3 em")).to_have_text("standard")
    expect(page.locator(".option-chosen h3 code")).to_have_text("orjson")
    expect(page.locator(".outcome code")).to_have_text("orjson")
    assert "`" not in page.locator("main").inner_text()
    shots(page, "decision-markdown")


def test_versions_differ_word_by_word_without_diff_marks(site: Site, page: Any) -> None:
    page.goto(_decision(site, "prices", "?from=1&to=3"))
    expect(page.locator("#diff")).to_have_text("Changes from v1 to v3")
    content = page.locator(".diff-field-content")
    expect(content.locator("ins")).to_have_text(["added: , one column per currency"])
    expect(content.locator("del")).to_have_count(0)
    options = page.locator(".diff-field-options .diff-text")
    # Pros and cons say so in words, so no line reads like a "+"/"-" diff line.
    expect(options).to_contain_text("Pro: exact")
    expect(options.locator("ins")).to_have_text([re.compile(r"^added: Pro: cheap to compare")])
    text = page.locator(".diff").inner_text()
    assert "@@" not in text and not re.search(r"^\s*[+−-] ", text, re.MULTILINE)
    shots(page, "decision-diff")


def test_a_version_that_does_not_exist_is_named(site: Site, page: Any) -> None:
    page.goto(_decision(site, "prices", "?to=9"))
    expect(page.locator("#compare-problem")).to_have_text(
        "There is no v9: its versions are v1 to v3. Pick two of them."
    )
    expect(page.locator(".diff")).to_have_count(0)
    expect(page.locator("#diff")).to_have_text("Compare versions")
    page.get_by_label("From", exact=True).select_option("2")
    page.get_by_label("to", exact=True).select_option("3")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#diff")).to_have_text("Changes from v2 to v3")
    shots(page, "decision-no-such-version")


def test_a_decision_with_one_version_has_no_compare_form(site: Site, page: Any) -> None:
    page.goto(_decision(site, "orjson"))
    expect(page.locator(".history tbody tr")).to_have_count(1)
    expect(page.locator("form.compare")).to_have_count(0)
    expect(page.locator("#diff")).to_have_text("Only one version so far: nothing to compare.")


def test_a_diff_names_the_replacing_decision_by_its_title(site: Site, page: Any) -> None:
    page.goto(_decision(site, "cookies"))
    replaced = page.locator(".diff-field-superseded_by")
    expect(replaced.locator("a")).to_have_text("Sessions in Redis")
    expect(replaced.locator("a")).to_have_attribute(
        "href", f"/ui/projects/review/decisions/{site.review.ids['sessions']}"
    )
    expect(page.locator(".diff")).not_to_contain_text(site.review.ids["sessions"])


def test_the_version_table_fits_a_phone(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    tab = context.new_page()
    tab.goto(_decision(site, "prices"))
    cells = tab.locator(".history td")
    expect(cells.first).to_be_visible()
    rights = cells.evaluate_all("cells => cells.map(c => c.getBoundingClientRect().right)")
    assert rights and max(rights) <= PHONE["width"], rights
    # Each cell says which column it is, in place of the hidden header row.
    labels = tab.locator(".history tbody tr").nth(2).locator("td[data-label]")
    shown = labels.evaluate_all("tds => tds.map(td => getComputedStyle(td, '::before').content)")
    assert shown == ['"Version"', '"Event"', '"By"', '"When"', '"Changed"'], shown
    tab.screenshot(path=str(_artifact("phone-decision-versions")), full_page=True)
    context.close()


def _artifact(name: str) -> Any:
    from tests.ui.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def test_a_handoff_page_shows_every_note(site: Site, page: Any) -> None:
    page.goto(f"{site.url}/ui/projects/review/memories/{site.review.ids['handoff']}")
    notes = page.locator("#h-notes + .notes li")
    expect(notes).to_have_count(2)
    expect(notes.nth(0)).to_contain_text("acknowledged by devops")
    expect(notes.nth(0)).to_contain_text("starting after lunch")
    expect(notes.nth(1)).to_contain_text("completed by devops")
    expect(notes.nth(1)).to_contain_text("done, see the runbook")
    shots(page, "handoff-notes")


def test_the_board_shows_notes_done_work_and_what_a_reference_became(site: Site, page: Any) -> None:
    page.goto(f"{site.url}/ui/projects/review/handoffs")
    card = page.locator(".column-completed .handoff", has_text="Provision the session store")
    expect(card.locator(".work-done")).to_have_text("Done: Session schema")
    expect(card.locator(".notes li")).to_have_count(2)
    expect(card.locator(".notes li").first).to_contain_text("starting after lunch")
    ref = card.locator(".ref-list li")
    expect(ref.locator(".chip")).to_have_text("superseded")
    expect(ref.locator(".ref-replaced")).to_have_text("replaced by Sessions in Redis")
    expect(page.locator(".column-completed h2 .count")).to_have_text("1 handoff")
    shots(page, "handoffs-notes")


def test_a_rollback_is_named_by_its_checkpoint_and_links_to_its_changes(
    site: Site, page: Any
) -> None:
    page.goto(f"{site.url}/ui/projects/review/checkpoints")
    expect(page.locator("#since-good")).to_have_text(
        "2 changes to 1 memory since the last known-good checkpoint, release-1."
    )
    rolled = page.locator(".entry-rollback")
    expect(rolled.locator(".entry-title")).to_have_text(
        "Rollback to checkpoint release-1 (the last known-good)"
    )
    expect(rolled).to_contain_text("Why: QA: pages slow without cache")
    shots(page, "checkpoints-named")
    rolled.get_by_role("link", name="1 memory changed").click()
    rollback_id = site.review.ids["rollback"]
    expect(page).to_have_url(f"{site.url}/ui/projects/review/rollbacks/{rollback_id}")
    expect(page.locator("h1")).to_have_text(
        "Rollback to checkpoint release-1 (the last known-good)"
    )
    expect(page.locator("#h-changed")).to_have_text("1 memory changed")
    change = page.locator(".changed-list li")
    expect(change).to_contain_text("Drop the page cache")
    expect(change.locator(".chip")).to_have_text("retracted")
    shots(page, "rollback-changes")
    change.get_by_role("link", name="Drop the page cache").click()
    expect(page.locator("#diff")).to_have_text("Changes from v1 to v2")
    expect(page.locator(".diff-field-status del")).to_have_text("removed: accepted")
    expect(page.locator(".diff-field-status ins")).to_have_text("added: retracted")


def test_an_unknown_decision_keeps_the_project_navigation(site: Site, page: Any) -> None:
    response = page.goto(f"{site.url}/ui/projects/review/decisions/{'0' * 26}")
    assert response is not None and response.status == 404
    expect(page.locator(".callout-error")).to_contain_text("has no memory with id")
    nav = page.locator(".project-nav")
    expect(nav.get_by_role("link", name="review", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Decisions", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    shots(page, "decision-not-found")
    page.get_by_role("link", name="Back to the decision log of review").click()
    expect(page).to_have_url(_log(site))

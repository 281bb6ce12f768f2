"""Every main page, as the people who use it see it, checked by axe-core (vendored and
pinned, keywork/testing/axe.py) in a real Chromium: no critical and no serious violation.

The counts of every impact are written to var/axe-results.json, one line per page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keywork.clients.tests.test_journeys import log_in, next_week
from keywork.testing import axe
from keywork.testing.world import a_check, a_map, build_world

pytestmark = pytest.mark.django_db(transaction=True)

RESULTS = Path("var") / "axe-results.json"
CLIENT = "/clients/T0001/"

PAGES = {
    "mia.trained": [
        "/",
        "/diary/",
        "/search/?q=Sam",
        "/clients/new/",
        CLIENT,
        CLIENT + "details/",
        CLIENT + "sessions/new/",
        CLIENT + "assessments/",
        CLIENT + "assessments/new/",
        CLIENT + "care-plan/",
        CLIENT + "care-plan/new/",
        CLIENT + "care-plan/review/",
        CLIENT + "interventions/",
        CLIENT + "interventions/new/",
        CLIENT + "interventions/offer/",
        CLIENT + "triage/",
        CLIENT + "prescribing/",
        CLIENT + "referrals/",
        CLIENT + "referrals/new/",
        CLIENT + "outcomes/",
        CLIENT + "outcomes/new/",
        CLIENT + "maps/",
        CLIENT + "maps/new/",
        CLIENT + "recovery/",
        CLIENT + "recovery/new/",
        CLIENT + "phase/",
        CLIENT + "discharge/",
        CLIENT + "summary/",
        "/clients/T0003/check-ups/",
        "/groups/",
        "/clients/NOPE/",  # the 404 page
    ],
    "tia.leader": ["/", "/team/", "/diary/?team=1", "/dashboard/", "/reports/qs6/"],
    "max.manager": ["/", "/team/", "/dashboard/", "/reports/qs6/", "/access-reviews/"],
}


def checked(page: Any, url: str) -> dict[str, Any]:
    page.goto(url)
    page.wait_for_load_state()
    found = axe.violations(page)
    return {
        "page": url,
        **axe.counts(found),
        "blocking": axe.blocking(found),
        "rules": rules(found),
    }


def rules(found: list[dict[str, Any]]) -> list[str]:
    """Every violation found, as "impact: rule", for the record of what is left."""
    return [f"{v['impact']}: {v['id']}" for v in found]


def test_every_main_page_has_no_critical_or_serious_violation(page: Any, personas: Any) -> None:
    build_world(personas)
    the_map = a_map(personas)  # drawn on, and a check taken: the pages show them
    a_check(personas)
    drawn = [CLIENT + f"maps/{the_map.pk}/", CLIENT + f"maps/{the_map.pk}/change/"]
    results: list[dict[str, Any]] = []
    for username, urls in {**PAGES, "mia.trained": PAGES["mia.trained"] + drawn}.items():
        page.context.clear_cookies()
        log_in(page, username)
        results.extend({"as": username, **checked(page, url)} for url in urls)
        if username == "mia.trained":  # a form sent back with its problems summarised
            page.goto("/clients/new/")
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            assert page.locator("#error-summary").is_visible()
            found = axe.violations(page)
            shown = {"page": "/clients/new/ (refused)", **axe.counts(found)}
            refused = {"blocking": axe.blocking(found), "rules": rules(found)}
            results.append({"as": username, **shown, **refused})
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(json.dumps(r) for r in results) + "\n")
    problems = [f"{r['as']} {r['page']}: {line}" for r in results for line in r["blocking"]]
    assert problems == [], "\n".join(problems)


PHONE = {"width": 390, "height": 844}


def sideways(page: Any) -> int:
    """How far the page scrolls sideways, in CSS pixels (0 when it fits)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


def test_on_a_phone_the_caseload_is_a_list_and_a_session_can_be_recorded(
    browser: Any, live_server: Any, personas: Any
) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "mia.trained")
    assert page.locator("h1").inner_text() == "My caseload"
    assert sideways(page) == 0
    row = page.locator("tr", has_text="Sam Synthetic")
    box = row.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    named = row.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert named == '"Client id: "'  # each value named, as a list reads
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
    page.screenshot(path="var/phone-caseload.png", full_page=True)

    page.click("a:has-text('Sam Synthetic')")
    page.wait_for_url("**/clients/T0001/")  # measured on the record, not on the way to it
    assert sideways(page) == 0
    page.click("text=Record a session")
    page.wait_for_url("**/clients/T0001/sessions/new/")
    assert sideways(page) == 0
    page.check("input[name=outcome][value=attended]")
    page.check("input[name=care_plan_work][value=progress_checked]")
    page.fill("textarea[name=information_advice]", "Naloxone kit checked")
    page.fill("textarea[name=harm_reduction]", "Not using alone")
    page.fill("textarea[name=motivational_work]", "Scaled confidence")
    page.check("input[name=topics][value='topic.ambivalence']")
    # the client's phase's topics first; the rest behind a search
    cravings = page.locator("input[name=topics][value='topic.cravings']")
    assert not cravings.is_visible()
    page.click("#id_topics summary")
    page.fill("#id_topics-search", "crav")
    shown = page.locator("#id_topics-more > div:visible")
    assert shown.count() == 1 and cravings.is_visible()
    cravings.check()
    page.fill("input[name=next_date]", next_week())
    page.fill("input[name=next_time]", "10:30")
    page.screenshot(path="var/phone-session.png", full_page=True)
    page.click("text=Record the session")
    assert "Session recorded." in page.locator(".messages").inner_text()
    assert sideways(page) == 0
    context.close()

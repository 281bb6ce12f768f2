"""Browser journeys in a real headless Chromium (Debian's chromium, driven by Playwright) on
a live server: log in, find a client, record a session with a topic and an intervention, see
the caseload change, reallocate as a team leader, print the summary.

Without /usr/bin/chromium they are skipped with a reason, unless KEYWORK_BROWSER_TESTS is
"required" (CI sets it), when a missing browser is a failure. The `browser` and `page`
fixtures are in keywork/conftest.py."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from keywork.testing.personas import PASSWORD, second_factor_code

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Any, username: str) -> None:
    """Sign in as a person would: the password, then, for a role that has one, the code
    their authenticator app shows."""
    from django.contrib.auth.models import User

    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/login/second-step/" in page.url:
        page.fill("input[name=code]", second_factor_code(User.objects.get(username=username)))
        page.click("button[type=submit]")
        page.wait_for_load_state()


def test_a_keyworker_finds_a_client_records_a_session_and_sees_the_caseload_change(
    page: Any, personas: Any
) -> None:
    log_in(page, "mia.trained")
    assert page.locator("h1").inner_text() == "My caseload"
    row = page.locator("tr", has_text="Sam Synthetic")
    assert "Not yet seen" in row.inner_text()

    page.fill("#q", "Synth")
    page.click("text=Show")
    page.click("a:has-text('Sam Synthetic')")
    assert "T0001" in page.locator("h1").inner_text()

    page.click("text=Record a session")
    page.check("input[name=care_plan_work][value=progress_checked]")
    page.fill("textarea[name=information_advice]", "Naloxone kit checked")
    page.fill("textarea[name=harm_reduction]", "Not using alone")
    page.fill("textarea[name=motivational_work]", "Scaled confidence")
    page.check("input[name=topics][value='topic.ambivalence']")
    page.check("input[name=interventions][value='kwp.motivational-interviewing']")
    page.fill("input[name=next_date]", next_week())
    page.fill("input[name=next_time]", "10:30")
    page.click("text=Record the session")

    assert "Session recorded." in page.locator(".messages").inner_text()
    timeline = page.locator(".timeline").inner_text()
    assert "Motivational interviewing" in timeline and "Ambivalence" in timeline

    page.click("nav >> text=Caseload")
    row = page.locator("tr", has_text="Sam Synthetic")
    assert "Not yet seen" not in row.inner_text() and "None booked" not in row.inner_text()
    assert re.search(r"\d\d/\d\d/\d{4} 10:30", row.inner_text())


def test_a_team_leader_reallocates_and_the_client_summary_prints_on_one_page(
    page: Any, personas: Any
) -> None:
    log_in(page, "tia.leader")
    page.goto("/clients/T0001/")
    page.click("text=Change keyworker")
    page.select_option("select[name=worker]", label=personas.keyworker.name)
    page.fill("input[name=reason]", "Mia's caseload is full")
    page.click("button:has-text('Change keyworker')")
    assert "Keyworker changed." in page.locator(".messages").inner_text()
    assert personas.keyworker.name in page.locator(".record-header").inner_text()

    page.click("text=Print “Your keyworking”")
    summary = page.locator("article.summary").inner_text()
    assert f"{personas.keyworker.name} is your keyworker" in summary
    assert "What is expected of you" in summary
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("button:has-text('Print')")
    assert page.evaluate("window.printed === true"), "the Print button opens the print dialog"
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def test_a_keyworker_takes_a_review_profile_and_sees_the_outcome_chart(
    page: Any, personas: Any
) -> None:
    from keywork.outcomes.tests.test_outcomes import take

    take(personas)  # the start profile, 50 days ago: quality of life 5
    log_in(page, "mia.trained")
    page.goto("/clients/T0001/")
    page.click("text=Take outcomes")
    assert page.locator("input[name=stage][value=review]").is_checked()
    page.fill("input[name=opiates_days]", "3")
    page.fill("input[name=opiates_amount]", "0.2")
    for name, value in (("psychological_health", "11"), ("physical_health", "10")):
        page.fill(f"input[name={name}]", value)
    page.fill("input[name=quality_of_life]", "12")
    page.click("button:has-text('Take outcomes')")
    assert "Outcome profile recorded." in page.locator(".messages").inner_text()

    chart = page.locator("figure.outcome-chart", has_text="own ratings")
    canvas = "canvas[data-chart=outcome-chart-ratings]"
    page.wait_for_function(
        f"() => window.Chart && Chart.getChart(document.querySelector('{canvas}'))"
    )
    drawn = page.locator(canvas).evaluate(
        "c => { const d = Chart.getChart(c).data.datasets;"
        " return {width: c.width, height: c.height, lines: d.length, points: d[0].data.length}; }"
    )
    assert drawn["lines"] == 3 and drawn["points"] == 2  # three ratings, two profiles each
    assert drawn["width"] > 300 and drawn["height"] > 100
    row = chart.locator("tr", has_text="Quality of life").inner_text().split()
    assert row[-2:] == ["5", "12"]  # the figures in a table, for those who cannot see it


def next_week() -> str:
    import datetime as dt

    from keywork.core.dates import today

    return (today() + dt.timedelta(days=7)).isoformat()


def test_a_missed_appointment_is_a_short_record_on_the_booked_slot(
    page: Any, personas: Any
) -> None:
    from django.utils import timezone

    from keywork.sessions import actions
    from keywork.sessions.models import KeyworkSession

    when = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=3)
    booked = actions.schedule_session(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=actions.Appointment(starts_at=when, place="home_visit"),
    )
    log_in(page, "mia.trained")
    page.goto("/diary/")
    assert "Past appointments with no outcome" in page.locator("main").inner_text()
    page.click("a:has-text('Record')")
    assert page.locator("input[name=time]").input_value() == when.strftime("%H:%M")
    page.check("input[name=outcome][value=did_not_attend]")
    assert not page.locator("input[name=topics]").first.is_visible()
    assert not page.locator("input[name=next_date]").is_visible()
    page.fill("textarea[name=notes]", "No answer at the door; card left.")
    page.click("text=Record the session")
    assert "Session recorded." in page.locator(".messages").inner_text()
    assert "Re-engagement since" in page.locator(".record-header").inner_text()
    booked.refresh_from_db()
    assert booked.outcome == "did_not_attend"
    assert KeyworkSession.objects.filter(starts_at=when).count() == 1  # one session, the booked

"""A keyworker's whole day in a real Chromium, with no import: register a client, open their
episode, assess, agree a care plan, book an appointment and record it as attended on its
booked slot, book another and record a did-not-attend, see the re-engagement flag, call the
client from the banner's number, review the care plan, discharge.

Each task's clicks (a click, a tick, a choice from a list) and fields typed are counted and
written to var/day-clicks.json."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from keywork.clients.tests.test_journeys import log_in
from keywork.clients.tests.test_registration import VALID_NHS

pytestmark = pytest.mark.django_db(transaction=True)

CLICKS = Path("var") / "day-clicks.json"
PHONE = "07700 900456"


class Counted:
    """The page, with every click, tick, choice and field typed counted against a task."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.task = ""
        self.clicks: Counter[str] = Counter()
        self.typed: Counter[str] = Counter()

    def doing(self, task: str) -> None:
        self.task = task
        self.clicks[task] += 0
        self.typed[task] += 0

    def click(self, selector: str) -> None:
        self.clicks[self.task] += 1
        self.page.click(selector)
        self.page.wait_for_load_state()

    def check(self, selector: str) -> None:
        self.clicks[self.task] += 1
        self.page.check(selector)

    def choose(self, selector: str, **option: Any) -> None:
        self.clicks[self.task] += 1
        self.page.select_option(selector, **option)

    def fill(self, selector: str, value: str) -> None:
        self.typed[self.task] += 1
        self.page.fill(selector, value)

    def said(self) -> str:
        return self.page.locator(".messages").inner_text()


def moments() -> tuple[dt.datetime, dt.datetime]:
    """Two appointments earlier today: the first kept, the second missed."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    first = max(now - dt.timedelta(minutes=50), now.replace(hour=0, minute=1))
    return first, max(now - dt.timedelta(minutes=20), first + dt.timedelta(minutes=1))


def book(day: Counted, when: dt.datetime, place: str) -> None:
    day.click("a:has-text('Book an appointment')")
    day.fill("input[name=date]", when.date().isoformat())
    day.fill("input[name=time]", when.strftime("%H:%M"))
    day.choose("select[name=place]", value=place)
    day.click("main button[type=submit]")
    assert "booked" in day.said().lower()


def test_a_keyworkers_whole_day_in_the_browser(page: Any, personas: Any) -> None:
    from keywork.sessions.models import Attendance, KeyworkSession

    day = Counted(page)
    today = timezone.localdate()
    log_in(page, "mia.trained")

    day.doing("register a client")
    day.click("a:has-text('Register a client')")
    for name, value in {
        "local_id": "N0200",
        "given_name": "Robin",
        "family_name": "Newday",
        "date_of_birth": "1988-04-12",
        "nhs_number": VALID_NHS,
        "address": "4 Mill Lane\nNorthbrook",
        "postcode": "TS1 2AB",
        "phone": PHONE,
        "gp_practice": "Riverside Surgery",
        "next_of_kin": "Jo Newday (sister)",
        "consent_recorded_on": today.isoformat(),
        "sharing_consent_on": today.isoformat(),
    }.items():
        day.fill(f"[name={name}]", value)
    day.choose("select[name=sex]", value="female")
    day.choose("select[name=contact_by]", value="phone")
    day.choose("select[name=consents_to_national_reporting]", value="yes")
    day.choose("select[name=consents_to_sharing]", value="yes")
    day.click("main button[type=submit]")
    assert "/clients/N0200/episodes/new/" in page.url

    day.doing("open an episode")
    day.choose("select[name=keyworker]", label=personas.mi_keyworker.name)
    day.fill("input[name=referral_date]", (today - dt.timedelta(days=7)).isoformat())
    day.fill("input[name=referral_source]", "GP")
    day.fill("input[name=triage_date]", (today - dt.timedelta(days=5)).isoformat())
    day.choose("select[name=substance_1]", label="Heroin")
    day.choose("select[name=route_1]", value="smoke")
    day.click("main button[type=submit]")
    assert "/clients/N0200/" in page.url and "Robin Newday" in page.locator("h1").inner_text()

    day.doing("assess")
    day.click("a:has-text('Assess')")
    day.fill("textarea[name=substance_use]", "Smoking heroin daily; wants to stop")
    for risk in ("risk_to_self", "risk_to_others", "risk_from_others", "risk_blood_borne"):
        day.check(f"input[name={risk}][value=none]")
    day.check("input[name=risk_overdose][value=high]")
    day.fill("input[name=dependent_children]", "0")
    day.choose("select[name=need_1_domain]", value="substance_use")
    day.fill("input[name=need_1_description]", "Stop using heroin")
    day.click("main button[type=submit]")
    assert "Assessment recorded" in day.said()

    day.doing("agree a care plan")
    day.click("a:has-text('Agree a care plan')")
    day.choose("select[name=agreed_how]", value="in_person")
    day.choose("select[name=goal_1_domain]", value="substance_use")
    day.fill("[name=goal_1_description]", "Stop using heroin")
    day.fill("[name=goal_1_milestones]", "Cut down to every other day\nA week without using")
    day.fill("[name=action_1_description]", "Carry a naloxone kit")
    day.choose("select[name=action_1_owner]", value="client")
    day.fill("[name=action_1_due]", (today + dt.timedelta(days=14)).isoformat())
    day.click("main button[type=submit]")
    assert "Care plan agreed" in day.said()

    kept, missed = moments()
    day.doing("book an appointment")
    assert page.url.endswith("/clients/N0200/")  # back on the record
    book(day, kept, "office")

    day.doing("record it as attended on the booked slot")
    day.click("a:has-text('Record what happened')")
    assert page.locator("input[name=time]").input_value() == kept.strftime("%H:%M")
    day.check("input[name=care_plan_work][value=agreed]")
    day.fill("textarea[name=information_advice]", "Naloxone: how and when")
    day.fill("textarea[name=harm_reduction]", "Never using alone")
    day.fill("textarea[name=motivational_work]", "Looked at what stopping would bring")
    day.check("input[name=topics][value='topic.ambivalence']")
    day.doing("book another appointment (on the session form)")
    day.fill("input[name=next_date]", missed.date().isoformat())
    day.fill("input[name=next_time]", missed.strftime("%H:%M"))
    day.doing("record it as attended on the booked slot")
    day.click("text=Record the session")
    assert "Session recorded." in day.said()

    day.doing("record a did-not-attend")
    day.click("a:has-text('Record what happened')")
    assert page.locator("input[name=time]").input_value() == missed.strftime("%H:%M")
    day.check("input[name=outcome][value=did_not_attend]")
    day.fill("textarea[name=notes]", "No answer at the door; card left.")
    day.click("text=Record the session")
    assert "Session recorded." in day.said()
    assert "Re-engagement since" in page.locator(".record-header").inner_text()

    day.doing("call the client")
    # the number is on the record's header and on every client page's banner, to be tapped
    call = page.locator(".record-header a", has_text=PHONE)
    assert call.get_attribute("href") == "tel:" + PHONE.replace(" ", "")

    day.doing("review the care plan")
    day.click("a:has-text('Care plan and reviews')")
    call = page.locator(".client-banner a[href^='tel:']")
    assert call.get_attribute("href") == "tel:" + PHONE.replace(" ", "")
    assert call.inner_text() == PHONE
    day.click("a:has-text('Review it')")
    day.choose("select[name^=progress_] >> nth=0", value="in_progress")
    day.choose("select[name^=progress_] >> nth=1", value="not_started")
    day.fill("textarea[name=summary]", "Using less; missed today's visit, to re-engage")
    day.click("main button[type=submit]")
    assert "Review recorded." in day.said()

    day.doing("discharge")
    assert page.url.endswith("/clients/N0200/")
    day.click("a:has-text('Discharge')")
    day.choose("select[name=exit_reason]", index=1)
    day.click("main button[type=submit]")
    assert "discharged" in page.locator(".record-header").inner_text()

    booked = Attendance.objects.filter(episode__client__local_id="N0200")
    assert sorted(booked.values_list("outcome", flat=True)) == ["attended", "did_not_attend"]
    sessions = KeyworkSession.objects.filter(attendances__episode__client__local_id="N0200")
    assert sessions.count() == 2  # one session per appointment, no second one beside it
    tasks = {t: {"clicks": day.clicks[t], "typed": day.typed[t]} for t in day.clicks}
    CLICKS.parent.mkdir(exist_ok=True)
    CLICKS.write_text(json.dumps(tasks, indent=1) + "\n")

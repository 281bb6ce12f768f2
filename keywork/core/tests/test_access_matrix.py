"""The access matrix: every route of the URLconf, opened by every role and relation to the
record (its own keyworker, a colleague in the team, the team leader, another team, the
service manager, another service, a commissioner, an administrator, no one signed in).
A route missing from the matrix fails the build; every refusal of a signed-in person is on
the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import URLPattern, URLResolver, get_resolver

from keywork.audit.models import AuditEvent
from keywork.testing.worker import work_the_queue
from keywork.testing.world import build_world, matrix_world

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)

# Who asks, by their relation to client T0001 (north team, Testshire) and its records.
WHO = (
    "own",  # T0001's keyworker
    "team",  # a keyworker in T0001's team
    "leader",  # T0001's team leader
    "other_team",  # a keyworker in the service's other team
    "manager",  # the service's manager
    "other_service",  # a keyworker of another service
    "commissioner",
    "administrator",
    "anonymous",
)
PRACTICE = {"own", "team", "leader"}  # those who work with the client's records
SEES = PRACTICE | {"manager"}  # those who may read them
ALLOCATES = {"leader", "manager"}
SIGNED_IN = set(WHO) - {"anonymous"}
EVERYONE = SIGNED_IN
REPORTS = {"own", "team", "leader", "other_team", "manager", "other_service", "commissioner"}
PRACTITIONERS = {"own", "team", "leader", "other_team", "other_service"}  # of their own team


@dataclass(frozen=True)
class Route:
    """Who is answered 200 (the rest: refused, or sent to sign in)."""

    allowed: frozenset[str]
    client: str = "T0001"
    pk: str = ""  # which record of the world the route's <pk> names
    code: str = ""  # a report's or a dashboard list's code
    public: bool = False  # answered to someone not signed in
    post_only: bool = False  # a GET is answered 405


def route(allowed: set[str], **kwargs: Any) -> Route:
    return Route(frozenset(allowed), **kwargs)


MATRIX: dict[str, Route] = {
    # Signing in and the account's own pages.
    "login": route({"anonymous"}, public=True),  # the signed-in are sent on
    "second_factor": route(set(), public=True),  # with no password given: back to sign in
    "two_factor": route(EVERYONE),
    "set_up_second_factor": route(EVERYONE),
    "recovery_codes": route(set()),  # POST only: a GET goes back to the two-factor page
    "password_change": route(EVERYONE),
    "password_change_done": route(EVERYONE),
    "logout": route(set(), post_only=True),
    "admin_login": route(set(), public=True),  # sent to keywork's own sign-in
    # The caseload, the team and groups.
    "home": route(EVERYONE),
    "team": route({"leader", "manager"}),
    "search": route(EVERYONE),  # each finds only whom they may see
    "groups": route(PRACTITIONERS),
    "diary": route(PRACTITIONERS),
    "book_group": route(PRACTITIONERS),
    "group": route({"own", "team", "leader"}, pk="group"),
    # A client's record and what reads it.
    "client": route(SEES),
    "summary": route(SEES),
    "care_plan": route(SEES),
    "assessments": route(SEES),
    "interventions": route(SEES),
    "prescribing": route(SEES),
    "referrals": route(SEES),
    "outcomes": route(SEES),
    "checkups": route(SEES, client="T0003"),
    "maps": route(SEES),
    "map": route(SEES, pk="map"),
    "recovery": route(SEES),
    # Changes to a client's record.
    "register_client": route(PRACTITIONERS | {"manager"}),
    "change_details": route(PRACTICE | ALLOCATES),
    "open_episode": route(SEES, client="T0003"),  # no open episode: T0003, discharged
    "move_phase": route(PRACTICE),
    "change_keyworker": route(ALLOCATES),
    "discharge": route(PRACTICE | ALLOCATES),
    "record_triage": route(PRACTICE),
    "break_glass": route(SEES | {"other_team"}),  # the form; inside the service only
    "access_reviews": route({"manager"}),
    "record_session": route(PRACTICE),
    "book_appointment": route(PRACTICE),
    "move_appointment": route(PRACTICE, pk="booked"),
    "cancel_appointment": route(PRACTICE, pk="booked"),
    "amend_notes": route(PRACTICE, pk="attendance"),
    "entered_in_error": route(PRACTICE, pk="attendance"),
    "record_reintegration": route(PRACTICE),
    "assess": route(PRACTICE),
    "agree_care_plan": route(PRACTICE),
    "review_care_plan": route(PRACTICE),
    "plan_action_done": route(PRACTICE, pk="plan_action"),
    "start_intervention": route(PRACTICE),
    "end_intervention": route(PRACTICE, pk="intervention"),
    "count_intervention_session": route(PRACTICE, pk="intervention"),
    "amend_intervention": route(PRACTICE, pk="intervention"),
    "intervention_in_error": route(PRACTICE, pk="intervention"),
    "record_offer": route(PRACTICE),
    "offer_in_error": route(PRACTICE, pk="offer"),
    "start_prescription": route(PRACTICE),
    "change_dose": route(PRACTICE, pk="prescription"),
    "end_prescription": route(PRACTICE, pk="prescription"),
    "prescription_in_error": route(PRACTICE, pk="prescription"),
    "make_referral": route(PRACTICE),
    "move_referral": route(PRACTICE, pk="referral"),
    "referral_in_error": route(PRACTICE, pk="referral"),
    "take_outcomes": route(PRACTICE),
    "outcomes_in_error": route(PRACTICE, pk="outcomes"),
    "start_map": route(PRACTICE),
    "change_map": route(PRACTICE, pk="map"),
    "take_recovery_check": route(PRACTICE),
    "recovery_check_in_error": route(PRACTICE, pk="check"),
    "schedule_checkups": route(PRACTICE, client="T0003"),
    "record_checkup": route(PRACTICE, client="T0003", pk="checkup"),
    "checkup_in_error": route(PRACTICE, client="T0003", pk="checkup"),
    "return_to_treatment": route(PRACTICE, client="T0003"),
    # Reports.
    "measure_report": route(REPORTS, code="qs6"),
    "measure_definition": route(REPORTS, code="qs6"),
    "dashboard": route(REPORTS),
    "dashboard_list": route(REPORTS - {"commissioner"}, code="open"),  # names clients
}


def routes() -> dict[str, tuple[str, set[str]]]:
    """Every route keywork serves outside the admin, by name: its pattern and arguments."""
    found: dict[str, tuple[str, set[str]]] = {}

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                name = p.name or ("admin_login" if str(p.pattern) == "admin/login/" else "")
                if prefix.startswith("admin/") or not name:
                    continue
                found[name] = (prefix + str(p.pattern), set(p.pattern.converters))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_route_is_in_the_matrix_and_every_entry_is_a_route():
    served = routes()
    assert set(served) - set(MATRIX) == set(), "routes with no line in the access matrix"
    assert set(MATRIX) - set(served) == set(), "lines of the matrix with no route"


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    return matrix_world(build_world(personas))


def url_of(name: str, pattern: str, line: Route, world: dict[str, Any]) -> str:
    url = "/" + pattern
    url = url.replace("<str:local_id>", line.client).replace("<str:code>", line.code)
    return url.replace("<int:pk>", str(world["pk"][line.pk]) if line.pk else "0")


def answered(world: dict[str, Any], who: str, url: str) -> int:
    browser = Browser()
    user = world["who"][who]
    if user is not None:
        browser.force_login(user)
    response = browser.get(url)
    asked = response.status_code == 302 and response["Location"] == url
    if asked or response.status_code == 202:  # asked of the worker, or being worked out
        work_the_queue()
        return browser.get(url).status_code
    return response.status_code


def test_every_route_answers_every_role_as_the_matrix_says(world):
    served = routes()
    wrong = []
    for name, line in MATRIX.items():
        url = url_of(name, served[name][0], line, world)
        for who in WHO:
            before = AuditEvent.objects.filter(verb="refused").count()
            status = answered(world, who, url)
            if line.post_only:
                ok = status in (302, 405)
            elif who in line.allowed:
                ok = status == 200
            elif who == "anonymous":
                ok = status == 302 if not line.public else status in (200, 302)
            else:
                ok = status in (302, 403, 404, 405)
                if status in (403, 404):
                    refusals = AuditEvent.objects.filter(verb="refused").count() - before
                    ok = ok and refusals == 1
            if not ok:
                wrong.append(f"{name} {url} as {who}: {status}")
    assert wrong == [], "\n".join(wrong)


def test_the_admin_is_the_administrators_alone(world):
    """Every page of the admin (each model's list and add page, and the index): an
    administrator, and no one else."""
    from django.contrib import admin

    pages = ["/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        pages += [f"/admin/{meta.app_label}/{meta.model_name}/"]
    wrong = []
    for url in pages:
        for who in WHO:
            status = answered(world, who, url)
            expected = (200,) if who == "administrator" else (302,)
            if status not in expected:
                wrong.append(f"{url} as {who}: {status}")
    assert wrong == [], "\n".join(wrong)
    assert len(pages) >= 10


VERSIONED = [
    "move_phase",
    "change_keyworker",
    "discharge",
    "amend_notes",
    "agree_care_plan",
    "assess",
    "amend_intervention",
    "change_dose",
    "move_referral",
]


def test_every_form_that_changes_a_record_carries_the_version_it_was_read_at(world):
    """No lost update (docs/import.md, "Versions"): the hidden version goes back with the
    change, and the action refuses a change made to an older one."""
    served = routes()
    for name in VERSIONED:
        line = MATRIX[name]
        who = "own" if "own" in line.allowed else "leader"
        browser = Browser()
        browser.force_login(world["who"][who])
        page = browser.get(url_of(name, served[name][0], line, world)).content.decode()
        assert 'type="hidden" name="version"' in page, name

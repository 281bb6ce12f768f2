"""Intervention records through their actions: rules 3 to 6 and 13, with the edge dates
(same-day start and end, periods that touch, competence lapsing part way through)."""

import datetime as dt
from functools import partial

import pytest
from django.utils import timezone

from keywork.access.tests.trail import assert_refused
from keywork.audit.models import AuditEvent
from keywork.careplans.actions import GoalInput
from keywork.careplans.tests.test_careplans import agree
from keywork.core.dates import today
from keywork.core.inputs import Reason
from keywork.interventions import actions
from keywork.interventions.actions import InterventionInput
from keywork.interventions.models import Amendment, Intervention
from keywork.interventions.rules import Period
from keywork.sessions.actions import (
    Appointment,
    RecordSessionInput,
    record_session,
    schedule_session,
)
from keywork.sessions.tests.test_sessions import content

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
MI = "kwp.motivational-interviewing"
OST = "nat.other-structured-treatment"


def given(personas, code=MI, **changes) -> InterventionInput:
    values = {
        "code": code,
        "setting": "community",
        "started_on": today() - 5 * DAY,
        "practitioner": personas.mi_keyworker,
        "planned_sessions": 6 if code == MI else None,
    }
    values.update(changes)
    return InterventionInput(**values)


def start(personas, code=MI, actor=None, **changes) -> Intervention:
    return actions.start_intervention(
        actor=(actor or personas.mi_keyworker).user,
        episode=personas.episode,
        given=given(personas, code, **changes),
    )


refused = partial(assert_refused, unchanged=(Intervention, Amendment))


def ost_plan(personas, **changes):
    goals = tuple(
        GoalInput(domain=domain, description=f"Goal for {domain}", milestones=("A first step",))
        for domain in ("substance_use", "physical_health", "legal", "housing")
    )
    return agree(personas, goals=goals, **changes)


def session_with(personas, worker, days_ago: int):
    when = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - days_ago * DAY
    return record_session(
        actor=worker.user,
        episode=personas.episode,
        given=RecordSessionInput(
            starts_at=when,
            content=content(),
            next_appointment=Appointment(starts_at=when + 7 * DAY),
        ),
    )


def test_a_structured_intervention_in_the_care_plan_is_recorded_and_counts_sessions(personas):
    agree(personas)
    intervention = start(personas)
    assert intervention.planned_sessions == 6 and intervention.ended_on is None
    attendance = session_with(personas, personas.mi_keyworker, 2)
    actions.add_intervention_session(
        actor=personas.mi_keyworker.user, intervention=intervention, attendance=attendance
    )
    assert list(intervention.sessions.all()) == [attendance]
    assert AuditEvent.objects.filter(what="start_intervention").count() == 1


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"planned_sessions": None}, "record the planned number of sessions (at least 2)"),
        ({"planned_sessions": 1}, "at least 2"),
    ],
)
def test_a_structured_intervention_plans_several_sessions(personas, changes, says):
    agree(personas)
    assert says in refused("R5", start, personas, **changes).message


def test_a_structured_intervention_must_be_in_the_care_plan_in_force(personas):
    refused("R5", start, personas)  # no care plan at all
    agree(
        personas,
        goals=(GoalInput(domain="substance_use", description="Cut down", milestones=("Less",)),),
    )
    error = refused("R5", start, personas)
    assert "must be in the care plan" in error.message
    agree(personas, agreed_on=today() - 2 * DAY)  # names it, but after the start
    refused("R5", start, personas)
    assert start(personas, started_on=today() - 2 * DAY).entry.code == MI


def test_the_national_definition_in_the_plan_covers_the_skills_framework_entry(personas):
    goals = (
        GoalInput(
            domain="substance_use",
            description="Motivation",
            milestones=("x",),
            interventions=("nat.psy.motivational",),
        ),
    )
    agree(personas, goals=goals)
    assert start(personas).entry.code == MI


def test_rule_4_refuses_a_practitioner_not_trained_and_offers_a_referral(personas):
    agree(personas)
    error = refused("R4", start, personas, practitioner=personas.keyworker)
    assert error.suggestion and error.suggestion["referral"]["intervention"] == MI
    assert "Competent in your team: Mia Trained" in error.message
    assert start(personas, practitioner=personas.mi_keyworker).practitioner == personas.mi_keyworker


def test_competence_lapsing_part_way_through_refuses_the_later_sessions(personas):
    # Lou's supervision was held 100 days ago and lapsed 44 days ago.
    agree(personas, agreed_on=today() - 58 * DAY)
    intervention = start(
        personas, practitioner=personas.lapsed_keyworker, started_on=today() - 55 * DAY
    )
    before = session_with(personas, personas.lapsed_keyworker, 50)
    actions.add_intervention_session(
        actor=personas.lapsed_keyworker.user, intervention=intervention, attendance=before
    )
    after = session_with(personas, personas.lapsed_keyworker, 40)
    error = refused(
        "R4",
        actions.add_intervention_session,
        actor=personas.lapsed_keyworker.user,
        intervention=intervention,
        attendance=after,
    )
    assert "supervision" in error.message
    assert intervention.sessions.count() == 1


def test_a_session_with_someone_else_does_not_count(personas):
    agree(personas)
    intervention = start(personas)
    other = session_with(personas, personas.keyworker, 2)
    error = refused(
        "R5",
        actions.add_intervention_session,
        actor=personas.mi_keyworker.user,
        intervention=intervention,
        attendance=other,
    )
    assert "not delivered by the intervention's practitioner" in error.message


@pytest.mark.parametrize(
    ("code", "rule", "says"),
    [
        ("tech.pros-and-cons", "R5", "never counts as a structured intervention"),
        ("nope.nothing", "R3", "'nope.nothing' is not in the catalogue"),
        ("topic.ambivalence", "R3", "is not an intervention"),
        ("rx.methadone-oral", "R3", "record it as a prescription"),
    ],
)
def test_only_catalogue_interventions_are_recorded(personas, code, rule, says):
    assert says in refused(rule, start, personas, code).message


def test_a_setting_that_the_definition_fixes_is_kept(personas):
    error = refused(
        "INVALID",
        start,
        personas,
        "nat.residential-rehabilitation",
        practitioner=None,
        agency="Hill House",
        setting="community",
    )
    assert "Residential rehabilitation is delivered in a residential setting" in error.message
    done = start(
        personas,
        "nat.residential-rehabilitation",
        practitioner=None,
        agency="Hill House",
        setting="residential",
    )
    assert done.agency == "Hill House"


def test_other_structured_treatment_needs_its_care_plan_and_planned_sessions(personas):
    agree(personas)
    error = refused("R6", start, personas, OST)
    assert "addresses health, offending, social functioning" in error.message
    ost_plan(personas)
    error = refused("R6", start, personas, OST)
    assert "regular planned keywork sessions" in error.message
    schedule_session(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=Appointment(starts_at=timezone.now() + 2 * DAY),
    )
    assert start(personas, OST).entry.code == OST


def plan_for_both(personas):
    goals = (
        GoalInput(
            domain="substance_use", description="Motivation", milestones=("x",), interventions=(MI,)
        ),
        GoalInput(domain="physical_health", description="Health", milestones=("x",)),
        GoalInput(domain="legal", description="Order", milestones=("x",)),
        GoalInput(domain="housing", description="Home", milestones=("x",)),
    )
    agree(personas, goals=goals, agreed_on=today() - 30 * DAY)
    schedule_session(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=Appointment(starts_at=timezone.now() + DAY),
    )


def test_other_structured_treatment_cannot_overlap_a_structured_intervention(personas):
    plan_for_both(personas)
    start(personas, started_on=today() - 8 * DAY, ended_on=today() - 4 * DAY, exit="planned")
    error = refused("R6", start, personas, OST, started_on=today() - 5 * DAY)
    assert "cannot overlap Motivational interviewing" in error.message
    # the other way round: a structured intervention inside other structured treatment
    start(personas, OST, started_on=today() - 3 * DAY)
    refused("R6", start, personas, started_on=today() - 2 * DAY)


def test_periods_that_touch_at_a_boundary_do_not_overlap(personas):
    plan_for_both(personas)
    start(personas, started_on=today() - 8 * DAY, ended_on=today() - 4 * DAY, exit="planned")
    assert start(personas, OST, started_on=today() - 4 * DAY).started_on == today() - 4 * DAY


def test_a_same_day_intervention_holds_its_day():
    day = dt.date(2026, 3, 10)
    one_day = Period("One day", day, day)
    assert one_day.overlaps(Period("Open", day, None))
    assert one_day.overlaps(Period("Same day", day, day))
    assert not one_day.overlaps(Period("Ends that day", day - 5 * DAY, day))
    assert not one_day.overlaps(Period("Starts next day", day + DAY, None))


def test_an_intervention_ends_with_its_exit_and_not_before_a_counted_session(personas):
    agree(personas)
    intervention = start(personas)
    attendance = session_with(personas, personas.mi_keyworker, 2)
    actions.add_intervention_session(
        actor=personas.mi_keyworker.user, intervention=intervention, attendance=attendance
    )
    user = personas.mi_keyworker.user

    def end(on: dt.date, exit: str) -> object:
        given = actions.EndInterventionInput(on=on, exit=exit)
        return actions.end_intervention(actor=user, intervention=intervention, given=given)

    refused("INVALID", end, on=today() - 3 * DAY, exit="planned")
    refused("INVALID", end, on=today(), exit="")
    refused("INVALID", end, on=today() + DAY, exit="planned")
    end(on=today(), exit="planned")
    intervention.refresh_from_db()
    assert intervention.ended_on == today() and intervention.exit == "planned"


def test_same_day_start_and_end_is_accepted(personas):
    done = start(
        personas, "rs.smoking-cessation", started_on=today(), ended_on=today(), exit="planned"
    )
    assert done.started_on == done.ended_on


def test_an_amendment_keeps_what_it_was_and_needs_a_reason(personas):
    agree(personas)
    intervention = start(personas)
    user = personas.mi_keyworker.user
    changed = given(personas, planned_sessions=8)
    refused(
        "R13",
        actions.amend_intervention,
        actor=user,
        intervention=intervention,
        given=actions.as_amendment(changed, reason=" "),
    )
    refused(
        "R13",
        actions.amend_intervention,
        actor=user,
        intervention=intervention,
        given=actions.as_amendment(given(personas), reason="x"),
    )
    refused(
        "R5",
        actions.amend_intervention,
        actor=user,
        intervention=intervention,
        given=actions.as_amendment(given(personas, planned_sessions=1), reason="Fewer"),
    )
    amendment = actions.amend_intervention(
        actor=user,
        intervention=intervention,
        given=actions.as_amendment(changed, reason="Agreed two more"),
    )
    assert amendment.changes == {"planned_sessions": [6, 8]}
    intervention.refresh_from_db()
    assert intervention.planned_sessions == 8


def test_a_record_in_error_stays_and_no_longer_blocks(personas):
    plan_for_both(personas)
    wrong = start(personas, started_on=today() - 8 * DAY)
    refused("R6", start, personas, OST, started_on=today() - 5 * DAY)
    actions.mark_intervention_in_error(
        actor=personas.mi_keyworker.user,
        intervention=wrong,
        given=Reason(reason="Recorded on the wrong client"),
    )
    assert Intervention.objects.filter(pk=wrong.pk).exists()
    assert start(personas, OST, started_on=today() - 5 * DAY).entry.code == OST
    refused(
        "R13",
        actions.end_intervention,
        actor=personas.mi_keyworker.user,
        intervention=wrong,
        given=actions.EndInterventionInput(on=today(), exit="planned"),
    )


def test_another_team_cannot_record(personas):
    refused("ACCESS", start, personas, "rs.smoking-cessation", actor=personas.other_keyworker)

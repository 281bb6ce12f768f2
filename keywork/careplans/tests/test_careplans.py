"""Care plans through their actions: versions kept, owners named (rule 10), reviews that
come round and record every milestone (rule 11), recovery support tied to a need (rule 8)."""

import datetime as dt
from functools import partial
from typing import Any

import pytest

from keywork.access.actions import UpdateServiceInput, update_service
from keywork.access.tests.trail import assert_refused
from keywork.assessments.tests.test_assess import assess
from keywork.audit.models import AuditEvent
from keywork.careplans import actions
from keywork.careplans.actions import ActionInput, GoalInput, MilestoneUpdate, PlanInput
from keywork.careplans.models import CarePlan, Milestone, MilestoneProgress, Review
from keywork.core.dates import today
from keywork.core.errors import RuleViolation

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def plan_input(**changes) -> PlanInput:
    values: dict[str, Any] = {
        "agreed_on": today() - 10 * DAY,
        "agreed_how": "in_person",
        "goals": (
            GoalInput(
                domain="substance_use",
                description="Stop using on top of the script",
                milestones=("Two clean tests in a row", "A month without using"),
                interventions=("kwp.motivational-interviewing",),
            ),
        ),
        "actions": (
            ActionInput(
                description="Book the BBV test",
                owner="keyworker",
                due_on=today() + 7 * DAY,
                kind="health_monitoring",
            ),
            ActionInput(
                description="Go to the Tuesday group", owner="client", due_on=today() + 14 * DAY
            ),
            ActionInput(
                description="Housing assessment",
                owner="agency",
                due_on=today() + 21 * DAY,
                agency="Shelter",
            ),
        ),
        "crisis_contacts": "Sister; the hub duty line",
    }
    values.update(changes)
    return PlanInput(**values)


def agree(personas, **changes) -> CarePlan:
    return actions.agree_care_plan(
        actor=personas.mi_keyworker.user, episode=personas.episode, given=plan_input(**changes)
    )


refused = partial(assert_refused, unchanged=(CarePlan, Review))


def review(personas, plan, *, leave_out=0, **kwargs):
    milestones = [m for g in plan.goals.all() for m in g.milestones.all()]
    updates = [MilestoneUpdate(milestone=m, progress="in_progress") for m in milestones[leave_out:]]
    kwargs.setdefault("reviewed_on", today())
    kwargs.setdefault("summary", "Using less; keen to keep going.")
    return actions.review_care_plan(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=actions.ReviewCarePlanInput(progress=updates, **kwargs),
    )


def test_a_plan_is_agreed_with_goals_milestones_actions_and_a_default_review_date(personas):
    plan = agree(personas)
    assert plan.version == 1 and plan.review_due == plan.agreed_on + dt.timedelta(weeks=12)
    goal = plan.goals.get()
    assert [m.description for m in goal.milestones.all()] == [
        "Two clean tests in a row",
        "A month without using",
    ]
    assert [a.owner_name for a in plan.actions.all()] == ["The keyworker", "The client", "Shelter"]
    assert AuditEvent.objects.filter(what="agree_care_plan", client=personas.client).exists()


def test_a_new_version_keeps_the_earlier_one_whole(personas):
    first = agree(personas)
    second = agree(personas, agreed_on=today(), change_note="Added a work goal")
    assert second.version == 2 and first.goals.count() == 1 and first.actions.count() == 3
    assert list(personas.episode.care_plans.all()) == [first, second]


def test_the_review_interval_is_the_services(personas):
    update_service(
        actor=None, service=personas.service, given=UpdateServiceInput(care_plan_review_weeks=8)
    )
    personas.episode.refresh_from_db()
    plan = agree(personas)
    assert plan.review_due == plan.agreed_on + dt.timedelta(weeks=8)


def test_an_action_without_an_owner_or_due_date_or_agency_is_refused_with_rule_10(personas):
    for bad, words in (
        (ActionInput(description="Phone the GP", owner="", due_on=today()), "name who does it"),
        (
            ActionInput(description="Phone the GP", owner="keyworker", due_on=None),
            "give it a due date",
        ),
        (
            ActionInput(description="Benefits check", owner="agency", due_on=today()),
            "name the agency",
        ),
    ):
        error = refused("R10", agree, personas, actions=(bad,))
        assert words in error.message


def test_a_goal_needs_a_milestone_and_a_plan_needs_a_goal(personas):
    refused("INVALID", agree, personas, goals=())
    goal = GoalInput(domain="housing", description="Somewhere settled", milestones=("  ",))
    assert "at least one milestone" in refused("INVALID", agree, personas, goals=(goal,)).message


def test_housing_support_needs_an_assessed_housing_need_rule_8(personas):
    goal = GoalInput(
        domain="housing",
        description="Somewhere settled",
        milestones=("Viewing",),
        interventions=("rs.housing-support",),
    )
    error = refused("R8", agree, personas, goals=(goal,))
    assert "Housing support needs an assessed housing need" in error.message
    need = assess(personas).needs.get()
    plan = agree(personas, goals=(GoalInput(**{**goal.__dict__, "need": need.pk}),))
    assert plan.goals.get().need == need


def test_a_review_records_every_milestone_and_sets_the_next_date_rule_11(personas):
    plan = agree(personas)
    error = refused("R11", review, personas, plan, leave_out=1)
    assert "missing: Two clean tests in a row" in error.message
    done = review(personas, plan)
    assert done.next_review_on == today() + dt.timedelta(weeks=12)
    assert MilestoneProgress.objects.filter(review=done).count() == 2


def test_a_review_can_move_the_phase(personas):
    plan = agree(personas)
    done = review(personas, plan, move_to="preparation", move_reason="Ready to plan change")
    personas.episode.refresh_from_db()
    assert personas.episode.phase.code == "preparation" and done.phase_change is not None
    error = refused("R2", review, personas, plan, move_to="completion", move_reason="Jump")
    assert "one phase at a time" in error.message


def test_a_review_needs_a_plan_and_a_date_after_it(personas):
    with pytest.raises(RuleViolation) as caught:
        actions.review_care_plan(
            actor=personas.mi_keyworker.user,
            episode=personas.episode,
            given=actions.ReviewCarePlanInput(reviewed_on=today(), summary="x", progress=[]),
        )
    assert caught.value.code == "R11" and "agree a care plan" in caught.value.message
    plan = agree(personas)
    refused("R11", review, personas, plan, reviewed_on=plan.agreed_on - DAY)
    refused("R11", review, personas, plan, next_review_on=today() - DAY)


def test_the_review_form_starts_from_the_last_reviews_progress(client, personas):
    plan = agree(personas)
    review(personas, plan, reviewed_on=today() - DAY)
    milestone = Milestone.objects.filter(goal__care_plan=plan).first()
    client.force_login(personas.mi_keyworker.user)
    page = client.get("/clients/T0001/care-plan/review/").content.decode()
    field = page[page.index(f'name="progress_{milestone.pk}"') :]
    assert '<option value="in_progress" selected>' in field[: field.index("</select>")]
    assert f"At the review of {today() - DAY:%d/%m/%Y}: In progress" in page


def test_the_key_change_locates_a_phase_shown_beside_the_recorded_one(client, personas):
    """Seed 001: "The service user should be located in the phase relating to the key change
    identified in the care planning process." The plan names one goal its key change and the
    phase it locates; the record shows it beside the recorded phase and flags a difference."""
    stop = GoalInput(
        domain="substance_use",
        description="Stop injecting",
        milestones=("Smoking, not injecting",),
        key_change="change",
    )
    housing = GoalInput(domain="housing", description="A flat", milestones=("Seen",))
    both = (stop, GoalInput(**{**vars(housing), "key_change": "preparation"}))
    error = refused("R2", agree, personas, goals=both)
    assert (
        error.message == "goals: a care plan identifies one key change; goals 1 and 2 both name one"
    )
    error = refused(
        "R2", agree, personas, goals=(GoalInput(**{**vars(stop), "key_change": "reintegration"}),)
    )
    assert "'reintegration' is not a phase in the line" in error.message
    plan = agree(personas, goals=(stop, housing))
    assert [g.key_change_phase and g.key_change_phase.code for g in plan.goals.all()] == [
        "change",
        None,
    ]
    client.force_login(personas.mi_keyworker.user)
    page = client.get("/clients/T0001/").content.decode()
    assert "Key change “Stop injecting” locates</span> Change" in page
    assert "Differs from the recorded phase" in page  # recorded: Engagement
    form = client.get("/clients/T0001/care-plan/new/").content.decode()
    assert 'value="change" selected' in form  # the next version starts from this one

"""The only writers of care plans: agree a new version, review the current one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from keywork.access.models import Worker
from keywork.assessments.models import Domain, Need
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.careplans import rules
from keywork.careplans.models import (
    ActionKind,
    AgreedHow,
    CarePlan,
    Goal,
    Milestone,
    MilestoneProgress,
    Owner,
    PlanAction,
    Progress,
    Review,
)
from keywork.careplans.rules import GoalInput, PlanInput
from keywork.catalogue.models import Entry
from keywork.clients import actions as clients
from keywork.clients import policies
from keywork.clients.models import Episode
from keywork.core.actors import Actor
from keywork.core.dates import add_weeks, today, uk
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.records import check_version
from keywork.core.writes import action
from keywork.sessions.rules import INTERVENTION_KINDS

Verb = AuditEvent.Verb


def _practitioner(actor: Actor, episode: Episode) -> Worker:
    worker = policies.worker_of(actor)
    if worker is None or not policies.can_work_with(actor, episode):
        raise AccessDenied("only keyworkers in the client's team agree and review care plans")
    if not episode.is_open:
        raise RuleViolation("EPISODE", "the episode is discharged: its care plan is closed")
    return worker


def current_plan(episode: Episode) -> CarePlan | None:
    return CarePlan.objects.filter(episode=episode).order_by("-version").first()


def review_weeks(episode: Episode) -> int:
    return episode.service.care_plan_review_weeks


def _goal_links(
    episode: Episode, goals: Sequence[GoalInput]
) -> tuple[dict[int, Need], dict[str, Entry]]:
    """The needs and catalogue interventions the goals link to, each checked to exist."""
    needs = Need.objects.filter(assessment__episode=episode).in_bulk(
        [g.need for g in goals if g.need is not None]
    )
    codes = {code for g in goals for code in g.interventions}
    entries = {
        e.code: e
        for e in Entry.objects.offered().filter(code__in=codes, kind__in=INTERVENTION_KINDS)
    }
    for number, goal in enumerate(goals, start=1):
        if goal.need is not None and goal.need not in needs:
            raise invalid("goals", f"goal {number}: that need is not in this client's assessments")
        for code in goal.interventions:
            if code not in entries:
                raise invalid("goals", f"goal {number}: '{code}' is not a catalogue intervention")
        need = needs.get(goal.need) if goal.need is not None else None
        rules.check_need_links(
            number,
            need_domain=need.domain if need else None,
            requires={
                entries[c].name: entries[c].needs_assessed_need
                for c in goal.interventions
                if entries[c].needs_assessed_need
            },
        )
    return needs, entries


def plan_version(episode: Episode) -> int:
    """The version of the current care plan (0 before the first): what an edit starts from."""
    current = current_plan(episode)
    return current.version if current else 0


def plan_as_saved(plan: CarePlan) -> dict[str, str]:
    """A care plan in words, to show beside an edit that came too late."""
    return {
        "Version": f"{plan.version}, agreed {uk(plan.agreed_on)} by {plan.made_by.name}",
        "What changed": plan.change_note,
        "Goals": "\n".join(g.description for g in plan.goals.all()),
        "Actions": "\n".join(
            f"{a.description} ({a.owner_name}, by {uk(a.due_on)})" for a in plan.actions.all()
        ),
        "Risk-management plan": plan.risk_management_plan,
        "Crisis plan": "\n".join(
            filter(None, [plan.crisis_warning_signs, plan.crisis_actions, plan.crisis_contacts])
        ),
    }


@action
def agree_care_plan(
    *, actor: Actor, episode: Episode, plan: PlanInput, expected_version: int | None = None
) -> CarePlan:
    """Agree a care plan with the client: a new version; the earlier ones are kept whole.
    `expected_version` is the version the new one was made from (0: none before it)."""
    worker = _practitioner(actor, episode)
    clients.hold_episode(episode)
    current = current_plan(episode)
    if current is not None or expected_version:
        check_version(
            expected=expected_version,
            current=current.version if current else 0,
            what="The care plan",
            theirs=lambda: plan_as_saved(current) if current else {},
        )
    rules.check_agreement(
        on=plan.agreed_on,
        how=plan.agreed_how,
        hows=set(AgreedHow.values),
        referral=episode.referral_date,
        not_before=current.agreed_on if current else None,
        today=today(),
    )
    rules.check_goals(plan.goals, domains=set(Domain.values))
    rules.check_owners(
        plan.actions,
        owners=set(Owner.values),
        kinds=set(ActionKind.values),
        agreed_on=plan.agreed_on,
    )
    due = plan.review_due or add_weeks(plan.agreed_on, review_weeks(episode))
    rules.check_review_due(due=due, after=plan.agreed_on)
    needs, entries = _goal_links(episode, plan.goals)
    made = CarePlan.objects.create(
        episode=episode,
        version=current.version + 1 if current else 1,
        agreed_on=plan.agreed_on,
        agreed_how=plan.agreed_how,
        review_due=due,
        made_by=worker,
        change_note=plan.change_note,
        risk_management_plan=plan.risk_management_plan,
        crisis_warning_signs=plan.crisis_warning_signs,
        crisis_actions=plan.crisis_actions,
        crisis_contacts=plan.crisis_contacts,
    )
    for position, goal in enumerate(plan.goals, start=1):
        _goal(made, position, goal, needs, entries)
    PlanAction.objects.bulk_create(
        PlanAction(
            care_plan=made,
            position=position,
            kind=item.kind,
            description=item.description.strip(),
            owner=item.owner,
            agency=item.agency.strip() if item.owner == Owner.AGENCY else "",
            due_on=item.due_on or plan.agreed_on,  # present: check_owners refused a blank
        )
        for position, item in enumerate(plan.actions, start=1)
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=made,
        detail={"version": made.version, "review_due": due.isoformat()},
    )
    return made


def _goal(
    plan: CarePlan,
    position: int,
    goal: GoalInput,
    needs: dict[int, Need],
    entries: dict[str, Entry],
) -> Goal:
    made = Goal.objects.create(
        care_plan=plan,
        position=position,
        domain=goal.domain,
        description=goal.description.strip(),
        need=needs.get(goal.need) if goal.need is not None else None,
    )
    made.interventions.set([entries[c] for c in goal.interventions])
    milestones = [m.strip() for m in goal.milestones if m.strip()]
    Milestone.objects.bulk_create(
        Milestone(goal=made, position=i, description=text)
        for i, text in enumerate(milestones, start=1)
    )
    return made


@dataclass(frozen=True)
class MilestoneUpdate:
    milestone: Milestone
    progress: str
    note: str = ""


@action
def review_care_plan(
    *,
    actor: Actor,
    episode: Episode,
    reviewed_on: dt.date,
    summary: str,
    progress: Sequence[MilestoneUpdate],
    next_review_on: dt.date | None = None,
    move_to: str = "",
    move_reason: str = "",
) -> Review:
    """Review the current care plan: progress against each milestone, the next review date,
    and, if decided, a phase move (rule 2) made with it."""
    worker = _practitioner(actor, episode)
    clients.hold_episode(episode)
    plan = current_plan(episode)
    if plan is None:
        raise RuleViolation("R11", "agree a care plan with the client before reviewing it")
    milestones = list(Milestone.objects.filter(goal__care_plan=plan).select_related("goal"))
    given = {u.milestone.pk: u for u in progress}
    for update in progress:
        if update.milestone.goal.care_plan_id != plan.pk:
            raise invalid("progress", f"'{update.milestone}' is not a milestone of this plan")
        if update.progress not in Progress.values:
            raise invalid("progress", f"'{update.progress}' is not a kind of progress")
    last = plan.reviews.order_by("-reviewed_on", "-pk").first()
    rules.check_review(
        on=reviewed_on,
        agreed_on=plan.agreed_on,
        last_review_on=last.reviewed_on if last else None,
        today=today(),
        summary=summary,
        missing=[m.description for m in milestones if m.pk not in given],
    )
    due = next_review_on or add_weeks(reviewed_on, review_weeks(episode))
    rules.check_review_due(due=due, after=reviewed_on)
    change = None
    if move_to:
        change = clients.move_phase(
            actor=actor, episode=episode, to=move_to, on=reviewed_on, reason=move_reason
        )
    review = Review.objects.create(
        care_plan=plan,
        reviewed_on=reviewed_on,
        reviewed_by=worker,
        summary=summary,
        next_review_on=due,
        phase_change=change,
    )
    MilestoneProgress.objects.bulk_create(
        MilestoneProgress(review=review, milestone=u.milestone, progress=u.progress, note=u.note)
        for u in progress
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=review,
        detail={"version": plan.version, "next_review_on": due.isoformat(), "move_to": move_to},
    )
    return review

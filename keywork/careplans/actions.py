"""The only writers of care plans: agree a new version, review the current one, mark an
action on it done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from keywork.access.models import Worker
from keywork.assessments.models import Domain, Need
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.careplans import queries, rules
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
from keywork.careplans.queries import current_plan
from keywork.catalogue.models import Entry, Phase
from keywork.clients import actions as clients
from keywork.clients import policies
from keywork.clients.models import Episode
from keywork.core.actors import Actor
from keywork.core.dates import add_weeks, today, uk
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.inputs import about, version
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


def check_reason_for(episode: Episode, entry: Entry, day: dt.date, *, field: str) -> None:
    """Rule 8 for recovery support recorded on `day`, as an intervention or on a session:
    the need it requires in the assessment, and a goal for it in the care plan."""
    needed = entry.needs_assessed_need
    if needed:
        assessed, in_plan = queries.reason_for(episode, entry, day)
        rules.check_need(
            name=entry.name,
            domain=dict(Domain.choices).get(needed, needed),
            assessed=assessed,
            in_plan=in_plan,
            field=field,
        )


def review_weeks(episode: Episode) -> int:
    return episode.service.care_plan_review_weeks


def _need_of(episode: Episode, number: int, goal: GoalInput, known: dict[int, Need]) -> Need | None:
    """The assessed need a goal meets: by its record, or the latest of the domain named."""
    if goal.need is not None:
        if goal.need not in known:
            raise invalid("goals", f"goal {number}: that need is not in this client's assessments")
        return known[goal.need]
    if not goal.need_domain:
        return None
    found = (
        Need.objects.filter(assessment__episode=episode, domain=goal.need_domain)
        .order_by("-assessment__assessed_on", "-pk")
        .first()
    )
    if found is None:
        raise invalid(
            "goals", f"goal {number}: no assessed {goal.need_domain} need for this client"
        )
    return found


def _goal_links(
    episode: Episode, goals: Sequence[GoalInput]
) -> tuple[list[Need | None], dict[str, Entry]]:
    """The need each goal meets and the catalogue interventions the goals link to, each
    checked to exist."""
    known = Need.objects.filter(assessment__episode=episode).in_bulk(
        [g.need for g in goals if g.need is not None]
    )
    needs = [_need_of(episode, n, g, known) for n, g in enumerate(goals, start=1)]
    codes = {code for g in goals for code in g.interventions}
    entries = {
        e.code: e
        for e in Entry.objects.offered().filter(code__in=codes, kind__in=INTERVENTION_KINDS)
    }
    for number, goal in enumerate(goals, start=1):
        for code in goal.interventions:
            if code not in entries:
                raise invalid("goals", f"goal {number}: '{code}' is not a catalogue intervention")
        need = needs[number - 1]
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
def agree_care_plan(*, actor: Actor, episode: Episode, given: PlanInput) -> CarePlan:
    """Agree a care plan with the client: a new version; the earlier ones are kept whole.
    `expected_version` is the version the new one was made from (0: none before it)."""
    worker = _practitioner(actor, episode)
    clients.hold_episode(episode)
    current = current_plan(episode)
    if current is not None or given.expected_version:
        check_version(
            expected=given.expected_version,
            current=current.version if current else 0,
            what="The care plan",
            theirs=lambda: plan_as_saved(current) if current else {},
        )
    rules.check_agreement(
        on=given.agreed_on,
        how=given.agreed_how,
        hows=set(AgreedHow.values),
        referral=episode.referral_date,
        not_before=current.agreed_on if current else None,
        today=today(),
    )
    rules.check_goals(given.goals, domains=set(Domain.values))
    in_line = {p.code: p for p in Phase.objects.in_line()}
    rules.check_key_change(given.goals, phases=set(in_line))
    rules.check_owners(
        given.actions,
        owners=set(Owner.values),
        kinds=set(ActionKind.values),
        agreed_on=given.agreed_on,
    )
    due = given.review_due or add_weeks(given.agreed_on, review_weeks(episode))
    rules.check_review_due(due=due, after=given.agreed_on)
    needs, entries = _goal_links(episode, given.goals)
    made = CarePlan.objects.create(
        episode=episode,
        version=current.version + 1 if current else 1,
        agreed_on=given.agreed_on,
        agreed_how=given.agreed_how,
        review_due=due,
        made_by=worker,
        change_note=given.change_note,
        risk_management_plan=given.risk_management_plan,
        crisis_warning_signs=given.crisis_warning_signs,
        crisis_actions=given.crisis_actions,
        crisis_contacts=given.crisis_contacts,
    )
    for position, goal in enumerate(given.goals, start=1):
        _goal(made, position, goal, needs[position - 1], entries, in_line)
    PlanAction.objects.bulk_create(
        PlanAction(
            care_plan=made,
            position=position,
            kind=item.kind,
            description=item.description.strip(),
            owner=item.owner,
            agency=item.agency.strip() if item.owner == Owner.AGENCY else "",
            due_on=item.due_on or given.agreed_on,  # present: check_owners refused a blank
        )
        for position, item in enumerate(given.actions, start=1)
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
    need: Need | None,
    entries: dict[str, Entry],
    phases: dict[str, Phase],
) -> Goal:
    made = Goal.objects.create(
        care_plan=plan,
        position=position,
        domain=goal.domain,
        description=goal.description.strip(),
        need=need,
        key_change_phase=phases.get(goal.key_change),
    )
    made.interventions.set([entries[c] for c in goal.interventions])
    milestones = [m.strip() for m in goal.milestones if m.strip()]
    Milestone.objects.bulk_create(
        Milestone(goal=made, position=i, description=text)
        for i, text in enumerate(milestones, start=1)
    )
    return made


@dataclass(frozen=True, kw_only=True)
class GoalInput:
    """A goal in the client's words, its milestones, and what meets it."""

    domain: str = about("the domain", choices=Domain)
    description: str = about("the goal, in the client's words", default="")
    milestones: tuple[str, ...] = about("the steps towards it", default=())
    need: int | None = about(default=None, on_line=False)  # an assessed need, by record
    need_domain: str = about(
        "the domain of the assessed need it meets (the latest of that domain)",
        default="",
        line="need",
    )
    interventions: tuple[str, ...] = about(
        "interventions that serve it (catalogue codes)", default=()
    )
    key_change: str = about(
        "when it is the plan's key change, the phase that change locates the client in: a "
        "catalogue phase in the line (rule 2: one goal at most)",
        default="",
    )


@dataclass(frozen=True, kw_only=True)
class ActionInput:
    """An action agreed with the plan: who does what, by when."""

    description: str = about("what is to be done", default="")
    owner: str = about("who does it", default="", choices=Owner)
    due_on: dt.date | None = about("by when", default=None)
    agency: str = about("the agency, when an agency does it", default="")
    kind: str = about("what kind of action", default="general", choices=ActionKind)


@dataclass(frozen=True, kw_only=True)
class PlanInput:
    """A care plan agreed with the client: a new version; the earlier ones are kept whole."""

    agreed_on: dt.date = about("the day it was agreed")
    agreed_how: str = about("how it was agreed", default="", choices=AgreedHow)
    goals: tuple[GoalInput, ...] = about("its goals")
    actions: tuple[ActionInput, ...] = about("the actions agreed", default=())
    review_due: dt.date | None = about(
        "when it is reviewed (default: the service's review interval)", default=None
    )
    change_note: str = about("what changed from the last version", default="")
    risk_management_plan: str = about("the risk management plan", default="")
    crisis_warning_signs: str = about("crisis: the warning signs", default="")
    crisis_actions: str = about("crisis: what to do", default="")
    crisis_contacts: str = about("crisis: who to contact", default="")
    expected_version: int | None = version()


@dataclass(frozen=True, kw_only=True)
class MilestoneUpdate:
    """Progress against one milestone."""

    milestone: Milestone | None = about(default=None, on_line=False)
    named: str = about(
        "the milestone, in its words in the current plan", default="", line="milestone"
    )
    progress: str = about("how it has gone", choices=Progress)
    note: str = about("a note", default="")


@dataclass(frozen=True, kw_only=True)
class ReviewCarePlanInput:
    """A review of the current care plan: progress against every milestone, the next review
    date and, if decided, a phase move made with it (rule 2)."""

    reviewed_on: dt.date = about("the day of the review")
    summary: str = about("what the review found", default="")
    progress: Sequence[MilestoneUpdate] = about("progress against each milestone", default=())
    next_review_on: dt.date | None = about(
        "the next review (default: the service's interval)", default=None
    )
    move_to: str = about("a phase to move to (a catalogue code)", default="")
    move_reason: str = about("why it moves", default="")


def _milestone(update: MilestoneUpdate, plan: CarePlan, milestones: list[Milestone]) -> Milestone:
    """The milestone an update is about: its record, or the one of the plan with its words."""
    if update.milestone is not None:
        if update.milestone.goal.care_plan_id != plan.pk:
            raise invalid("progress", f"'{update.milestone}' is not a milestone of this plan")
        return update.milestone
    for milestone in milestones:
        if milestone.description == update.named:
            return milestone
    raise invalid("progress", f"'{update.named}' is not a milestone of the current care plan")


@action
def review_care_plan(*, actor: Actor, episode: Episode, given: ReviewCarePlanInput) -> Review:
    """Review the current care plan: progress against each milestone, the next review date,
    and, if decided, a phase move (rule 2) made with it."""
    worker = _practitioner(actor, episode)
    clients.hold_episode(episode)
    plan = current_plan(episode)
    if plan is None:
        raise RuleViolation("R11", "agree a care plan with the client before reviewing it")
    milestones = list(Milestone.objects.filter(goal__care_plan=plan).select_related("goal"))
    progress = [(_milestone(u, plan, milestones), u) for u in given.progress]
    updated = {milestone.pk for milestone, _ in progress}
    for _, update in progress:
        if update.progress not in Progress.values:
            raise invalid("progress", f"'{update.progress}' is not a kind of progress")
    last = plan.reviews.order_by("-reviewed_on", "-pk").first()
    rules.check_review(
        on=given.reviewed_on,
        agreed_on=plan.agreed_on,
        last_review_on=last.reviewed_on if last else None,
        today=today(),
        summary=given.summary,
        missing=[m.description for m in milestones if m.pk not in updated],
    )
    due = given.next_review_on or add_weeks(given.reviewed_on, review_weeks(episode))
    rules.check_review_due(due=due, after=given.reviewed_on)
    change = None
    if given.move_to:
        change = clients.move_phase(
            actor=actor,
            episode=episode,
            given=clients.MovePhaseInput(
                to=given.move_to, on=given.reviewed_on, reason=given.move_reason
            ),
        )
    review = Review.objects.create(
        care_plan=plan,
        reviewed_on=given.reviewed_on,
        reviewed_by=worker,
        summary=given.summary,
        next_review_on=due,
        phase_change=change,
    )
    MilestoneProgress.objects.bulk_create(
        MilestoneProgress(review=review, milestone=m, progress=u.progress, note=u.note)
        for m, u in progress
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=review,
        detail={
            "version": plan.version,
            "next_review_on": due.isoformat(),
            "move_to": given.move_to,
        },
    )
    return review


@dataclass(frozen=True, kw_only=True)
class ActionDoneInput:
    done_on: dt.date = about("the day the action was done")


@action
def complete_plan_action(
    *, actor: Actor, plan_action: PlanAction, given: ActionDoneInput
) -> PlanAction:
    """Mark an action of the current care plan done, on a day from the plan's agreement to
    today; once done it stays done (a new version of the plan is the place to change it)."""
    plan = plan_action.care_plan
    worker = _practitioner(actor, plan.episode)
    clients.hold_episode(plan.episode)
    latest = current_plan(plan.episode)
    rules.check_action_done(
        done_already=plan_action.done_on,
        current=latest is not None and latest.pk == plan.pk,
        on=given.done_on,
        agreed_on=plan.agreed_on,
        today=today(),
    )
    plan_action.done_on = given.done_on
    plan_action.done_by = worker
    plan_action.save(update_fields=["done_on", "done_by"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=plan.episode.client,
        obj=plan_action,
        detail={"version": plan.version, "done_on": given.done_on.isoformat()},
    )
    return plan_action

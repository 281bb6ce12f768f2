"""Import lines for care plans; each calls the action the web form calls."""

from __future__ import annotations

from keywork.assessments.models import Need
from keywork.careplans import actions
from keywork.careplans.actions import MilestoneUpdate, current_plan
from keywork.careplans.models import Milestone
from keywork.careplans.rules import ActionInput, GoalInput, PlanInput
from keywork.clients.importers import open_episode_of
from keywork.clients.models import Episode
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import Fields, importer


def _need(episode: Episode, number: int, domain: str | None) -> int | None:
    """A goal's "need" names a domain: the latest assessed need of that domain."""
    if domain is None:
        return None
    found = (
        Need.objects.filter(assessment__episode=episode, domain=domain)
        .order_by("-assessment__assessed_on", "-pk")
        .first()
    )
    if found is None:
        raise invalid("goals", f"goal {number}: no assessed {domain} need for this client")
    return found.pk


@importer("agree_care_plan")
def agree_care_plan(actor: Actor, f: Fields) -> object:
    episode = open_episode_of(actor, f)
    goals = tuple(
        GoalInput(
            domain=g.text("domain"),
            description=g.text("description", ""),
            milestones=g.texts("milestones"),
            need=_need(episode, number, g.text("need") if g.data.get("need") else None),
            interventions=g.codes("interventions"),
        )
        for number, g in enumerate(f.records("goals"), start=1)
    )
    plan = PlanInput(
        agreed_on=f.date("agreed_on"),
        agreed_how=f.text("agreed_how", ""),
        goals=goals,
        actions=tuple(
            ActionInput(
                description=a.text("description", ""),
                owner=a.text("owner", ""),
                due_on=a.optional_date("due_on"),
                agency=a.text("agency", ""),
                kind=a.text("kind", "general"),
            )
            for a in f.records("actions")
        ),
        review_due=f.optional_date("review_due"),
        change_note=f.text("change_note", ""),
        risk_management_plan=f.text("risk_management_plan", ""),
        crisis_warning_signs=f.text("crisis_warning_signs", ""),
        crisis_actions=f.text("crisis_actions", ""),
        crisis_contacts=f.text("crisis_contacts", ""),
    )
    return actions.agree_care_plan(
        actor=actor, episode=episode, plan=plan, expected_version=f.optional_number("version")
    )


@importer("review_care_plan")
def review_care_plan(actor: Actor, f: Fields) -> object:
    """Progress is given per milestone, named by its words in the current plan."""
    episode = open_episode_of(actor, f)
    plan = current_plan(episode)
    milestones = {
        m.description: m
        for m in Milestone.objects.filter(goal__care_plan=plan).select_related("goal")
    }
    updates = []
    for item in f.records("progress") if plan else []:
        name = item.text("milestone")
        if name not in milestones:
            raise invalid("progress", f"'{name}' is not a milestone of the current care plan")
        updates.append(
            MilestoneUpdate(milestones[name], item.text("progress"), item.text("note", ""))
        )
    return actions.review_care_plan(
        actor=actor,
        episode=episode,
        reviewed_on=f.date("reviewed_on"),
        summary=f.text("summary", ""),
        progress=updates,
        next_review_on=f.optional_date("next_review_on"),
        move_to=f.text("move_to", ""),
        move_reason=f.text("move_reason", ""),
    )

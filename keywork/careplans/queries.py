"""Reads of care plans, each a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from keywork.assessments.models import Assessment
from keywork.careplans.models import CarePlan, Goal, MilestoneProgress, PlanAction, Review
from keywork.catalogue.models import Entry
from keywork.clients.models import Client, Episode
from keywork.core.expressions import Found


def plans_of(client: Client) -> QuerySet[CarePlan]:
    """Every version of the client's care plans, newest first, whole."""
    return (
        CarePlan.objects.filter(episode_id__in=client.episodes.values("pk"))
        .select_related("made_by__user", "episode")
        .prefetch_related(
            Prefetch(
                "goals",
                Goal.objects.select_related("need", "key_change_phase").prefetch_related(
                    "milestones", "interventions"
                ),
            ),
            Prefetch("actions", PlanAction.objects.select_related("done_by__user")),
            Prefetch(
                "reviews",
                Review.objects.select_related(
                    "reviewed_by__user", "phase_change__to_phase"
                ).prefetch_related(
                    Prefetch("progress", MilestoneProgress.objects.select_related("milestone"))
                ),
            ),
        )
        .order_by("-episode__referral_date", "-version")
    )


def current_plan(episode: Episode) -> CarePlan | None:
    """The episode's care plan as last agreed: its latest version."""
    return CarePlan.objects.filter(episode=episode).order_by("-version").first()


def review_due(plan: CarePlan, reviews: Iterable[Review]) -> dt.date:
    """When the plan is next due for review: its last review's next date, or the plan's own
    (rule 11). `reviews` may hold other plans' reviews; only this plan's count."""
    own = sorted(
        (r for r in reviews if r.care_plan_id == plan.pk), key=lambda r: (r.reviewed_on, r.pk)
    )
    return own[-1].next_review_on if own else plan.review_due


def review_due_of(episode: OuterRef) -> Subquery:
    """When the episode's current care plan is next due for review: the latest review's next
    date, or the plan's own review date if it has not been reviewed (rule 11)."""
    last_review = Review.objects.filter(care_plan=OuterRef("pk")).order_by("-reviewed_on", "-pk")
    plans = (
        CarePlan.objects.filter(episode=episode)
        .order_by("-version")
        .annotate(due=Coalesce(Subquery(last_review.values("next_review_on")[:1]), "review_due"))
    )
    return Subquery(plans.values("due")[:1])


def overdue_actions_of(episode: OuterRef, day: dt.date) -> Found:
    """Whether an action of the episode's current care plan (no later version agreed) is
    past its date and not done."""
    newer = CarePlan.objects.filter(
        episode_id=OuterRef("care_plan__episode_id"), version__gt=OuterRef("care_plan__version")
    )
    return Found(
        PlanAction.objects.filter(
            care_plan__episode=episode, done_on__isnull=True, due_on__lt=day
        ).exclude(Exists(newer))
    )


def overdue_actions(plan: CarePlan, day: dt.date) -> list[PlanAction]:
    """The plan's actions past their date and not done, the longest overdue first."""
    return list(plan.actions.filter(done_on__isnull=True, due_on__lt=day).order_by("due_on"))


def plan_in_force(episode: Episode, day: dt.date) -> CarePlan | None:
    """The episode's care plan as agreed on `day`: its latest version agreed by then."""
    return CarePlan.objects.filter(episode=episode, agreed_on__lte=day).order_by("-version").first()


def named_in(plan: CarePlan | None, entry: Entry) -> bool:
    """Whether a goal of the plan names the entry (itself, its parent, or what it reports as)."""
    if plan is None:
        return False
    named = Entry.objects.filter(
        pk__in=Goal.interventions.through.objects.filter(goal__care_plan=plan).values("entry_id")
    )
    ids = {e for e in (entry.pk, entry.parent_id, entry.reports_as_id) if e is not None}
    return any(
        e.pk in ids or (entry.reports_as_id and e.reports_as_id == entry.reports_as_id)
        for e in named
    )


def reason_for(episode: Episode, entry: Entry, day: dt.date) -> tuple[bool, bool]:
    """Rule 8's two facts for recovery support on `day`: whether the latest assessment by
    then holds the need it requires, and whether the care plan in force has a goal in that
    domain or names the support."""
    needed = entry.needs_assessed_need
    assessment = (
        Assessment.objects.filter(episode=episode, assessed_on__lte=day)
        .order_by("-assessed_on", "-pk")
        .first()
    )
    plan = plan_in_force(episode, day)
    assessed = assessment is not None and assessment.needs.filter(domain=needed).exists()
    in_plan = plan is not None and (
        plan.goals.filter(domain=needed).exists() or named_in(plan, entry)
    )
    return assessed, in_plan

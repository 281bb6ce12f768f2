"""Demo assessments and care plans, dated relative to today: an assessment soon after
referral (a reassessment for longer episodes), a care plan agreed a week later with goals,
milestones and owned actions (rule 10), and reviews every twelve weeks, the last one
sometimes missed so that reviews show as due or overdue (rule 11)."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from keywork.assessments.models import OPEN_RISK, RISK_AREAS, Assessment, Need, RiskLevel
from keywork.assessments.rules import flags
from keywork.careplans.models import (
    CarePlan,
    Goal,
    Milestone,
    MilestoneProgress,
    PlanAction,
    Progress,
    Review,
)
from keywork.clients.models import Episode
from keywork.demo.copying import insert, new
from keywork.demo.sessions import on_day

if TYPE_CHECKING:
    from keywork.demo.builder import _ClientPlan

REVIEW = dt.timedelta(weeks=12)
NEEDS = (
    ("housing", "No settled address: sofa-surfing"),
    ("employment", "Wants to get back to work"),
    ("physical_health", "Leg ulcer; not registered with a dentist"),
    ("mental_health", "Low mood and poor sleep"),
    ("finance", "Rent arrears and a benefits sanction"),
    ("family", "Wants contact with their children again"),
    ("social_network", "Most friends still use"),
)
GOALS = {
    "substance_use": (
        "Stop using on top of the script",
        ("Two clean tests in a row", "A month without using"),
    ),
    "housing": ("Somewhere settled to live", ("Housing assessment done", "Bidding for a flat")),
    "employment": ("Get back into work", ("CV written", "First interview")),
    "physical_health": (
        "Look after my health",
        ("Ulcer dressed weekly", "Registered with a dentist"),
    ),
    "mental_health": (
        "Feel less low",
        ("GP appointment about mood", "Sleeping through most nights"),
    ),
    "finance": ("Get on top of money", ("Arrears plan agreed",)),
    "family": ("See my children", ("Letter to social worker",)),
    "social_network": (
        "New people to spend time with",
        ("Tried a mutual-aid meeting", "A day at the recovery cafe"),
    ),
}
# The substance-use goal, in the client's words, for their main problem substance.
SUBSTANCE_GOALS = {
    "sub.heroin": (
        "Stop using heroin on top of the script",
        ("Two clean tests in a row", "A month without using"),
    ),
    "sub.crack": ("Stop using crack", ("A week without crack", "A month without crack")),
    "sub.cocaine": (
        "Stop using cocaine at weekends",
        ("A weekend without cocaine", "A month without cocaine"),
    ),
    "sub.alcohol": (
        "Cut down my drinking",
        ("Three drink-free days a week", "Under 14 units a week"),
    ),
    "sub.benzodiazepines": (
        "Stop buying street benzos",
        ("Only what the GP prescribes", "A month off street tablets"),
    ),
    "sub.cannabis": (
        "Smoke less weed",
        ("No smoking before the afternoon", "Three days a week without"),
    ),
}


def substance_goal(main: str) -> tuple[str, tuple[str, ...]]:
    """The substance-use goal for a main problem substance (the general one otherwise)."""
    return SUBSTANCE_GOALS.get(main, GOALS["substance_use"])


ACTIONS = (
    (
        "Book blood-borne virus test and hepatitis B vaccination",
        "keyworker",
        "",
        "health_monitoring",
    ),
    ("Go to the Tuesday recovery group", "client", "", "general"),
    ("Housing options appointment", "agency", "Council housing options team", "general"),
    ("Write to the benefits office with the client", "keyworker", "", "advocacy"),
    ("Physical health check at the GP", "agency", "Riverside GP practice", "health_monitoring"),
    ("Keep a use diary for two weeks", "client", "", "general"),
)
STRENGTHS = (
    "Close to a sister",
    "Wants to work again",
    "Good sense of humour",
    "Keeps appointments",
    "Loves cooking",
)


def _assessment(
    rng: random.Random, episode: Episode, worker_id: int, day: dt.date
) -> tuple[Assessment, list[Need]]:
    risks = {name: rng.choices(RiskLevel.values, (50, 30, 15, 5))[0] for name, _ in RISK_AREAS}
    concern = rng.random() < 0.12
    assessment = new(
        Assessment,
        episode=episode,
        assessed_on=day,
        assessed_by_id=worker_id,
        substance_use="Synthetic: daily use described; see problem substances.",
        physical_health="Synthetic: no acute concerns reported.",
        mental_health="Synthetic: some low mood.",
        housing="Synthetic: see needs.",
        social_network="Synthetic: a few people to rely on.",
        **risks,
        safeguarding_concern=concern,
        safeguarding_detail="Synthetic: children at home; social worker involved."
        if concern
        else "",
        dependent_children=rng.choice((0, 0, 0, 1, 2)) if not concern else 2,
        strengths=rng.sample(STRENGTHS, k=2),
        flags=flags(risks, areas=dict(RISK_AREAS), open_levels=set(OPEN_RISK), concern=concern),
    )
    needs = [
        new(Need, assessment=assessment, domain=d, description=t)
        for d, t in rng.sample(NEEDS, k=rng.randint(1, 3))
    ]
    return assessment, needs


def write_plans(
    rng: random.Random, plans: list[_ClientPlan], episodes: list[Episode], today: dt.date
) -> None:
    assessments: list[Assessment] = []
    needs: list[Need] = []
    for plan, episode in zip(plans, episodes, strict=True):
        first = plan.referral + dt.timedelta(days=rng.randint(3, 10))
        if first > today:
            continue
        days = [first]
        if (today - first).days > 200 and rng.random() < 0.6:
            days.append(first + dt.timedelta(days=rng.randint(150, (today - first).days)))
        for day in days:
            made, found = _assessment(rng, episode, on_day(day, plan.keyworkers).pk, day)
            assessments.append(made)
            needs += found
    insert(Assessment, assessments)
    insert(Need, needs)
    first_needs: dict[int, list[Need]] = {}
    for need in needs:
        first_needs.setdefault(need.assessment.episode_id, []).append(need)
    _care_plans(rng, plans, episodes, first_needs, today)


# Most actions are done by their date; a few are late, and a few still wait.
DONE_LATE, NOT_DONE = 0.1, 0.08


def _done_on(rng: random.Random, agreed: dt.date, due: dt.date, today: dt.date) -> dt.date | None:
    """When a demo action was marked done, or None: most by their date, some late."""
    roll = rng.random()
    if roll < NOT_DONE:
        return None
    late = roll < NOT_DONE + DONE_LATE
    on = (
        due + dt.timedelta(days=rng.randint(1, 20))
        if late
        else due - dt.timedelta(days=rng.randint(0, 5))
    )
    on = max(on, agreed)
    return on if on <= today else None


def _care_plans(
    rng: random.Random,
    plans: list[_ClientPlan],
    episodes: list[Episode],
    needs_by_episode: dict[int, list[Need]],
    today: dt.date,
) -> None:
    care_plans: list[CarePlan] = []
    goals: list[tuple[Goal, tuple[str, ...]]] = []
    actions: list[PlanAction] = []
    for plan, episode in zip(plans, episodes, strict=True):
        agreed = plan.referral + dt.timedelta(days=rng.randint(10, 20))
        if agreed > today:
            continue
        worker = on_day(agreed, plan.keyworkers)
        care_plan = new(
            CarePlan,
            episode=episode,
            version=1,
            agreed_on=agreed,
            agreed_how=rng.choice(("in_person", "in_person", "phone")),
            review_due=agreed + REVIEW,
            made_by_id=worker.pk,
            crisis_warning_signs="Synthetic: stops answering the phone; misses the pharmacy.",
            crisis_actions="Call the team duty line; carry naloxone.",
            crisis_contacts="Team duty line; sister (synthetic)",
        )
        care_plans.append(care_plan)
        domains = ["substance_use"] + [
            n.domain for n in needs_by_episode.get(episode.pk, []) if n.domain in GOALS
        ]
        for position, domain in enumerate(domains[:3], start=1):
            text, milestones = (
                substance_goal(plan.substances[0][0])
                if domain == "substance_use"
                else GOALS[domain]
            )
            need = next(
                (n for n in needs_by_episode.get(episode.pk, []) if n.domain == domain), None
            )
            goals.append(
                (
                    new(
                        Goal,
                        care_plan=care_plan,
                        position=position,
                        domain=domain,
                        description=text,
                        need=need,
                    ),
                    milestones,
                )
            )
        for position, (text, owner, agency, kind) in enumerate(rng.sample(ACTIONS, k=3), start=1):
            due = agreed + dt.timedelta(days=rng.randint(7, 60))
            done = _done_on(rng, agreed, due, today)
            actions.append(
                new(
                    PlanAction,
                    care_plan=care_plan,
                    position=position,
                    kind=kind,
                    description=text,
                    owner=owner,
                    agency=agency,
                    due_on=due,
                    done_on=done,
                    done_by_id=worker.pk if done else None,
                )
            )
    insert(CarePlan, care_plans)
    insert(Goal, [g for g, _ in goals])
    insert(PlanAction, actions, keys=False)
    rows = [
        new(Milestone, goal=g, position=i, description=t)
        for g, texts in goals
        for i, t in enumerate(texts, start=1)
    ]
    insert(Milestone, rows)
    _reviews(rng, care_plans, rows, plans, episodes, today)


def _reviews(
    rng: random.Random,
    care_plans: list[CarePlan],
    milestones: list[Milestone],
    plans: list[_ClientPlan],
    episodes: list[Episode],
    today: dt.date,
) -> None:
    by_plan: dict[int, list[Milestone]] = {}
    for milestone in milestones:
        by_plan.setdefault(milestone.goal.care_plan_id, []).append(milestone)
    keyworkers = {
        episode.pk: plan.keyworkers for plan, episode in zip(plans, episodes, strict=True)
    }
    reviews: list[Review] = []
    progress: list[MilestoneProgress] = []
    for care_plan in care_plans:
        due = care_plan.review_due
        while due <= today and not (due + REVIEW > today and rng.random() < 0.3):
            held = min(today, due - dt.timedelta(days=rng.randint(0, 10)))
            review = new(
                Review,
                care_plan=care_plan,
                reviewed_on=held,
                next_review_on=held + REVIEW,
                reviewed_by_id=on_day(held, keyworkers[care_plan.episode_id]).pk,
                summary="Synthetic: progress talked through; plan kept.",
            )
            reviews.append(review)
            for milestone in by_plan.get(care_plan.pk, []):
                progress.append(
                    new(
                        MilestoneProgress,
                        review=review,
                        milestone=milestone,
                        progress=rng.choice(
                            (Progress.IN_PROGRESS, Progress.ACHIEVED, Progress.NOT_STARTED)
                        ),
                    )
                )
            due = review.next_review_on
    insert(Review, reviews)
    insert(MilestoneProgress, progress, keys=False)

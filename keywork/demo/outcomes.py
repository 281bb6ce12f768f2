"""Demo outcome profiles, written in bulk as the sessions are, and recovery check-ups,
written through the actions.

- Outcome profiles over time for every episode: the start soon after referral, a review every
  `outcome_review_months` while in treatment (a few left overdue), the exit at discharge;
  use falls and the client's own ratings rise for most, not for all.
- Recovery check-ups after each successful completion: a call in the first week, then every
  four weeks; those past due recorded (one with a marked risk of relapse and further support
  suggested), the rest still to come."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from keywork.access.models import Service, Team, Worker
from keywork.audit import chain
from keywork.audit.models import AuditEvent
from keywork.checkups import actions as checkups
from keywork.checkups.actions import CheckUpInput
from keywork.clients.models import Episode
from keywork.core.dates import add_months
from keywork.core.dates import today as local_today
from keywork.demo.copying import insert, new
from keywork.outcomes import rules
from keywork.outcomes.models import OutcomeProfile

GROUP_OF = {
    "sub.heroin": "opiates",
    "sub.methadone-illicit": "opiates",
    "sub.buprenorphine-illicit": "opiates",
    "sub.other-opioids": "opiates",
    "sub.crack": "crack",
    "sub.cocaine": "cocaine",
    "sub.amphetamines": "amphetamines",
    "sub.cannabis": "cannabis",
    "sub.alcohol": "alcohol",
}
OVERDUE_SHARE = 0.15


def write_outcomes(rng: random.Random, episodes: Iterable[Episode]) -> None:
    """Every episode's profiles over time, written in bulk with an audit row each, as the
    taking action would write them (rule 11: one start, reviews, one exit)."""
    today = local_today()
    profiles = [p for episode in episodes for p in _profiles(rng, episode, today)]
    insert(OutcomeProfile, profiles)
    chain.append([_taken(profile) for profile in profiles])


def episodes_with_outcomes(service: Service) -> QuerySet[Episode]:
    """The episodes whose profiles the demo writes, with what writing them reads."""
    return (
        Episode.objects.filter(service=service)
        .select_related("keyworker__user", "service")
        .prefetch_related("substances__substance")
        .order_by("pk")
    )


def _profiles(rng: random.Random, episode: Episode, today: dt.date) -> list[OutcomeProfile]:
    last_day = min(today, episode.discharged_on or today)
    start = episode.referral_date + dt.timedelta(days=rng.randint(0, 10))
    if start > last_day or (episode.is_open and rng.random() < 0.05):
        return []  # not yet taken: due on the caseload
    groups = [GROUP_OF.get(s.substance.code, "other") for s in episode.substances.all()]
    baseline = {g: rng.randint(12, 28) for g in dict.fromkeys(groups)}
    ratings = [rng.randint(3, 9) for _ in range(3)]
    improving = rng.random() < 0.75
    days = [start]
    months = episode.service.outcome_review_months
    while add_months(days[-1], months) < last_day:
        days.append(add_months(days[-1], months))
    if episode.is_open and len(days) > 1 and rng.random() < OVERDUE_SHARE:
        days.pop()  # the latest review not yet taken: overdue
    stages = ["start"] + ["review"] * (len(days) - 1)
    if episode.discharged_on and episode.discharged_on > days[-1]:
        days.append(episode.discharged_on)
        stages.append("exit")
    worker = episode.keyworker
    profiles = []
    for step, (day, stage) in enumerate(zip(days, stages, strict=True)):
        change = (0.45 if improving else 0.9) ** step
        used = {
            g: min(28, round(base * change * rng.uniform(0.8, 1.1))) for g, base in baseline.items()
        }
        use = {g: [days, str(_amount(rng, g)) if days else None] for g, days in used.items()}
        gain = step * (3 if improving else 0) + rng.randint(-1, 1)
        profiles.append(
            new(
                OutcomeProfile,
                episode=episode,
                stage=stage,
                taken_on=day,
                taken_by=worker,
                next_due_on=rules.next_due(taken_on=day, stage=stage, months=months),
                use=use,
                recorded_by=worker.user,
                injecting_days=used.get("opiates", 0) // 2,
                shared_equipment=False,
                shoplifting_days=rng.choice((0, 0, 0, 2)) if step == 0 else 0,
                selling_drugs_days=0,
                other_theft=False,
                assault_or_violence=False,
                psychological_health=max(0, min(20, ratings[0] + gain)),
                physical_health=max(0, min(20, ratings[1] + gain)),
                quality_of_life=max(0, min(20, ratings[2] + gain)),
                paid_work_days=rng.choice((0, 0, 8, 16)) if step and improving else 0,
                education_days=0,
                acute_housing_problem=step == 0 and rng.random() < 0.2,
                at_risk_of_eviction=False,
            )
        )
    return profiles


def _taken(profile: OutcomeProfile) -> AuditEvent:
    return taken_event(profile, "take_outcomes", "outcomes.outcomeprofile")


def taken_event(record: Any, action: str, object_type: str) -> AuditEvent:
    """The audit row the taking action would write for a record the demo writes in bulk (an
    outcome profile, a recovery-capital check): who took it, at which stage, on which day."""
    return AuditEvent(
        actor=record.recorded_by,
        actor_label=record.recorded_by.get_username() if record.recorded_by else "system",
        verb=AuditEvent.Verb.CREATE,
        what=f"demo: {action}",
        client_id=record.episode.client_id,
        object_type=object_type,
        object_id=str(record.pk),
        channel="command",
        detail={
            "stage": record.stage,
            "taken_on": record.taken_on.isoformat(),
            "synthetic": True,
        },
    )


def _amount(rng: random.Random, group: str) -> Decimal:
    if group == "alcohol":
        return Decimal(rng.randint(8, 30))
    return Decimal(rng.randint(2, 10)) / 10


def write_checkups(rng: random.Random, team: Team, lead: Worker) -> None:
    today = local_today()
    completed = Episode.objects.filter(
        team=team, exit_reason__startswith="completed_", discharged_on__lt=today
    ).order_by("pk")
    for n, episode in enumerate(completed):
        assert episode.discharged_on is not None
        first = episode.discharged_on + dt.timedelta(days=3)  # a call in the first week
        made = checkups.schedule_checkups(
            actor=lead.user,
            episode=episode,
            given=checkups.ScheduleCheckupsInput(first_on=first, every_weeks=4, count=6),
        )
        for k, checkup in enumerate(c for c in made if c.due_on < today):
            risk = n == 0 and k == 0
            contact = risk or rng.random() < 0.8
            checkups.record_checkup(
                actor=lead.user,
                checkup=checkup,
                given=CheckUpInput(
                    done_on=min(today, checkup.due_on + dt.timedelta(days=rng.randint(0, 3))),
                    contact_made=contact,
                    lapse=("risk" if risk else "none") if contact else "",
                    further_services=("rs.peer-support", "ref.mental-health") if risk else (),
                    notes="Low mood since a bereavement; agreed peer support."
                    if risk
                    else ("Keeping well." if contact else "No answer; letter sent."),
                ),
            )

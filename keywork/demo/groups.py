"""Demo group sessions and reintegration work, written through the actions (they are few), so
they keep every rule a keyworker's entry keeps.

- Each team runs a weekly group: three weeks past with the register taken, three ahead.
- A few clients per team completed treatment and were discharged; reintegration work carries
  on after discharge, and some open clients have reintegration work alongside their phase."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from keywork.access.models import Role, Team, Worker
from keywork.clients import actions as clients
from keywork.clients.models import Episode
from keywork.sessions import actions as sessions
from keywork.sessions.actions import RegisterLine, SessionContent
from keywork.sessions.models import Attendance, Outcome, ReEngagement

GROUP_TITLES = ("Relapse prevention group", "Mutual aid introduction", "Coping with cravings")
GROUP_SIZE = 8
WEEKS_PAST, WEEKS_AHEAD = 3, 3
DISCHARGED_PER_TEAM = 2
ALONGSIDE_PER_TEAM = 3
GROUP_CONTENT = SessionContent(
    care_plan_work="progress_checked",
    information_advice="Overdose risk after a break; who carries naloxone",
    harm_reduction="Tolerance after a break; not using alone",
    motivational_work="Each shared one thing that kept them going this week",
    topics=("topic.triggers-strategies", "topic.relapse-prevention-lapse"),
    techniques=("tool.triggers-coping",),
    notes="Synthetic note: a settled group; two new members introduced.",
)
REINTEGRATION_NOTES = (
    "Synthetic note: went together to the allotment society's open day.",
    "Synthetic note: planned a week with structure; signed up for a volunteering taster.",
    "Synthetic note: introduced to the recovery café; will go on Thursdays.",
)


def lead_of(workers: Sequence[Worker]) -> Worker | None:
    """The team's first active keyworker (a demo login where the team has one)."""
    active = [w for w in workers if w.user.is_active]
    ordered = sorted(
        active, key=lambda w: (w.role != Role.KEYWORKER, not w.user.has_usable_password())
    )
    return ordered[0] if ordered else None


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def write_groups(rng: random.Random, team: Team, lead: Worker, workers: list[Worker]) -> None:
    """The team's weekly group, led by `lead` with a colleague: booked, and its registers
    taken for the weeks past."""
    today = timezone.localdate()
    first = today - dt.timedelta(weeks=WEEKS_PAST) + dt.timedelta(days=1)
    colleagues = [w for w in workers if w.user.is_active and w.pk != lead.pk]
    invited = _settled(team, first)[: GROUP_SIZE * 4]
    if not invited:
        return
    weeks = sessions.schedule_group(
        actor=lead.user,
        team=team,
        episodes=rng.sample(invited, k=min(GROUP_SIZE, len(invited))),
        given=sessions.ScheduleGroupInput(
            title=rng.choice(GROUP_TITLES),
            starts_at=at(first, 14),
            facilitators=[lead, *colleagues[:1]],
            location="Hub group room",
            weeks=WEEKS_PAST + WEEKS_AHEAD,
        ),
    )
    for session in weeks[:WEEKS_PAST]:
        register = [
            RegisterLine(
                a, rng.choices((Outcome.ATTENDED, Outcome.CANCELLED_BY_CLIENT), (85, 15))[0]
            )
            for a in session.attendances.select_related("episode__client")
        ]
        sessions.record_group(
            actor=lead.user,
            session=session,
            given=sessions.RecordGroupInput(content=GROUP_CONTENT, register=register),
        )


def _settled(team: Team, since: dt.date) -> list[Episode]:
    """Open episodes referred before the group started and not in re-engagement since."""
    unsettled = ReEngagement.objects.filter(episode=OuterRef("pk")).filter(
        Q(ended_on=None) | Q(ended_on__gte=since)
    )
    return list(
        Episode.objects.filter(
            team=team, discharged_on=None, referral_date__lt=since - dt.timedelta(weeks=2)
        )
        .exclude(Exists(unsettled))
        .select_related("client")
        .order_by("pk")
    )


def write_reintegration(rng: random.Random, team: Team, lead: Worker) -> None:
    today = timezone.localdate()
    for episode, last in _ready_to_complete(team, today)[:DISCHARGED_PER_TEAM]:
        alcohol_only = all(
            s.substance.code.startswith("sub.alcohol") for s in episode.substances.all()
        )
        clients.discharge(
            actor=lead.user,
            episode=episode,
            given=clients.DischargeInput(
                on=last,
                exit_reason="completed_alcohol_free" if alcohol_only else "completed_drug_free",
                note="Synthetic: completed treatment; recovery support continues.",
            ),
        )
        _reintegrate(
            rng,
            lead,
            episode,
            last + dt.timedelta(days=rng.randint(1, (today - last).days - 1)),
        )
    alongside = Episode.objects.filter(
        team=team, discharged_on=None, referral_date__lt=today - dt.timedelta(weeks=3)
    ).order_by("-pk")[:ALONGSIDE_PER_TEAM]
    for episode in alongside:
        _reintegrate(rng, lead, episode, today - dt.timedelta(days=rng.randint(1, 10)))


def _ready_to_complete(team: Team, today: dt.date) -> list[tuple[Episode, dt.date]]:
    """Open episodes in Completion whose last session held was attended, with the day of
    their last recorded event, where that was at least three days ago (room for work after)."""
    recorded = Attendance.objects.filter(
        episode=OuterRef("pk"), outcome__in=(Outcome.ATTENDED, Outcome.DID_NOT_ATTEND)
    ).order_by("-session__starts_at")
    found = (
        Episode.objects.filter(team=team, discharged_on=None, phase__code="completion")
        .annotate(last_outcome=Subquery(recorded.values("outcome")[:1]))
        .filter(last_outcome=Outcome.ATTENDED)
        .annotate(
            moved=Max("phase_changes__changed_on"),
            allocated=Max("allocations__started_on"),
            seen=Max(  # anything recorded, a cancellation too
                "attendances__session__starts_at",
                filter=~Q(attendances__outcome=Outcome.SCHEDULED),
            ),
        )
        .prefetch_related("substances__substance")
        .order_by("pk")
    )
    ready: list[tuple[Episode, dt.date]] = []
    for episode in found[:50]:
        dates = [episode.referral_date, episode.moved, episode.allocated]
        if episode.seen is not None:
            dates.append(timezone.localdate(episode.seen))
        last = max(d for d in dates if d is not None)
        if last <= today - dt.timedelta(days=3):
            ready.append((episode, last))
    return ready


def _reintegrate(rng: random.Random, worker: Worker, episode: Episode, day: dt.date) -> None:
    sessions.record_reintegration(
        actor=worker.user,
        episode=episode,
        given=sessions.RecordReintegrationInput(
            starts_at=at(day, rng.randint(10, 15)),
            content=SessionContent(
                care_plan_work="",
                information_advice="",
                harm_reduction="",
                motivational_work="",
                topics=(rng.choice(("topic.structuring-time", "topic.future-plans-support")),),
                interventions=("focus.community-integration",),
                notes=rng.choice(REINTEGRATION_NOTES),
            ),
            location="In the community",
        ),
    )

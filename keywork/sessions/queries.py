"""Reads for the group pages and the diary, each a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from keywork.access.models import Team, Worker
from keywork.clients.models import Episode
from keywork.core.paging import Pages
from keywork.sessions.models import Attendance, KeyworkSession, Outcome, ReEngagement

GROUPS_SINCE = dt.timedelta(weeks=8)


def groups_of(team: Team, *, now: dt.datetime) -> QuerySet[KeyworkSession]:
    """The team's group sessions from eight weeks ago onwards, with how many clients are
    listed, came, and are still to record."""
    return (
        KeyworkSession.objects.filter(
            team=team, kind=KeyworkSession.Kind.GROUP, starts_at__gte=now - GROUPS_SINCE
        )
        .annotate(
            listed=Count("attendances"),
            came=Count("attendances", filter=Q(attendances__outcome=Outcome.ATTENDED)),
            to_record=Count("attendances", filter=Q(attendances__outcome=Outcome.SCHEDULED)),
        )
        .prefetch_related(Prefetch("facilitators", Worker.objects.select_related("user")))
        .order_by("starts_at", "pk")
    )


def group_lines(session: KeyworkSession) -> list[Attendance]:
    """Everyone listed for a group, by name, with what is recorded for them."""
    return list(
        session.attendances.select_related("episode__client", "recorded_by__user")
        .prefetch_related("topics", "interventions")
        .order_by("episode__client__family_name", "episode__client__given_name", "pk")
    )


def counted(episode: OuterRef) -> QuerySet[Attendance]:
    """A client's attendances that count: not marked entered in error."""
    return Attendance.objects.filter(episode=episode, entered_in_error_at__isnull=True)


def next_appointment(episode: Episode) -> Attendance | None:
    """The episode's next booked appointment (not one entered in error)."""
    booked = Attendance.objects.filter(
        episode=episode,
        outcome=Outcome.SCHEDULED,
        session__starts_at__gte=timezone.now(),
        entered_in_error_at__isnull=True,
    )
    return booked.select_related("session").order_by("session__starts_at").first()


def open_reengagement(episode: Episode) -> ReEngagement | None:
    """The re-engagement under way after a missed appointment, if any."""
    return ReEngagement.objects.filter(episode=episode, ended_on=None).first()


DIARY_DAYS = 7  # a keyworker's diary: today and the six days after
TEAM_DIARY_DAYS = 1  # the whole team's: a day at a time (a big team books hundreds a day)
TEAM_DIARY_PAGE = 100  # and that day a page at a time (a team of 27,000 clients: 2,700)


@dataclass(frozen=True)
class Diary:
    """A diary: the days from today, each with its appointments, and the past ones still
    without an outcome. `whose` is the worker, or None for the whole team."""

    whose: Worker | None
    days: list[tuple[dt.date, list[Attendance]]]
    unrecorded: list[Attendance]  # the oldest UNRECORDED_SHOWN
    unrecorded_count: int  # all of them
    page: Page[Attendance] | None = None  # the team's day's, a page at a time

    @property
    def previous(self) -> dt.date:
        return self.days[0][0] - dt.timedelta(days=len(self.days))

    @property
    def following(self) -> dt.date:
        return self.days[-1][0] + dt.timedelta(days=1)


def _booked_with(team: Team, worker: Worker | None) -> QuerySet[Attendance]:
    found = Attendance.objects.filter(
        session__team=team, entered_in_error_at__isnull=True, episode__team=team
    )
    if worker is not None:
        found = found.filter(session__facilitators=worker)
    return found.select_related("session", "episode__client", "episode__keyworker__user")


# The past appointments with no outcome a diary lists, oldest first; the rest are counted,
# and the caseload lists every client with one.
UNRECORDED_SHOWN = 30


def diary_of(
    team: Team,
    worker: Worker | None,
    *,
    now: dt.datetime,
    start: dt.date | None = None,
    page: str | None = None,
) -> Diary:
    """A worker's appointments for a week from `start` (today), or a `page` of the team's
    for that day, and the oldest past ones still to record: two queries whatever the size
    (three when there are more to record than are shown, one more for the team's pages)."""
    first = start or timezone.localdate(now)
    length = DIARY_DAYS if worker is not None else TEAM_DIARY_DAYS
    days = [first + dt.timedelta(days=n) for n in range(length)]
    booked = (
        _booked_with(team, worker)
        .filter(session__day__gte=days[0], session__day__lte=days[-1])
        .order_by("session__starts_at", "pk")
    )
    paged = None if worker is not None else Pages(booked, TEAM_DIARY_PAGE).get_page(page)
    window = list(booked if paged is None else paged.object_list)
    past = _booked_with(team, worker).filter(outcome=Outcome.SCHEDULED, session__starts_at__lt=now)
    unrecorded = list(past.order_by("session__starts_at", "pk")[:UNRECORDED_SHOWN])
    count = len(unrecorded) if len(unrecorded) < UNRECORDED_SHOWN else past.count()
    by_day = [(day, [a for a in window if a.session.day == day]) for day in days]
    return Diary(
        whose=worker, days=by_day, unrecorded=unrecorded, unrecorded_count=count, page=paged
    )

"""Demo session history: a few weeks of keywork sessions per client, dated relative to
today, that keep the rules the actions keep.

- Sessions are with the keyworker of the day (now and then a colleague; for a few clients in
  every team mostly one colleague, as when a keyworker is away for a long spell).
- Topics and focus come from the client's phase on the day. A few sessions stay on
  practical matters with no psychosocial focus; for a few clients in every team most do.
- A Keywork+ intervention appears only when the worker was trained and in supervision that
  day (rule 4); techniques are recorded as techniques (rule 5).
- Every attended session has its minimum content and books the next one (rule 9).
- A missed appointment opens re-engagement until the client is next seen."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, TypeVar

from django.utils import timezone

from keywork.access.models import Competency, Supervision, Worker
from keywork.catalogue.models import Entry, Phase
from keywork.clients.models import Episode
from keywork.demo.copying import insert, new
from keywork.sessions.models import Attendance, KeyworkSession, Outcome, Place, ReEngagement

if TYPE_CHECKING:
    from keywork.demo.builder import _ClientPlan

HISTORY_DAYS = 70
OUTCOMES: tuple[str, ...] = (
    Outcome.ATTENDED,
    Outcome.DID_NOT_ATTEND,
    Outcome.CANCELLED_BY_CLIENT,
    Outcome.CANCELLED_BY_SERVICE,
)
OUTCOME_WEIGHTS = (80, 12, 5, 3)
COVER = 0.08  # a colleague covering a session
PRACTICAL_ONLY = 0.05  # a session with no psychosocial focus
AWAY = dt.timedelta(days=120)  # how long a keyworker away has been away
ADVICE = (
    "Overdose risk and naloxone; kit checked",
    "Blood-borne virus testing offered",
    "Alcohol units and safer drinking",
    "Mixing substances: the risks",
)
HARM = (
    "Safer injecting sites",
    "Not using alone",
    "Needle exchange hours",
    "Tolerance after a break",
)
MOTIVATION = (
    "Explored what a good week looks like",
    "Reflected on change talk from last time",
    "Scaled confidence about the next step",
    "Looked at the pros and cons together",
)


@dataclass
class Catalogue:
    """What a session can record, by phase."""

    topics: dict[int, list[Entry]] = field(default_factory=dict)
    focus: dict[int, list[Entry]] = field(default_factory=dict)
    keywork_plus: dict[int, list[Entry]] = field(default_factory=dict)
    techniques: list[Entry] = field(default_factory=list)

    @classmethod
    def load(cls) -> Catalogue:
        found = cls()
        entries = list(Entry.objects.offered().select_related("tier").prefetch_related("phases"))
        found.techniques = [e for e in entries if e.kind in ("technique", "mapping_tool")]
        for phase in Phase.objects.filter(in_sequence=True):
            here = [e for e in entries if phase in e.phases.all()]
            found.topics[phase.pk] = [e for e in here if e.kind == "topic"]
            found.focus[phase.pk] = [e for e in here if e.kind == "focus"]
            found.keywork_plus[phase.pk] = [
                e
                for e in here
                if e.tier is not None and e.tier.code == "keywork_plus" and e.parent_id is None
            ]
        return found


@dataclass
class Competence:
    """Who was trained in what, and supervised when: rule 4 on a day, from memory."""

    trained: dict[int, dict[int, dt.date]] = field(default_factory=lambda: defaultdict(dict))
    supervised: dict[int, list[tuple[dt.date, dt.date]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def load(cls) -> Competence:
        found = cls()
        for row in Competency.objects.filter(withdrawn_on__isnull=True):
            found.trained[row.worker_id][row.intervention_id] = row.trained_on
        for held, lapses, worker in Supervision.objects.values_list(
            "held_on", "lapses_on", "worker_id"
        ):
            found.supervised[worker].append((held, lapses))
        return found

    def keywork_plus(self, worker: Worker, entries: list[Entry], day: dt.date) -> list[Entry]:
        if not any(held <= day < lapses for held, lapses in self.supervised[worker.pk]):
            return []
        trained = self.trained[worker.pk]
        return [e for e in entries if e.pk in trained and trained[e.pk] <= day]


@dataclass
class _Visit:
    session: KeyworkSession
    attendance: Attendance
    worker: Worker
    topics: list[Entry]
    interventions: list[Entry]
    techniques: list[Entry]


T = TypeVar("T")


def on_day(day: dt.date, dated: list[tuple[T, dt.date]]) -> T:
    """The value in force on a day, from (value, since) pairs in date order."""
    current = dated[0][0]
    for value, since in dated:
        if since <= day:
            current = value
    return current


# Where one-to-ones meet, most at the hub.
PLACES = (
    (Place.OFFICE, "Hub interview room"),
    (Place.OFFICE, "Hub interview room"),
    (Place.OFFICE, "Hub interview room"),
    (Place.PHONE, ""),
    (Place.HOME_VISIT, ""),
    (Place.OUTREACH, "GP surgery"),
    (Place.VIDEO, ""),
)
# A few clients' last appointment, in the last three days, not written up yet.
UNWRITTEN = dt.timedelta(days=3)
UNWRITTEN_SHARE = 0.25


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 16), 0)))


def write_sessions(
    rng: random.Random,
    plans: list[_ClientPlan],
    episodes: list[Episode],
    phases: dict[str, Phase],
    by_team: dict[int, list[Worker]],
    catalogue: Catalogue,
    competence: Competence,
    history_days: int = HISTORY_DAYS,
) -> None:
    today = timezone.localdate()
    visits: list[_Visit] = []
    timelines: list[list[_Visit]] = []
    for plan, episode in zip(plans, episodes, strict=True):
        timeline = _history(
            rng, plan, episode, phases, by_team, catalogue, competence, today, history_days
        )
        visits += timeline
        timelines.append(timeline)
    insert(KeyworkSession, [v.session for v in visits])
    Facilitator = KeyworkSession.facilitators.through
    insert(
        Facilitator,
        [new(Facilitator, keyworksession_id=v.session.pk, worker_id=v.worker.pk) for v in visits],
        keys=False,
    )
    for visit in visits:
        visit.attendance.session = visit.session
    _link_next_sessions(timelines)
    insert(Attendance, [v.attendance for v in visits])
    for name in ("topics", "interventions", "techniques"):
        through = getattr(Attendance, name).through
        insert(
            through,
            [
                new(through, attendance_id=v.attendance.pk, entry_id=entry.pk)
                for v in visits
                for entry in getattr(v, name)
            ],
            keys=False,
        )
    insert(ReEngagement, _reengagements(timelines), keys=False)


def _history(
    rng: random.Random,
    plan: _ClientPlan,
    episode: Episode,
    phases: dict[str, Phase],
    by_team: dict[int, list[Worker]],
    catalogue: Catalogue,
    competence: Competence,
    today: dt.date,
    history_days: int,
) -> list[_Visit]:
    keyworkers = [(worker, since) for worker, since in plan.keyworkers]
    moves = [(phases[code], when) for code, when, _ in plan.moves]
    pool = by_team[plan.team.pk]
    day = max(plan.referral, today - dt.timedelta(days=history_days)) + dt.timedelta(
        days=rng.randint(1, 6)
    )
    practical = 0.95 if plan.practical else PRACTICAL_ONLY
    colleagues = [w for w in pool if w is not keyworkers[-1][0]]
    standing_in = rng.choice(colleagues) if plan.covered and colleagues else None
    timeline: list[_Visit] = []
    while day < today:
        worker = on_day(day, keyworkers)
        if standing_in is not None and day >= today - AWAY:
            worker = standing_in  # the keyworker away, one colleague covering
        elif len(pool) > 1 and rng.random() < COVER:
            worker = rng.choice(pool)  # a colleague covering
        phase = on_day(day, moves)
        outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
        visit = _visit(rng, episode, worker, phase, outcome, day, catalogue, competence)
        if outcome == Outcome.ATTENDED and rng.random() < practical:
            visit.interventions = []  # practical matters only: no psychosocial focus
        timeline.append(visit)
        day += dt.timedelta(days=rng.choice((7, 7, 10, 14, 14)))
    last = timeline[-1] if timeline else None
    if last and last.session.day >= today - UNWRITTEN and rng.random() < UNWRITTEN_SHARE:
        # the last appointment not written up yet: booked, past, no outcome
        then = on_day(last.session.day, moves)
        timeline[-1] = _visit(
            rng,
            episode,
            last.worker,
            then,
            Outcome.SCHEDULED,
            last.session.day,
            catalogue,
            competence,
        )
        return timeline
    if not timeline or timeline[-1].attendance.outcome != Outcome.DID_NOT_ATTEND:
        upcoming = today + dt.timedelta(days=rng.randint(1, 14))
        current = keyworkers[-1][0]
        timeline.append(
            _visit(
                rng,
                episode,
                current,
                episode.phase,
                Outcome.SCHEDULED,
                upcoming,
                catalogue,
                competence,
            )
        )
    return timeline


def _visit(
    rng: random.Random,
    episode: Episode,
    worker: Worker,
    phase: Phase,
    outcome: str,
    day: dt.date,
    catalogue: Catalogue,
    competence: Competence,
) -> _Visit:
    starts_at = _at(rng, day)
    session = new(
        KeyworkSession,
        team_id=episode.team_id,
        kind=KeyworkSession.Kind.ONE_TO_ONE,
        starts_at=starts_at,
        day=day,
        duration_minutes=rng.choice((30, 45, 45, 60)),
    )
    session.place, session.location = rng.choice(PLACES)
    attendance = new(Attendance, episode=episode, outcome=outcome)
    visit = _Visit(session, attendance, worker, [], [], [])
    if outcome == Outcome.SCHEDULED:
        return visit
    attendance.recorded_by = worker
    attendance.recorded_at = starts_at + dt.timedelta(hours=1)
    if outcome != Outcome.ATTENDED:
        attendance.notes = "No contact; left a message." if outcome == "did_not_attend" else ""
        return visit
    attendance.care_plan_work = rng.choice(("agreed", "progress_checked", "progress_checked"))
    attendance.information_advice = rng.choice(ADVICE)
    attendance.harm_reduction = rng.choice(HARM)
    attendance.motivational_work = rng.choice(MOTIVATION)
    attendance.notes = "Synthetic note: engaged well and agreed the next step."
    topics = catalogue.topics[phase.pk]
    visit.topics = rng.sample(topics, k=min(len(topics), rng.choice((1, 2, 2, 3))))
    visit.interventions = [rng.choice(catalogue.focus[phase.pk])]
    extra = competence.keywork_plus(worker, catalogue.keywork_plus[phase.pk], day)
    if extra and rng.random() < 0.6:
        visit.interventions.append(rng.choice(extra))
    if rng.random() < 0.35:
        visit.techniques = [rng.choice(catalogue.techniques)]
    return visit


def _link_next_sessions(timelines: list[list[_Visit]]) -> None:
    """Each attended session booked the one after it (rule 9)."""
    for timeline in timelines:
        for visit, following in pairwise(timeline):
            if visit.attendance.outcome == Outcome.ATTENDED:
                visit.attendance.next_session = following.session


def _reengagements(timelines: list[list[_Visit]]) -> list[ReEngagement]:
    rows = []
    for timeline in timelines:
        current: ReEngagement | None = None
        for visit in timeline:
            attendance = visit.attendance
            day = timezone.localdate(visit.session.starts_at)
            if attendance.outcome == Outcome.DID_NOT_ATTEND and current is None:
                current = new(
                    ReEngagement, episode=attendance.episode, started_on=day, started_by=attendance
                )
                rows.append(current)
            elif attendance.outcome == Outcome.ATTENDED and current is not None:
                current.ended_on, current.ended_by = day, attendance
                current = None
    return rows

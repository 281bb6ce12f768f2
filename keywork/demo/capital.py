"""Demo recovery capital and maps.

- Recovery-capital checks for every episode, written in bulk with the outcome profiles: the
  start soon after referral, one at each care-plan review while in treatment (a few left
  overdue), the exit at discharge; most clients' domains rise, some stay low, so the chart
  moves and low domains suggest goals.
- Maps for a few clients of each team, through the actions as a keyworker draws them: started
  from a guide listed for the client's phase at an attended session, then changed at a later
  one, so each has earlier versions."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal

from keywork.access.models import Team, Worker
from keywork.audit import chain
from keywork.audit.models import AuditEvent
from keywork.catalogue.models import Entry
from keywork.clients.models import Episode
from keywork.core.dates import today as local_today
from keywork.demo.copying import insert, new
from keywork.demo.outcomes import taken_event
from keywork.maps import actions as maps
from keywork.recovery import rules
from keywork.recovery.models import Check, Instrument
from keywork.recovery.queries import instrument_in_use
from keywork.sessions.models import Attendance, Outcome

OVERDUE_SHARE = 0.15
MAPS_PER_TEAM = 4


def write_checks(rng: random.Random, episodes: Iterable[Episode]) -> None:
    """Every episode's checks over time, written in bulk with an audit row each, as the
    taking action would write them (one start, reviews, one exit)."""
    instrument = instrument_in_use()
    if instrument is None:
        return
    today = local_today()
    checks = [c for episode in episodes for c in _checks(rng, episode, today, instrument)]
    insert(Check, checks)
    chain.append([_taken(check) for check in checks])


def _days(rng: random.Random, episode: Episode, today: dt.date) -> list[tuple[dt.date, str]]:
    last_day = min(today, episode.discharged_on or today)
    start = episode.referral_date + dt.timedelta(days=rng.randint(0, 14))
    if start > last_day or (episode.is_open and rng.random() < 0.05):
        return []  # not yet taken: due on the caseload
    every = dt.timedelta(weeks=episode.service.care_plan_review_weeks)
    days = [start]
    while days[-1] + every < last_day:
        days.append(days[-1] + every)
    if episode.is_open and len(days) > 1 and rng.random() < OVERDUE_SHARE:
        days.pop()  # the latest not yet taken: overdue
    stages = ["start"] + ["review"] * (len(days) - 1)
    if episode.discharged_on and episode.discharged_on > days[-1]:
        days.append(episode.discharged_on)
        stages.append("exit")
    return list(zip(days, stages, strict=True))


def _checks(
    rng: random.Random, episode: Episode, today: dt.date, instrument: Instrument
) -> list[Check]:
    taken = _days(rng, episode, today)
    if not taken:
        return []
    top = instrument.top
    items = [i for d in instrument.domains for i in d["items"]]
    start = {i["code"]: rng.randint(0, 3) for i in items}  # how true, before any reversal
    rising = rng.random() < 0.7
    stuck = rng.choice([d["code"] for d in instrument.domains])  # one domain that stays low
    stuck_items = {i["code"] for d in instrument.domains if d["code"] == stuck for i in d["items"]}
    worker = episode.keyworker
    checks = []
    for step, (day, stage) in enumerate(taken):
        answers = {}
        for item in items:
            code = item["code"]
            gain = 0 if code in stuck_items or not rising else step + rng.randint(-1, 0)
            level = max(0, min(top, (1 if code in stuck_items else start[code]) + gain))
            answers[code] = top - level if item["reverse"] else level
        scores, total = rules.scores(answers, instrument.content)
        checks.append(
            new(
                Check,
                episode=episode,
                instrument=instrument,
                stage=stage,
                taken_on=day,
                taken_by=worker,
                answers=answers,
                scores={code: str(score) for code, score in scores.items()},
                total=Decimal(total),
                next_due_on=rules.next_due(
                    taken_on=day, stage=stage, weeks=episode.service.care_plan_review_weeks
                ),
                recorded_by=worker.user,
            )
        )
    return checks


def _taken(check: Check) -> AuditEvent:
    return taken_event(check, "take_check", "recovery.check")


# The client's words on the demo's maps: a box of each guide put in them, and one added.
WORDS = {
    "tool.decision-balance": ("Me, this winter", "Feeling part of things at the pub"),
    "tool.triggers-coping": ("Payday, and walking past the Crown", "Ring my sister instead"),
    "tool.goals-steps": ("Get my son back at weekends", "Go to the parenting group"),
    "tool.social-network": ("Me and Mum, on good terms again", "The lads from the gym"),
    "tool.strengths": ("I keep going when it's hard", "Good with my hands"),
    "tool.structuring-time": ("Sunday afternoons", "Football with the recovery group"),
    "tool.future-plans": ("A flat of my own by the summer", "Keep seeing my peer mentor"),
    "tool.relapse-warning-signs": ("Not sleeping, skipping meals", "Tell my keyworker early"),
    "tool.free-map": ("What matters to me now", "My daughter"),
}


def write_maps(rng: random.Random, team: Team, lead: Worker) -> None:
    """A few maps for the team's open episodes that have two attended sessions, each started
    from a guide listed for the client's phase and changed at the later session."""
    episodes = (
        Episode.objects.filter(team=team, discharged_on=None)
        .select_related("phase", "client")
        .order_by("pk")
    )
    tools = list(
        Entry.objects.filter(kind=Entry.Kind.MAPPING_TOOL, retired_at=None).prefetch_related(
            "phases"
        )
    )
    made = 0
    for episode in episodes:
        seen = list(
            Attendance.objects.filter(
                episode=episode, outcome=Outcome.ATTENDED, entered_in_error_at=None
            )
            .select_related("session")
            .order_by("session__starts_at")
        )
        if len(seen) < 2:
            continue
        listed = [t for t in tools if episode.phase_id in {p.pk for p in t.phases.all()}]
        tool = rng.choice(listed or tools)
        _draw(rng, lead, episode, tool, seen[-2], seen[-1])
        made += 1
        if made == MAPS_PER_TEAM:
            return


def _draw(
    rng: random.Random,
    lead: Worker,
    episode: Episode,
    tool: Entry,
    first: Attendance,
    later: Attendance,
) -> None:
    the_map = maps.start_map(
        actor=lead.user,
        episode=episode,
        given=maps.StartMapInput(tool=tool.code, attendance=first.pk),
    )
    guide = the_map.versions.get()
    said, added = WORDS.get(tool.code, WORDS["tool.free-map"])
    nodes = [maps.Node(**n) for n in guide.nodes]
    if nodes:
        nodes[0] = maps.Node(**{**guide.nodes[0], "text": said})
    nodes.append(maps.Node(id="added", text=added, kind="support", x=rng.randint(100, 700), y=460))
    links = [maps.Link(source=k["from"], target=k["to"], label=k["label"]) for k in guide.links]
    if len(nodes) > 1:
        links.append(maps.Link(source=nodes[0].id, target="added", label="helps with"))
    maps.save_map(
        actor=lead.user,
        the_map=the_map,
        given=maps.MapDrawing(
            based_on=1,
            nodes=tuple(nodes),
            links=tuple(links),
            attendance=later.pk,
            note="Put in the client's own words.",
            on_summary=rng.random() < 0.5,
        ),
    )

"""Benchmark: recording an attended keywork session through its action, against a bare insert
of the session and the attendance rows, on the same database, in the same run.

    DEBUG=1 DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/session.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/keywork_bench DEBUG=1 \
        .venv/bin/python bench/session.py

The action does what a keyworker's save does: the rules (minimum content, rule 4 for the
intervention ticked, rule 8), the next appointment booked, the content linked, the audit row.
The baseline inserts the two rows a session is at least (the session, the attendance). Each
run is undone (a rolled-back transaction), so the database is left as it was. Runs are
interleaved and each side's median is printed with their ratio and the action's query count.
The goal (issue: national scale) is a ratio of 4 or less on PostgreSQL."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keywork.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import pace  # noqa: E402
from keywork.clients.models import Episode  # noqa: E402
from keywork.sessions import actions  # noqa: E402
from keywork.sessions.actions import Appointment, SessionContent  # noqa: E402
from keywork.sessions.models import Attendance, KeyworkSession, Outcome  # noqa: E402

FOCUS = "focus.motivation-for-change"  # any keyworker's, listed for Engagement


def content() -> SessionContent:
    return SessionContent(
        care_plan_work="progress_checked",
        information_advice="Overdose risk; naloxone kit offered",
        harm_reduction="Safer injecting sites",
        motivational_work="What a good week looks like",
        topics=("topic.ambivalence",),
        interventions=(FOCUS,),
        techniques=(),
        notes="Synthetic: benchmark.",
    )


def by_action(episode: Episode, when: dt.datetime) -> None:
    actions.record_session(
        actor=episode.keyworker.user,
        episode=episode,
        given=actions.RecordSessionInput(
            starts_at=when,
            content=content(),
            next_appointment=Appointment(starts_at=when + dt.timedelta(days=7)),
        ),
    )


def bare(episode: Episode, when: dt.datetime) -> None:
    session = KeyworkSession.objects.create(
        team_id=episode.team_id,
        kind=KeyworkSession.Kind.ONE_TO_ONE,
        starts_at=when,
        day=timezone.localdate(when),
        duration_minutes=45,
    )
    Attendance.objects.create(session=session, episode=episode, outcome=Outcome.ATTENDED)


def undone(work: Callable[[], None]) -> float:
    """Milliseconds for `work` inside a transaction that is then rolled back."""
    with transaction.atomic():
        start = time.perf_counter()
        work()
        took = (time.perf_counter() - start) * 1000
        transaction.set_rollback(True)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    episode = (
        Episode.objects.filter(discharged_on=None, phase__code="engagement")
        .exclude(triage_date=None)
        .select_related("keyworker__user", "client")
        .order_by("pk")
        .first()
    )
    if episode is None or Attendance.objects.count() < 10_000:
        sys.exit("bench: build a service first: keywork demo --clients 30000")
    when = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    sides: dict[str, Callable[[], None]] = {
        "bare insert (session and attendance)": lambda: bare(episode, when),
        "record_session (the action)": lambda: by_action(episode, when),
    }
    with CaptureQueriesContext(connection) as captured:
        undone(sides["record_session (the action)"])
    queries = len(captured.captured_queries)
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.repeat):  # interleaved
        for name, work in sides.items():
            times[name].append(undone(work))
    baseline = statistics.median(times["bare insert (session and attendance)"])
    print(
        f"{Attendance.objects.count():,} attendances on {connection.vendor} "
        f"({Path(str(connection.settings_dict['NAME'])).name}); the action runs {queries} queries"
    )
    print(pace.line())
    print(f"{'':38} {'median ms':>10} {'x bare':>7}")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:38} {median:10.2f} {median / baseline:7.2f}")


if __name__ == "__main__":
    main()

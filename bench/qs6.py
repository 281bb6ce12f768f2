"""Benchmark: the whole QS6 report as keywork computes it (the numbers, every breakdown, the
months and the list behind them, kept) against one hand-written SQL query that computes the
numerator and denominator alone, on the same database, in the same run.

    make bench        # builds var/bench.sqlite3 (30,000 clients, 600,000 sessions) once
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/keywork_bench make bench

Runs are interleaved (measure, query, measure, query, ...) and each side's median of five
is printed, with their ratio. The goal is a ratio of 1.5 or less. It also prints, for
information, reading a report already computed (what a second look at it costs)."""

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

from django.db import connection  # noqa: E402

from bench import pace  # noqa: E402
from keywork.access.models import Service  # noqa: E402
from keywork.core.dates import today  # noqa: E402
from keywork.measures.framework import Period, Scope  # noqa: E402
from keywork.measures.models import Run  # noqa: E402
from keywork.measures.qs6 import QS6  # noqa: E402
from keywork.measures.runs import compute, not_counted, result  # noqa: E402
from keywork.sessions.models import Attendance  # noqa: E402

IS_DRUG = {
    "sqlite": "json_extract(sub.attributes, '$.is_drug') = 1",
    "postgresql": "(sub.attributes ->> 'is_drug') = 'true'",
}
IN_TREATMENT = {  # not support after a successful completion (rule 12)
    "sqlite": "COALESCE(json_extract(e.attributes, '$.after_completion'), 0) = 0",
    "postgresql": "COALESCE(e.attributes ->> 'after_completion', 'false') <> 'true'",
}

# The same definition as keywork/measures/qs6.py, written by hand as set operations.
QUERY = """
WITH episodes AS (
    SELECT id, client_id FROM clients_episode
    WHERE service_id = %(service)s AND triage_date <= %(end)s
      AND (discharged_on IS NULL OR discharged_on >= %(start)s)
),
denominator AS (
    SELECT DISTINCT ep.client_id FROM episodes ep
    JOIN clients_problemsubstance ps ON ps.episode_id = ep.id
    JOIN catalogue_entry sub ON sub.id = ps.substance_id
    WHERE {is_drug}
),
attended AS (
    SELECT a.id, a.episode_id, s.id AS session_id, s.day
    FROM keywork_sessions_attendance a
    JOIN keywork_sessions_keyworksession s ON s.id = a.session_id
    JOIN clients_episode ep ON ep.id = a.episode_id
    WHERE ep.service_id = %(service)s AND a.outcome = 'attended'
      AND a.entered_in_error_at IS NULL AND s.day BETWEEN %(start)s AND %(end)s
),
delivered AS (
    SELECT at.episode_id, at.session_id, at.day, ai.entry_id
    FROM attended at
    JOIN keywork_sessions_attendance_interventions ai ON ai.attendance_id = at.id
    UNION ALL
    SELECT at.episode_id, at.session_id, at.day, i.entry_id
    FROM attended at
    JOIN interventions_intervention_sessions iis ON iis.attendance_id = at.id
    JOIN interventions_intervention i ON i.id = iis.intervention_id
    WHERE i.entered_in_error_at IS NULL
),
on_the_day AS (
    SELECT d.*, al.worker_id, e.parent_id, p.parent_id AS grandparent_id, e.reports_as_id,
        COALESCE(t.competence, 'any_keyworker') AS competence,
        (SELECT pc.to_phase_id FROM clients_phasechange pc
         WHERE pc.episode_id = d.episode_id AND pc.changed_on <= d.day
         ORDER BY pc.changed_on DESC, pc.id DESC LIMIT 1) AS phase_id,
        (SELECT cp.id FROM careplans_careplan cp
         WHERE cp.episode_id = d.episode_id AND cp.agreed_on <= d.day
         ORDER BY cp.version DESC LIMIT 1) AS plan_id
    FROM delivered d
    JOIN catalogue_entry e ON e.id = d.entry_id AND e.psychosocial = TRUE AND {in_treatment}
    LEFT JOIN catalogue_entry p ON p.id = e.parent_id
    LEFT JOIN catalogue_tier t ON t.id = e.tier_id
    JOIN clients_allocation al ON al.episode_id = d.episode_id AND al.started_on <= d.day
        AND (al.ended_on IS NULL OR al.ended_on > d.day)
    JOIN keywork_sessions_keyworksession_facilitators f
        ON f.keyworksession_id = d.session_id AND f.worker_id = al.worker_id
),
numerator AS (
    SELECT DISTINCT ep.client_id FROM on_the_day o
    JOIN clients_episode ep ON ep.id = o.episode_id
    WHERE (
        EXISTS (SELECT 1 FROM catalogue_entry_phases ph
                JOIN catalogue_phase ps ON ps.id = ph.phase_id
                WHERE ph.entry_id = o.entry_id
                  AND (ph.phase_id = o.phase_id OR ps.in_sequence = FALSE))
        OR EXISTS (SELECT 1 FROM careplans_goal g
                   JOIN careplans_goal_interventions gi ON gi.goal_id = g.id
                   JOIN catalogue_entry named ON named.id = gi.entry_id
                   WHERE g.care_plan_id = o.plan_id
                     AND (gi.entry_id IN (o.entry_id, o.parent_id, o.reports_as_id)
                          OR named.reports_as_id = o.reports_as_id))
    ) AND (
        o.competence = 'any_keyworker'
        OR (o.competence = 'trained_and_supervised'
            AND EXISTS (SELECT 1 FROM access_competency c
                        WHERE c.worker_id = o.worker_id
                          AND c.intervention_id IN (o.entry_id, o.parent_id, o.grandparent_id)
                          AND c.trained_on <= o.day
                          AND (c.withdrawn_on IS NULL OR c.withdrawn_on > o.day))
            AND EXISTS (SELECT 1 FROM access_supervision sv
                        WHERE sv.worker_id = o.worker_id AND sv.held_on <= o.day
                          AND sv.lapses_on > o.day))
        OR (o.competence IN ('registered', 'registered_and_supervised')
            AND EXISTS (SELECT 1 FROM access_registration r
                        JOIN access_registration_interventions ri ON ri.registration_id = r.id
                        WHERE r.worker_id = o.worker_id
                          AND ri.entry_id IN (o.entry_id, o.parent_id, o.grandparent_id)
                          AND r.valid_from <= o.day AND r.expires_on >= o.day)
            AND (o.competence = 'registered'
                 OR EXISTS (SELECT 1 FROM access_supervision sv
                            WHERE sv.worker_id = o.worker_id AND sv.held_on <= o.day
                              AND sv.lapses_on > o.day)))
    )
)
SELECT
    (SELECT COUNT(*) FROM numerator n JOIN denominator d ON d.client_id = n.client_id),
    (SELECT COUNT(*) FROM denominator)
"""


def by_hand(service: Service, period: Period) -> tuple[int, int]:
    sql = QUERY.format(
        is_drug=IS_DRUG[connection.vendor], in_treatment=IN_TREATMENT[connection.vendor]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"service": service.pk, "start": period.start, "end": period.end})
        numerator, denominator = cursor.fetchone()
    return numerator, denominator


def whole_report(service: Service, period: Period) -> tuple[int, int]:
    found = compute(QS6(), period, Scope(service=service))
    not_counted(found, 0, 50)  # the first page of the list
    return found.numerator, found.denominator


def kept_report(service: Service, period: Period) -> tuple[int, int]:
    run = Run.objects.filter(measure="qs6", state=Run.State.DONE).latest("computed_at")
    found = result(run)
    not_counted(found, 0, 50)
    return found.numerator, found.denominator


def timed(work: Callable[[], tuple[int, int]]) -> tuple[float, tuple[int, int]]:
    start = time.perf_counter()
    answer = work()
    return (time.perf_counter() - start) * 1000, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--days", type=int, default=91, help="the period: the last N days")
    args = parser.parse_args()
    service = Service.objects.order_by("pk").first()
    sessions = Attendance.objects.count()
    if service is None or sessions < 10_000:
        sys.exit(f"bench: only {sessions} sessions here; build a service: keywork demo")
    period = Period(today() - dt.timedelta(days=args.days - 1), today())
    sides: dict[str, Callable[[], tuple[int, int]]] = {
        "QS6 whole report, computed and kept": lambda: whole_report(service, period),
        "hand-written SQL, the two numbers": lambda: by_hand(service, period),
        "the kept report read again": lambda: kept_report(service, period),
    }
    times: dict[str, list[float]] = {name: [] for name in sides}
    answers = set()
    for _ in range(args.repeat):  # interleaved
        for name, work in sides.items():
            took, answer = timed(work)
            times[name].append(took)
            answers.add(answer)
    if len(answers) != 1:
        sys.exit(f"bench: the measure and the query disagree: {sorted(answers)}")
    numerator, denominator = answers.pop()
    print(
        f"{sessions:,} session attendances on {connection.vendor} "
        f"({Path(str(connection.settings_dict['NAME'])).name}); period {period}: "
        f"{numerator:,} of {denominator:,}"
    )
    baseline = statistics.median(times["hand-written SQL, the two numbers"])
    print(pace.line())
    print(f"{'':38} {'median ms':>10} {'x SQL':>7}")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:38} {median:10.1f} {median / baseline:7.2f}")


if __name__ == "__main__":
    main()

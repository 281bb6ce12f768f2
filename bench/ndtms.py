"""Benchmark: the national return for a month, in rows per second, against a raw database
cursor that selects the same columns with hand-written SQL and writes them to CSV as they
come, in the same run.

    make bench        # on var/bench.sqlite3 (30,000 clients), built once
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/keywork_bench make bench

Runs are interleaved and each side's median of five is printed, with the ratio of their
rows per second. The goal is 0.4 or more. The return's audit rows (one per client sent) are
timed separately, for information."""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keywork.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from bench import pace  # noqa: E402
from keywork.access.models import Service  # noqa: E402
from keywork.core.dates import add_months, today  # noqa: E402
from keywork.exports.ndtms import extract as ndtms  # noqa: E402
from keywork.exports.ndtms.dataset import Month  # noqa: E402


def _ordinal(table: str, within: str, by: str, alias: str) -> str:
    return (
        f"(SELECT COUNT(*) FROM {table} o WHERE o.{within} = {alias}.{within} AND "
        f"(o.{by} < {alias}.{by} OR (o.{by} = {alias}.{by} AND o.id <= {alias}.id)))"
    )


EPISODES = """
    SELECT e.id FROM clients_episode e
    WHERE e.service_id = %(service)s AND e.referral_date <= %(last)s
      AND (e.discharged_on IS NULL OR e.discharged_on >= %(first)s)
"""
CONSENTED = (
    EPISODES
    + " AND e.client_id IN (SELECT id FROM clients_client WHERE "
    + ("consents_to_national_reporting = TRUE)")
)


def _substance(rank: int, column: str) -> str:
    return (
        f"(SELECT {column} FROM clients_problemsubstance ps "
        "JOIN catalogue_entry s ON s.id = ps.substance_id "
        f"WHERE ps.episode_id = e.id AND ps.rank = {rank})"
    )


EPISODE_KEY = _ordinal("clients_episode", "client_id", "referral_date", "e")
QUERIES = {
    "CLT": f"""
        SELECT c.local_id, c.consents_to_national_reporting, c.given_name, c.family_name,
               c.date_of_birth, c.sex, c.postcode_district
        FROM clients_client c
        WHERE c.id IN (SELECT e.client_id FROM clients_episode e WHERE e.id IN ({EPISODES}))
        ORDER BY c.local_id""",
    "EPI": f"""
        SELECT c.local_id, {EPISODE_KEY}, e.referral_date, e.referral_source, e.triage_date,
               e.care_plan_start_date, e.injecting_status,
               {_substance(1, "s.code")}, {_substance(1, "ps.route")},
               {_substance(1, "ps.age_first_used")}, {_substance(2, "s.code")},
               {_substance(2, "ps.route")}, {_substance(3, "s.code")},
               {_substance(3, "ps.route")}, e.discharged_on, e.exit_reason
        FROM clients_episode e JOIN clients_client c ON c.id = e.client_id
        WHERE e.id IN ({CONSENTED})
        ORDER BY c.local_id, e.referral_date, e.id""",
    "INT": f"""
        SELECT c.local_id, {EPISODE_KEY},
               {_ordinal("interventions_intervention", "episode_id", "started_on", "i")},
               en.code, en.grp, nat.code, nat.grp, i.setting, i.started_on, i.ended_on,
               i.exit, i.planned_sessions,
               (SELECT COUNT(*) FROM interventions_intervention_sessions s
                WHERE s.intervention_id = i.id)
        FROM interventions_intervention i
        JOIN clients_episode e ON e.id = i.episode_id
        JOIN clients_client c ON c.id = e.client_id
        JOIN (SELECT id, code, "group" AS grp, reports_as_id FROM catalogue_entry) en
            ON en.id = i.entry_id
        LEFT JOIN (SELECT id, code, "group" AS grp FROM catalogue_entry) nat
            ON nat.id = en.reports_as_id
        WHERE i.episode_id IN ({CONSENTED}) AND i.entered_in_error_at IS NULL
          AND i.started_on <= %(last)s AND (i.ended_on IS NULL OR i.ended_on >= %(first)s)
        ORDER BY c.local_id, e.referral_date, i.started_on, i.id""",
    "PRESCRIPTION": f"""
        SELECT c.local_id, {EPISODE_KEY},
               {_ordinal("prescribing_prescription", "episode_id", "started_on", "p")},
               p."where", p.started_on, p.ended_on
        FROM prescribing_prescription p
        JOIN clients_episode e ON e.id = p.episode_id
        JOIN clients_client c ON c.id = e.client_id
        WHERE p.episode_id IN ({CONSENTED}) AND p.entered_in_error_at IS NULL
          AND p.started_on <= %(last)s AND (p.ended_on IS NULL OR p.ended_on > %(first)s)
        ORDER BY c.local_id, e.referral_date, p.started_on, p.id""",
    "DOSE": f"""
        SELECT d.prescription_id,
               {_ordinal("prescribing_dosechange", "prescription_id", "from_date", "d")},
               d.from_date, d.reported_dose, d.supervision, p.regime, m.attributes
        FROM prescribing_dosechange d
        JOIN prescribing_prescription p ON p.id = d.prescription_id
        JOIN catalogue_entry m ON m.id = p.medication_id
        WHERE p.episode_id IN ({CONSENTED}) AND p.entered_in_error_at IS NULL
          AND p.started_on <= %(last)s AND (p.ended_on IS NULL OR p.ended_on > %(first)s)
          AND d.from_date <= %(last)s
          AND (d.from_date > %(first)s OR d.id = (
              SELECT d2.id FROM prescribing_dosechange d2
              WHERE d2.prescription_id = d.prescription_id AND d2.from_date <= %(first)s
              ORDER BY d2.from_date DESC LIMIT 1))
        ORDER BY d.prescription_id, d.from_date""",
    "TOP": f"""
        SELECT c.local_id, {EPISODE_KEY},
               {_ordinal("outcomes_outcomeprofile", "episode_id", "taken_on", "t")},
               t.taken_on, t.stage, t.use, t.injecting_days, t.shared_equipment,
               t.shoplifting_days, t.selling_drugs_days, t.other_theft,
               t.assault_or_violence, t.psychological_health, t.physical_health,
               t.quality_of_life, t.paid_work_days, t.education_days,
               t.acute_housing_problem, t.at_risk_of_eviction
        FROM outcomes_outcomeprofile t
        JOIN clients_episode e ON e.id = t.episode_id
        JOIN clients_client c ON c.id = e.client_id
        WHERE t.episode_id IN ({CONSENTED}) AND t.entered_in_error_at IS NULL
          AND t.taken_on BETWEEN %(first)s AND %(last)s
        ORDER BY c.local_id, e.referral_date, t.taken_on, t.id""",
}


def by_cursor(service: Service, month: Month) -> int:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    params = {"service": service.pk, "first": month.first, "last": month.last}
    rows = 0
    with connection.cursor() as cursor:
        for sql in QUERIES.values():
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                writer.writerow(row)
                rows += 1
    return rows


def by_return(service: Service, month: Month) -> int:
    found = ndtms.extract(None, service, month)
    writer = csv.writer(io.StringIO(), lineterminator="\n")
    writer.writerow(found.dataset.header)
    written = 0
    for record, row in found.rows():
        writer.writerow(found.dataset.written(record, row))
        written += 1
    return written


def with_audit(service: Service, month: Month, out: TextIO | None = None) -> int:
    with transaction.atomic():
        found = ndtms.extract(None, service, month)
        rows = ndtms.write(None, found, out or io.StringIO())
        transaction.set_rollback(True)  # the audit rows, timed and then let go
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    service = Service.objects.order_by("pk").first()
    if service is None:
        sys.exit("bench: no service here; build one: keywork demo")
    month = Month(add_months(today().replace(day=1), -1))
    sides: dict[str, Callable[[], int]] = {
        "raw cursor, same columns": lambda: by_cursor(service, month),
        "the national return (extract + CSV)": lambda: by_return(service, month),
        "the return with its audit rows": lambda: with_audit(service, month),
    }
    runs: dict[str, list[float]] = {name: [] for name in sides}
    counts: dict[str, int] = {}
    for _ in range(args.repeat):  # interleaved
        for name, work in sides.items():
            start = time.perf_counter()
            counts[name] = work()
            runs[name].append(time.perf_counter() - start)
    print(f"national return for {month} on {connection.vendor}")
    print(pace.line())
    print(f"{'':38} {'rows':>8} {'median s':>9} {'rows/s':>9} {'x raw':>6}")
    raw = counts["raw cursor, same columns"] / statistics.median(runs["raw cursor, same columns"])
    for name, times in runs.items():
        rate = counts[name] / statistics.median(times)
        print(
            f"{name:38} {counts[name]:8} {statistics.median(times):9.2f} {rate:9.0f} "
            f"{rate / raw:6.2f}"
        )
    print(f"peak memory while writing the return with its audit: {peak_mb(service, month):.1f} MB")


def peak_mb(service: Service, month: Month) -> float:
    """Python's peak allocation writing the return and its audit (tracemalloc) to a file
    (the null device: what the file holds is not the process's memory): flat as the rows
    grow when the rows are written as they are read."""
    tracemalloc.start()
    with Path(os.devnull).open("w") as out:
        with_audit(service, month, out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


if __name__ == "__main__":
    main()

"""Benchmark: load. Eight keyworkers and a service manager at once, each signed in as
themselves, against the production server (gunicorn with deploy/gunicorn.conf.py and the
documented settings, DEBUG off) and its task worker, on the PostgreSQL database in
DATABASE_URL with a demo service loaded; over loopback only, for a bounded time (locust,
headless; the nine arrive a second apart). Prints the 50th, 95th and 99th percentile of each
page and every error.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/keywork_bench .venv/bin/python bench/load.py

Four of the eight keyworkers are the demo's named ones; the other four are demo colleagues
(who cannot sign in until given a password: the benchmark gives them one, through the
action an administrator uses, audited)."""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keywork.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

import django

django.setup()

from django.db import connection  # noqa: E402

from bench import pace  # noqa: E402
from keywork.access import actions as access  # noqa: E402
from keywork.access.models import Role, Worker  # noqa: E402
from keywork.clients.models import Client  # noqa: E402
from keywork.demo import builder, second_factor  # noqa: E402
from keywork.testing import production  # noqa: E402

HERE = Path(__file__).resolve().parent
NAMED = ("kw.amira", "kw.ben", "kw.dev", "nurse.erin")
COLLEAGUE_PASSWORD = "synthetic-bench-colleague-2026"
MANAGER = "sm.farid"


def keyworkers() -> list[dict[str, str]]:
    """The named keyworkers, and four colleagues with the biggest caseloads, signed in."""
    people = [{"username": name, "password": builder.DEMO_PASSWORD} for name in NAMED]
    colleagues = (
        Worker.objects.filter(role=Role.KEYWORKER, user__username__startswith="demo.kw")
        .select_related("user")
        .order_by("user__username")[:4]
    )
    for worker in colleagues:
        if not worker.user.check_password(COLLEAGUE_PASSWORD):
            access.set_password(
                actor=None,
                worker=worker,
                given=access.SetPasswordInput(password=COLLEAGUE_PASSWORD),
            )
        people.append({"username": worker.user.username, "password": COLLEAGUE_PASSWORD})
    return people


def run_locust(port: int, seconds: int, people: dict[str, list[dict[str, str]]], out: Path) -> None:
    env = {**os.environ, "KEYWORK_LOAD_PEOPLE": json.dumps(people)}
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        "9",
        # People arrive a second apart, not all in the same second: each sign-in is a
        # password's hash, slow by design, and nine at once on two cores kept the server's
        # workers busy while everyone's first pages waited (the caseload's p95 200 to 330 ms
        # and p99 590 to 740 at 330,000 clients; a second apart 73 to 75 and 87 to 120).
        "--spawn-rate",
        "1",
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(out / "load"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    subprocess.run(command, env=env, check=False, timeout=seconds + 120, capture_output=True)


def report(out: Path, clients: int) -> int:
    """Print each page's percentiles and the errors; the number of errors."""
    print(f"{clients:,} clients on {connection.vendor} ({connection.settings_dict['NAME']})")
    print(pace.line())
    print(f"{'page':28} {'requests':>9} {'errors':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    with (out / "load_stats.csv").open() as stats:
        for row in csv.DictReader(stats):
            name = f"{row['Type']} {row['Name']}" if row["Type"] == "POST" else row["Name"]
            print(
                f"{name:28} {row['Request Count']:>9} {row['Failure Count']:>7} "
                f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
            )
    errors = 0
    with (out / "load_failures.csv").open() as failures:
        for row in csv.DictReader(failures):
            errors += int(row["Occurrences"])
            print(f"  error: {row['Method']} {row['Name']}: {row['Error']} ({row['Occurrences']})")
    print(f"errors: {errors}")
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long (10 to 600)")
    args = parser.parse_args()
    if not 10 <= args.seconds <= 600:
        sys.exit("bench: --seconds: from 10 to 600")
    if connection.vendor != "postgresql":
        sys.exit("bench: the load benchmark runs on PostgreSQL: set DATABASE_URL")
    service = builder.demo_service()
    if service is None:
        sys.exit("bench: no demo service here; build one: keywork demo --clients 30000")
    clients = Client.objects.filter(registered_service=service).count()
    people = {"keyworkers": keyworkers(), "managers": [{"username": MANAGER}]}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        url = os.environ["DATABASE_URL"]
        env = production.production_env(url, out / "static", LOG_LEVEL="ERROR")
        log = out / "server.log"
        with production.gunicorn(env, log) as port, production.task_worker(env, log):
            people["managers"][0] |= {
                "password": builder.DEMO_PASSWORD,
                "code": second_factor.code(MANAGER),  # good for this half-minute and the next
            }
            run_locust(port, args.seconds, people, out)
        errors = report(out, clients)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

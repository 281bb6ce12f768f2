"""Demos built by the tests themselves: the same seed gives the same clients, a longer
history more sessions, a stopped build carried on the same demo, and no demo without the
catalogue."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from keywork.access.models import Team, Worker
from keywork.audit import chain
from keywork.catalogue.models import Phase
from keywork.clients.models import Client, PhaseChange
from keywork.core.dates import today
from keywork.demo import builder, chunks
from keywork.demo.models import Build, Chunk
from keywork.sessions.models import Attendance, KeyworkSession

pytestmark = pytest.mark.django_db


def built(seed: int) -> list[tuple]:
    """Build a demo, note who is in it and where, then roll it all back."""

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            builder.build(clients=25, seed=seed)
            people = list(
                Client.objects.order_by("local_id").values_list(
                    "local_id",
                    "given_name",
                    "family_name",
                    "date_of_birth",
                    "episodes__phase__code",
                )
            )
            raise Undo
    except Undo:
        return people


def test_the_same_seed_gives_the_same_clients_and_another_seed_others(catalogue):
    first, again, other = built(3), built(3), built(4)
    assert len(first) == 25 and first == again
    assert first != other
    assert not PhaseChange.objects.exists()


def test_the_demo_needs_the_catalogue(db):
    with pytest.raises(CommandError, match="load the catalogue first"):
        call_command("demo", "--clients", "5", verbosity=0)


def test_a_longer_history_gives_more_sessions_and_a_bad_one_is_refused(catalogue):
    with pytest.raises(CommandError, match="--history-days: from 7 to 3650 days"):
        call_command("demo", "--clients", "1", "--history-days", "3", verbosity=0)
    with transaction.atomic():
        builder.build(clients=40, seed=3)
        short = Attendance.objects.count()
        transaction.set_rollback(True)
    builder.build(clients=40, seed=3, history_days=200)
    assert Attendance.objects.count() > 1.5 * short
    first = KeyworkSession.objects.filter(kind="one_to_one").order_by("day").first()
    assert first is not None and first.day >= today() - dt.timedelta(days=207)


class Stopped(Exception):
    pass


def stop_after_first_chunk(what: str, done: int, total: int) -> None:
    if what == "clients" and done > 0:
        raise Stopped


def people() -> list[tuple]:
    return list(
        Client.objects.order_by("local_id").values_list(
            "local_id", "given_name", "date_of_birth", "episodes__phase__code"
        )
    )


def test_a_stopped_build_keeps_its_chunks_and_carries_on_to_the_same_demo(catalogue, monkeypatch):
    monkeypatch.setattr(builder, "BATCH", 10)
    with transaction.atomic():
        builder.build(clients=35, seed=3)
        whole = people()
        transaction.set_rollback(True)
    with pytest.raises(Stopped):
        builder.build(clients=35, seed=3, progress=stop_after_first_chunk)
    assert Client.objects.count() == 10 and not builder.loaded()
    with pytest.raises(CommandError, match=r"stopped part-way: run it again with the same"):
        call_command("demo", "--clients", "40", "--seed", "3", verbosity=0)
    call_command("demo", "--clients", "35", "--seed", "3", "--if-empty", verbosity=0)
    assert builder.loaded() and people() == whole
    assert chain.verify().whole


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="one writer at a time on SQLite")
def test_on_postgresql_chunks_are_written_side_by_side_and_the_trail_stays_whole(
    catalogue, monkeypatch
):
    monkeypatch.setattr(builder, "BATCH", 10)
    assert chunks.processes() >= 2
    builder.build(clients=45, seed=3)
    made = Build.objects.get()
    assert made.step == Build.Step.DONE
    assert Chunk.objects.filter(build=made, step="clients").count() == 5  # 43, 2 waiting
    assert Client.objects.count() == 45 and chain.verify().whole


def test_synthetic_nhs_numbers_are_valid_and_never_repeat_up_to_the_most_clients(catalogue):
    from keywork.clients.rules import nhs_check_digit

    most = builder.MOST_CLIENTS
    numbers = [
        *range(0, 2000),
        *range(90_000, 92_000),  # where an earlier numbering ran out
        *range(most - 2000, most),
    ]
    made = {builder.synthetic_nhs_number(n) for n in numbers}
    assert len(made) == len(numbers)
    assert all(m.startswith("999") and nhs_check_digit(m[:9]) == int(m[9]) for m in made)
    with pytest.raises(CommandError, match="--clients: from 0 to 900,000"):
        call_command("demo", "--clients", str(most + 1), verbosity=0)


def test_teams_stay_a_teams_size_as_the_demo_grows():
    from keywork.demo.builder import CLIENTS_PER_TEAM, TEAM_NAMES, team_names

    assert team_names(400) == list(TEAM_NAMES[:2])
    assert team_names(30_000) == list(TEAM_NAMES)  # as before: 12 teams of 2,500
    nation = team_names(330_000)
    assert len(nation) == 132 == len(set(nation)) and 330_000 / len(nation) == CLIENTS_PER_TEAM
    assert nation[12] == "North Hub 2" and nation[-1] == "Recovery Hub 11"


@pytest.mark.parametrize(
    "model, values",
    [
        ("keywork_sessions.Attendance", {"outcome": "attended", "notes": "Synthetic."}),
        ("keywork_sessions.KeyworkSession", {"kind": "one_to_one", "duration_minutes": 45}),
        ("careplans.Review", {"summary": "Synthetic.", "reviewed_on": dt.date(2026, 1, 5)}),
        ("audit.AuditEvent", {"verb": "create", "detail": {"synthetic": True}}),
    ],
)
def test_the_demos_quick_instances_are_what_the_models_make(model, values):
    """The demo makes its millions of rows with `copying.new`, not the model's own
    constructor: each field holds what the constructor would give it, a link as its key and
    its object, a default as given (a callable one called)."""
    from django.apps import apps

    from keywork.demo.copying import new

    cls = apps.get_model(model)
    link = next(f for f in cls._meta.concrete_fields if f.is_relation)
    target = link.related_model()
    target.pk = 41
    made, quick = cls(**values, **{link.name: target}), new(cls, **values, **{link.name: target})
    called = {f.attname for f in cls._meta.concrete_fields if callable(f.default)}
    assert {k: v for k, v in vars(quick).items() if k not in {"_state", *called}} == {
        k: v for k, v in vars(made).items() if k not in {"_state", *called}
    }
    assert called <= vars(quick).keys()
    assert getattr(quick, link.name) is target and getattr(quick, link.attname) == 41
    assert quick._state.adding and quick._state.db is None


def test_covered_and_practical_clients_fall_to_every_keyworker_alike():
    """A few clients in every caseload have their keyworker away with one colleague covering,
    or sessions on practical matters only; never most of one keyworker's caseload (by the
    client's place alone, half of one keyworker's in a team of eight were covered)."""
    teams = [Team(pk=1, service_id=1), Team(pk=2, service_id=1)]
    by_team = {team.pk: [Worker(pk=team.pk * 100 + k) for k in range(8)] for team in teams}
    line = [Phase(code=code) for code in builder.PHASE_CODES]
    rng, day = random.Random(1), dt.date(2026, 12, 1)
    plans = [builder._plan(rng, n, teams, by_team, line, day) for n in range(2 * 8 * 48)]
    caseloads = Counter(plan.keyworkers[0][0] for plan in plans)
    for kind, share in (("covered", 16), ("practical", 12)):
        counts = Counter(plan.keyworkers[0][0] for plan in plans if getattr(plan, kind))
        assert set(counts) == set(caseloads), kind  # in every caseload
        assert all(counts[k] == caseloads[k] // share for k in caseloads), (kind, counts)

"""Demos built by the tests themselves: the same seed gives the same clients, a longer
history more sessions, and no demo without the catalogue."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from keywork.clients.models import Client, PhaseChange
from keywork.core.dates import today
from keywork.demo import builder
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

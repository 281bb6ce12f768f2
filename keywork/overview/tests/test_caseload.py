"""The caseload's order: by name, case aside, as finding a client sorts."""

import datetime as dt

import pytest

from keywork.clients import actions as clients
from keywork.clients.actions import SubstanceUse
from keywork.core.dates import today
from keywork.overview.queries import caseload

pytestmark = pytest.mark.django_db


def in_the_team(personas, local_id: str, family_name: str) -> None:
    keyworker = personas.mi_keyworker
    client = clients.register_client(
        actor=keyworker.user,
        given=clients.RegisterClientInput(
            local_id=local_id,
            given_name="Alex",
            family_name=family_name,
            date_of_birth=dt.date(1990, 1, 1),
            sex="not_stated",
            is_synthetic=True,
        ),
    )
    clients.open_episode(
        actor=keyworker.user,
        client=client,
        given=clients.OpenEpisodeInput(
            team=personas.team,
            referral_date=today() - dt.timedelta(days=10),
            triage_date=today() - dt.timedelta(days=9),
            keyworker=keyworker,
            substances=[SubstanceUse(code="sub.crack", route="smoke")],
            injecting_status="never",
        ),
    )


def test_the_caseload_is_by_name_whatever_its_case(personas):
    in_the_team(personas, "T0101", "de Vries")
    in_the_team(personas, "T0102", "Evans")
    in_the_team(personas, "T0103", "Davies")
    asked = [
        (personas.team_leader, "team"),
        (personas.mi_keyworker, "team"),
        (personas.mi_keyworker, "mine"),
    ]
    for worker, scope in asked:
        listed = caseload(worker.user, scope=scope, sort="name")
        names = [e.client.family_name for e in listed]
        assert names == ["Davies", "de Vries", "Evans", "Synthetic"], (worker, scope)

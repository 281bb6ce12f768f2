"""The prescriber these tests share: a keyworker whose NMC registration covers prescribing."""

import datetime as dt

import pytest

from keywork.access import actions as access
from keywork.access.models import Role
from keywork.catalogue.models import Entry
from keywork.core.dates import today
from keywork.testing.personas import worker

DAY = dt.timedelta(days=1)


@pytest.fixture
def prescriber(personas):
    nurse = worker("nia.prescriber", Role.KEYWORKER, team=personas.team, service=personas.service)
    access.record_registration(
        actor=None,
        worker=nurse,
        given=access.RecordRegistrationInput(
            body="NMC",
            number="NMC-000777",
            valid_from=today() - 400 * DAY,
            expires_on=today() + 300 * DAY,
            interventions=list(Entry.objects.filter(kind=Entry.Kind.MEDICATION)),
        ),
    )
    return nurse

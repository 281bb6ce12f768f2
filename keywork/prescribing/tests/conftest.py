"""The prescriber these tests share: a keyworker whose NMC registration covers prescribing,
in clinical supervision."""

import pytest

from keywork.testing.personas import prescriber as registered_prescriber


@pytest.fixture
def prescriber(personas):
    return registered_prescriber("nia.prescriber", personas, "NMC-000777")

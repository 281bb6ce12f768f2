"""The caseload's order: by name, case aside, as finding a client sorts."""

import pytest

from keywork.overview.queries import caseload
from keywork.testing.personas import another_client

pytestmark = pytest.mark.django_db


def test_the_caseload_is_by_name_whatever_its_case(personas):
    for local_id, family_name in (("T0101", "de Vries"), ("T0102", "Evans"), ("T0103", "Davies")):
        another_client(personas, local_id, 10, "sub.crack", family_name=family_name)
    asked = [
        (personas.team_leader, "team"),
        (personas.mi_keyworker, "team"),
        (personas.mi_keyworker, "mine"),
    ]
    for worker, scope in asked:
        listed = caseload(worker.user, scope=scope, sort="name")
        names = [e.client.family_name for e in listed]
        assert names == ["Davies", "de Vries", "Evans", "Synthetic"], (worker, scope)

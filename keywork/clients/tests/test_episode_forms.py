"""Moving a phase, changing the keyworker and discharging on the web: the same actions,
refusing in the same words, saving nothing when refused."""

import datetime as dt

import pytest
from django.utils import timezone

from keywork.clients import actions
from keywork.clients.models import Allocation, PhaseChange
from keywork.core.errors import RuleViolation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_a_team_leader_reallocates_on_the_web_and_the_caseload_changes(client, personas):
    client.force_login(personas.team_leader.user)
    response = client.post(
        "/clients/T0001/keyworker/",
        {"worker": personas.keyworker.pk, "on": TODAY().isoformat(), "reason": "Mia on leave"},
    )
    assert response.status_code == 302
    personas.episode.refresh_from_db()
    assert personas.episode.keyworker == personas.keyworker
    client.force_login(personas.keyworker.user)
    assert "Sam Synthetic" in client.get("/").content.decode()
    client.force_login(personas.mi_keyworker.user)
    assert "Sam Synthetic" not in client.get("/").content.decode()


def test_a_keyworker_cannot_reallocate_on_the_web(client, personas):
    client.force_login(personas.mi_keyworker.user)
    assert client.get("/clients/T0001/keyworker/").status_code == 404
    assert "Change keyworker" not in client.get("/clients/T0001/").content.decode()


def test_rule_2_is_refused_on_the_form_in_the_same_words_as_the_action(client, personas):
    with pytest.raises(RuleViolation) as direct:
        actions.move_phase(
            actor=personas.mi_keyworker.user,
            episode=personas.episode,
            given=actions.MovePhaseInput(to="change", on=TODAY(), reason="Fast"),
        )
    client.force_login(personas.mi_keyworker.user)
    page = client.post(
        "/clients/T0001/phase/", {"to": "change", "on": TODAY().isoformat(), "reason": "Fast"}
    ).content.decode()
    assert direct.value.shown in page
    assert PhaseChange.objects.filter(episode=personas.episode).count() == 1


def test_rule_1_is_refused_on_the_form_in_the_same_words_as_the_action(client, personas):
    later = TODAY() + dt.timedelta(days=3)
    with pytest.raises(RuleViolation) as direct:
        actions.allocate_keyworker(
            actor=personas.team_leader.user,
            episode=personas.episode,
            given=actions.AllocateKeyworkerInput(
                worker=personas.keyworker, on=later, reason="Cover"
            ),
        )
    client.force_login(personas.team_leader.user)
    page = client.post(
        "/clients/T0001/keyworker/",
        {"worker": personas.keyworker.pk, "on": later.isoformat(), "reason": "Cover"},
    ).content.decode()
    assert direct.value.shown in page
    assert Allocation.objects.filter(episode=personas.episode).count() == 1


def test_a_phase_move_and_a_discharge_on_the_web(client, personas):
    client.force_login(personas.mi_keyworker.user)
    client.post(
        "/clients/T0001/phase/",
        {"to": "preparation", "on": TODAY().isoformat(), "reason": "Goals agreed"},
    )
    personas.episode.refresh_from_db()
    assert personas.episode.phase.code == "preparation"
    response = client.post(
        "/clients/T0001/discharge/",
        {"on": TODAY().isoformat(), "exit_reason": "transferred", "note": "Moved to Leeds"},
    )
    assert response.status_code == 302
    personas.episode.refresh_from_db()
    assert personas.episode.exit_reason == "transferred"
    assert client.get("/clients/T0001/phase/").status_code == 404


def test_triage_starts_treatment_once_on_the_web_and_by_import_in_the_same_words(
    client, personas, tmp_path
):
    """An episode opened while the client waits for triage is not yet in treatment (the QS6
    denominator counts from triage); its triage is recorded later, once."""
    from keywork.audit.models import AuditEvent
    from keywork.core.tests.test_import import lines, run
    from keywork.testing.personas import another_client

    waiting = another_client(personas, "T0020", 10, triaged=False)
    client.force_login(personas.mi_keyworker.user)
    page = client.get("/clients/T0020/").content.decode()
    assert "Waiting for triage" in page and "/clients/T0020/triage/" in page
    future = TODAY() + dt.timedelta(days=1)
    with pytest.raises(RuleViolation) as direct:
        actions.record_triage(
            actor=personas.mi_keyworker.user, episode=waiting, given=actions.TriageInput(on=future)
        )
    refused = client.post("/clients/T0020/triage/", {"on": future.isoformat()}).content.decode()
    assert direct.value.shown in refused
    _, err, failed = run(
        tmp_path, lines({"action": "record_triage", "client": "T0020", "on": future.isoformat()})
    )
    assert err.strip() == f"line 1: INVALID: {direct.value.message}" and failed
    waiting.refresh_from_db()
    assert waiting.triage_date is None
    on = TODAY() - dt.timedelta(days=2)
    assert client.post("/clients/T0020/triage/", {"on": on.isoformat()}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.triage_date == on
    assert AuditEvent.objects.filter(what="record_triage", client=waiting.client).exists()
    assert "Waiting for triage" not in client.get("/clients/T0020/").content.decode()
    again = client.post("/clients/T0020/triage/", {"on": on.isoformat()}).content.decode()
    assert "Already triaged on" in again

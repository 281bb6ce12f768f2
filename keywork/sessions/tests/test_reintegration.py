"""Reintegration work (rule 2): recorded at any phase and after discharge, only for what the
catalogue lists for Reintegration, with rule 4 for interventions."""

import pytest
from django.utils import timezone

from keywork.clients.actions import DischargeInput, discharge
from keywork.sessions import actions
from keywork.sessions.actions import SessionContent
from keywork.sessions.models import KeyworkSession, ReEngagement
from keywork.sessions.tests.test_sessions import HOUR, WEEK, record, refused

pytestmark = pytest.mark.django_db


def work(**changes) -> SessionContent:
    values = {
        "care_plan_work": "",
        "information_advice": "",
        "harm_reduction": "",
        "motivational_work": "",
        "topics": ("topic.structuring-time",),
        "interventions": ("focus.community-integration",),
        "notes": "Went with Sam to the allotment society's open day.",
    }
    values.update(changes)
    return SessionContent(**values)  # type: ignore[arg-type]


def reintegrate(personas, worker=None, *, when=None, **changes):
    return actions.record_reintegration(
        actor=(worker or personas.keyworker).user,
        episode=personas.episode,
        given=actions.RecordReintegrationInput(
            starts_at=when or timezone.now() - HOUR, content=work(**changes)
        ),
    )


def test_reintegration_work_is_recorded_in_engagement(personas):
    assert personas.episode.phase.code == "engagement"
    done = reintegrate(personas)
    assert done.outcome == "attended" and done.session.kind == KeyworkSession.Kind.REINTEGRATION
    assert [e.code for e in done.interventions.all()] == ["focus.community-integration"]
    assert done.recorded_by == personas.keyworker


def test_reintegration_work_carries_on_after_discharge(personas):
    day = timezone.localdate() - WEEK
    discharge(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=DischargeInput(on=day, exit_reason="completed_drug_free"),
    )
    done = reintegrate(personas)
    assert done.episode.discharged_on == day
    refused("EPISODE", record, personas, when=timezone.now() - HOUR)


def test_no_work_is_recorded_after_a_client_has_died(personas):
    discharge(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=DischargeInput(on=timezone.localdate() - WEEK, exit_reason="died"),
    )
    refused("EPISODE", reintegrate, personas)


@pytest.mark.parametrize(
    ("changes", "code", "says"),
    [
        ({"topics": ("topic.ambivalence",)}, "R2", "'topic.ambivalence' is not listed for Reint"),
        ({"topics": (), "interventions": ()}, "R2", "at least one topic or intervention"),
        ({"notes": " "}, "INVALID", "notes: say what was done"),
        ({"when": timezone.now() + WEEK}, "R9", "has not happened yet"),
        ({"when": timezone.now() - 400 * 24 * HOUR}, "EPISODE", "before the client was referred"),
    ],
)
def test_reintegration_work_is_refused(personas, changes, code, says):
    error = refused(code, reintegrate, personas, **changes)
    assert says in error.message


def test_reintegration_interventions_keep_rule_4(personas):
    error = refused("R4", reintegrate, personas, interventions=("kwp.community-reinforcement",))
    assert error.suggestion and error.suggestion["referral"]["intervention"] == (
        "kwp.community-reinforcement"
    )


def test_reintegration_contact_ends_re_engagement(personas):
    record(personas, outcome="did_not_attend", when=timezone.now() - 2 * HOUR, next_in=None)
    assert ReEngagement.objects.filter(episode=personas.episode, ended_on=None).exists()
    reintegrate(personas)
    assert not ReEngagement.objects.filter(episode=personas.episode, ended_on=None).exists()


def test_reintegration_notes_are_amended_not_overwritten(personas):
    done = reintegrate(personas)
    actions.amend_session_notes(
        actor=personas.keyworker.user,
        attendance=done,
        given=actions.AmendSessionNotesInput(notes="Open day, then tea.", reason="typo"),
    )
    assert done.revisions.get().old_notes == "Went with Sam to the allotment society's open day."

"""Each rule of the keyworker's day refused in the same words by the action, the web form and
the import, with nothing saved. (Rules 8, 10 and 11: careplans/tests/test_channels.py; rule 4:
sessions/tests/test_form.py and core/tests/test_import.py; groups and reintegration:
sessions/tests/test_group_pages.py.)"""

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from keywork.access.tests.trail import changes_audited
from keywork.audit.models import AuditEvent
from keywork.clients import actions as clients
from keywork.clients.models import Allocation, Episode, PhaseChange
from keywork.core.errors import RuleViolation
from keywork.core.tests.test_import import SESSION, lines, moment, run
from keywork.sessions import actions as sessions
from keywork.sessions.actions import Appointment
from keywork.sessions.models import Attendance, NoteRevision
from keywork.sessions.tests.test_form import post_data
from keywork.sessions.tests.test_sessions import content

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Case:
    code: str
    persona: str  # who tries, on every channel
    action: Callable[[Any, Any], object]  # (personas, user) -> the refused call
    url: str
    form: Callable[[Any], dict]
    line: Callable[[Any], dict]


def state() -> tuple[int, ...]:
    return (
        changes_audited(),
        Allocation.objects.count(),
        PhaseChange.objects.count(),
        Episode.objects.filter(discharged_on=None).count(),
        Attendance.objects.count(),
        NoteRevision.objects.count(),
    )


def earlier_session(personas) -> Attendance:
    when = timezone.now().replace(second=0, microsecond=0) - 3 * DAY
    return sessions.record_session(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=sessions.RecordSessionInput(
            starts_at=when,
            content=content(notes="First notes"),
            next_appointment=Appointment(starts_at=when + 7 * DAY),
        ),
    )


def today() -> dt.date:
    return timezone.localdate()


CASES = {
    "R1 a keyworker change dated in the future": Case(
        "R1",
        "team_leader",
        lambda p, user: clients.allocate_keyworker(
            actor=user,
            episode=p.episode,
            given=clients.AllocateKeyworkerInput(
                worker=p.keyworker, on=today() + 3 * DAY, reason="Cover"
            ),
        ),
        "/clients/T0001/keyworker/",
        lambda p: {"worker": p.keyworker.pk, "on": today() + 3 * DAY, "reason": "Cover"},
        lambda p: {
            "action": "allocate_keyworker",
            "client": "T0001",
            "keyworker": "kit.plain",
            "on": str(today() + 3 * DAY),
            "reason": "Cover",
        },
    ),
    "R2 a phase skipped": Case(
        "R2",
        "mi_keyworker",
        lambda p, user: clients.move_phase(
            actor=user,
            episode=p.episode,
            given=clients.MovePhaseInput(to="change", on=today(), reason="Fast"),
        ),
        "/clients/T0001/phase/",
        lambda p: {"to": "change", "on": today(), "reason": "Fast"},
        lambda p: {
            "action": "move_phase",
            "client": "T0001",
            "to": "change",
            "on": str(today()),
            "reason": "Fast",
        },
    ),
    "EPISODE a discharge dated in the future": Case(
        "EPISODE",
        "mi_keyworker",
        lambda p, user: clients.discharge(
            actor=user,
            episode=p.episode,
            given=clients.DischargeInput(on=today() + DAY, exit_reason="dropped_out"),
        ),
        "/clients/T0001/discharge/",
        lambda p: {"on": today() + DAY, "exit_reason": "dropped_out", "note": ""},
        lambda p: {
            "action": "discharge",
            "client": "T0001",
            "on": str(today() + DAY),
            "exit_reason": "dropped_out",
        },
    ),
    "R9 an attended session without its minimum content": Case(
        "R9",
        "mi_keyworker",
        lambda p, user: sessions.record_session(
            actor=user,
            episode=p.episode,
            given=sessions.RecordSessionInput(
                starts_at=timezone.now() - dt.timedelta(hours=1),
                content=content(harm_reduction="", motivational_work=""),
                next_appointment=Appointment(starts_at=timezone.now() + 7 * DAY),
            ),
        ),
        "/clients/T0001/sessions/new/",
        lambda p: post_data(harm_reduction="", motivational_work=""),
        lambda p: {
            **SESSION,
            "starts_at": moment(1),
            "harm_reduction": "",
            "motivational_work": "",
            "next_appointment": {"starts_at": moment(-168)},
        },
    ),
    "R13 notes amended without a reason": Case(
        "R13",
        "mi_keyworker",
        lambda p, user: sessions.amend_session_notes(
            actor=user,
            attendance=p.earlier,
            given=sessions.AmendSessionNotesInput(notes="Changed", reason=" "),
        ),
        "/clients/T0001/sessions/{pk}/amend/",
        lambda p: {"notes": "Changed", "reason": " "},
        lambda p: {
            "action": "amend_session_notes",
            "client": "T0001",
            "starts_at": timezone.localtime(p.earlier.session.starts_at)
            .replace(tzinfo=None)
            .isoformat(timespec="minutes"),
            "notes": "Changed",
            "reason": " ",
        },
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_channel_refuses_in_the_same_words_and_saves_nothing(client, personas, tmp_path, case):
    personas.earlier = earlier_session(personas)
    user = getattr(personas, case.persona).user
    before = state()
    last = AuditEvent.objects.latest("id").pk
    with pytest.raises(RuleViolation) as direct:
        case.action(personas, user)
    refusal = direct.value
    assert refusal.code == case.code and state() == before

    client.force_login(user)
    response = client.post(case.url.format(pk=personas.earlier.pk), case.form(personas))
    assert response.status_code == 200  # the form again, with the refusal
    assert refusal.shown in html.unescape(response.content.decode())

    _, err, failed = run(tmp_path, lines(case.line(personas)), user=user.username)
    assert err.strip() == f"line 1: {case.code}: {refusal.message}" and failed
    assert state()[1:] == before[1:]  # reads of the forms are audited; nothing else changed

    refusals = AuditEvent.objects.filter(pk__gt=last, verb=AuditEvent.Verb.REFUSED)
    assert sorted(refusals.values_list("channel", flat=True)) == ["import", "system", "web"]
    for event in refusals:
        assert (event.actor, event.client) == (user, personas.client)
        assert event.detail["reason"] == str(refusal) and event.detail["code"] == case.code


def test_a_technique_is_refused_as_an_intervention_by_the_import_and_never_offered(
    client, personas, tmp_path
):
    with pytest.raises(RuleViolation) as direct:
        sessions.record_session(
            actor=personas.mi_keyworker.user,
            episode=personas.episode,
            given=sessions.RecordSessionInput(
                starts_at=timezone.now() - dt.timedelta(hours=1),
                content=content(interventions=("tech.pros-and-cons",)),
                next_appointment=Appointment(starts_at=timezone.now() + 7 * DAY),
            ),
        )
    line = {
        **SESSION,
        "starts_at": moment(1),
        "interventions": ["tech.pros-and-cons"],
        "next_appointment": {"starts_at": moment(-168)},
    }
    _, err, failed = run(tmp_path, lines(line))
    assert err.strip() == f"line 1: R5: {direct.value.message}" and failed
    client.force_login(personas.mi_keyworker.user)
    form = client.get("/clients/T0001/sessions/new/").content.decode()
    offered = form.split('id="field-interventions"')[1].split('id="field-techniques"')[0]
    assert 'value="tech.pros-and-cons"' not in offered
    assert not Attendance.objects.exists()

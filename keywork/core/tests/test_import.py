"""`keywork import`: each line through the same action as the web form; a refused line is
reported by number, rule code and message, and applies nothing."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from keywork.audit.models import AuditEvent
from keywork.clients.models import Client, Episode
from keywork.core.errors import RuleViolation
from keywork.sessions import actions as sessions
from keywork.sessions.actions import Appointment, SessionContent
from keywork.sessions.models import Attendance, NoteRevision

pytestmark = pytest.mark.django_db


def lines(*changes) -> str:
    return "\n".join(json.dumps(change) for change in changes) + "\n"


def run(tmp_path, text, user="mia.trained"):
    path = tmp_path / "changes.jsonl"
    path.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", str(path), "--as", user, stdout=out, stderr=err)
        failed = None
    except CommandError as error:
        failed = str(error)
    return out.getvalue(), err.getvalue(), failed


def on_the_form(refused: str, form) -> str:
    """What `form` shows for the refusal an import printed ("line 1: CODE: message"): the
    same words as a sentence, without the name of the form's field it is shown on, with the
    rule as a reference."""
    _, code, message = refused.strip().split(": ", 2)
    head, said, _ = message.partition(": ")
    field = head if said and head in form.fields else None
    return RuleViolation(code, message, field=field).shown


def moment(hours_ago: int) -> str:
    when = timezone.localtime() - dt.timedelta(hours=hours_ago)
    return when.replace(second=0, microsecond=0, tzinfo=None).isoformat(timespec="minutes")


SESSION = {
    "action": "record_session",
    "client": "T0001",
    "care_plan_work": "progress_checked",
    "information_advice": "Naloxone",
    "harm_reduction": "Safer injecting",
    "motivational_work": "Change talk",
    "topics": ["topic.ambivalence"],
    "notes": "Imported",
}


def test_a_worked_file_applies_every_line_through_the_actions(tmp_path, personas):
    text = lines(
        {
            "action": "register_client",
            "local_id": "IMP1",
            "given_name": "Io",
            "family_name": "Port",
            "date_of_birth": "02/03/1991",
            "sex": "female",
        },
        {
            "action": "open_episode",
            "client": "IMP1",
            "team": "north",
            "referral_date": "2026-01-05",
            "keyworker": "mia.trained",
            "substances": [{"substance": "sub.crack", "route": "smoke", "age_first_used": 20}],
        },
        {
            "action": "move_phase",
            "client": "IMP1",
            "to": "preparation",
            "on": str(timezone.localdate()),
            "reason": "Goals agreed",
        },
        {
            **SESSION,
            "client": "IMP1",
            "starts_at": moment(2),
            "interventions": ["kwp.motivational-interviewing"],
            "next_appointment": {"starts_at": moment(-150)},
        },
        {
            "action": "amend_session_notes",
            "client": "IMP1",
            "starts_at": moment(2),
            "notes": "Imported; GP letter sent",
            "reason": "Added the letter",
        },
    )
    out, err, failed = run(tmp_path, text)
    assert (out.strip(), err, failed) == ("5 applied, 0 refused.", "", None)
    episode = Episode.objects.get(client__local_id="IMP1")
    assert episode.phase.code == "preparation"
    attendance = Attendance.objects.get(episode=episode, outcome="attended")
    assert (
        attendance.notes == "Imported; GP letter sent"
        and NoteRevision.objects.filter(attendance=attendance).exists()
    )
    assert AuditEvent.objects.filter(client=episode.client, channel="import").count() >= 5


def test_refused_lines_name_the_line_rule_and_message_and_apply_nothing(tmp_path, personas):
    text = lines(
        {**SESSION, "starts_at": moment(3), "next_appointment": {"starts_at": moment(-100)}},
        {
            **SESSION,
            "starts_at": moment(2),
            "interventions": ["kwp.sbnt"],
            "next_appointment": {"starts_at": moment(-100)},
        },
        {
            "action": "move_phase",
            "client": "T0001",
            "to": "change",
            "on": str(timezone.localdate()),
            "reason": "Skip",
        },
        "not json",
        {"action": "teleport", "client": "T0001"},
        {
            "action": "allocate_keyworker",
            "client": "T0001",
            "keyworker": "kit.plain",
            "on": str(timezone.localdate()),
            "reason": "x",
        },
    ).replace('"not json"', "not json")
    out, err, failed = run(tmp_path, text)
    assert out.strip() == "1 applied, 5 refused."
    assert failed == "5 lines refused"
    refusals = err.strip().splitlines()
    assert refusals[0].startswith("line 2: R4: ") and "Refer the client" in refusals[0]
    assert refusals[1].startswith(
        "line 3: R2: from Engagement a client moves forward one phase at a time"
    )
    assert refusals[2].startswith("line 4: INVALID: not valid JSON")
    assert refusals[3].startswith("line 5: INVALID: action: 'teleport' is not one of")
    assert refusals[4].startswith("line 6: ACCESS: ")
    assert Attendance.objects.filter(episode=personas.episode, outcome="attended").count() == 1


def test_the_import_and_the_action_refuse_in_the_same_words(tmp_path, personas):
    when = timezone.now() - dt.timedelta(hours=1)
    with pytest.raises(RuleViolation) as direct:
        sessions.record_session(
            actor=personas.keyworker.user,
            episode=personas.episode,
            given=sessions.RecordSessionInput(
                starts_at=when,
                content=SessionContent(
                    care_plan_work="agreed",
                    information_advice="a",
                    harm_reduction="b",
                    motivational_work="c",
                    topics=("topic.ambivalence",),
                    interventions=("kwp.motivational-interviewing",),
                ),
                next_appointment=Appointment(starts_at=when + dt.timedelta(days=7)),
            ),
        )
    line = {
        **SESSION,
        "starts_at": moment(1),
        "care_plan_work": "agreed",
        "information_advice": "a",
        "harm_reduction": "b",
        "motivational_work": "c",
        "notes": "",
        "interventions": ["kwp.motivational-interviewing"],
        "next_appointment": {"starts_at": moment(-168)},
    }
    _, err, _ = run(tmp_path, lines(line), user="kit.plain")
    assert err.strip() == f"line 1: R4: {direct.value.message}"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            {
                "action": "register_client",
                "local_id": "X1",
                "given_name": "A",
                "family_name": "B",
                "date_of_birth": "31/02/1990",
                "sex": "male",
            },
            "INVALID: date_of_birth: '31/02/1990' is not a date",
        ),
        (
            {
                "action": "register_client",
                "local_id": "X1",
                "given_name": "A",
                "family_name": "B",
                "sex": "male",
            },
            "INVALID: date_of_birth: is required",
        ),
        (
            {
                "action": "move_phase",
                "client": "T0002",
                "to": "preparation",
                "on": "2026-11-01",
                "reason": "x",
            },
            "INVALID: client: no client 'T0002' on the records you can see",
        ),
        (
            {**SESSION, "starts_at": "yesterday"},
            "INVALID: starts_at: 'yesterday' is not a date and time",
        ),
        (
            {"action": "discharge", "client": "T0001", "on": "2026-11-01", "exit_reasn": "died"},
            "INVALID: exit_reasn: is not a field; the fields are action, client, exit_reason",
        ),
        (
            {**SESSION, "next_appointment": {"starts_at": "2026-12-01T10:00", "room": "2"}},
            "INVALID: room: is not a field in next_appointment",
        ),
        (
            {
                "action": "allocate_keyworker",
                "client": "T0001",
                "keyworker": "no.one",
                "on": "2026-11-01",
                "reason": "x",
            },
            "INVALID: keyworker: no worker with username 'no.one'",
        ),
    ],
)
def test_bad_fields_are_named(tmp_path, personas, change, says):
    _, err, failed = run(tmp_path, lines(change))
    assert err.strip() == f"line 1: {says}" or err.strip().startswith(f"line 1: {says}")
    assert failed and not Client.objects.filter(local_id="X1").exists()


def test_the_import_needs_an_acting_user(tmp_path, personas):
    path = tmp_path / "x.jsonl"
    path.write_text("")
    with pytest.raises(CommandError, match="--as USER is required"):
        call_command("import", str(path))

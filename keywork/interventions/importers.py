"""Import lines for intervention records; each calls the action the web form calls."""

from __future__ import annotations

from dataclasses import replace

from keywork.clients.importers import client_of, latest_episode_of, worker
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import Fields, importer
from keywork.interventions import actions
from keywork.interventions.actions import FirstContact, InterventionInput
from keywork.interventions.models import Intervention
from keywork.sessions.models import Attendance


def given(f: Fields) -> InterventionInput:
    return InterventionInput(
        code=f.text("intervention"),
        setting=f.text("setting", "community"),
        started_on=f.date("started_on"),
        practitioner=worker(f, "practitioner") if "practitioner" in f.data else None,
        agency=f.text("agency", ""),
        planned_sessions=f.optional_number("planned_sessions"),
        ended_on=f.optional_date("ended_on"),
        exit=f.text("exit", ""),
        notes=f.text("notes", ""),
        first_contact=first_contact(f),
    )


def first_contact(f: Fields) -> FirstContact | None:
    contact = f.record("first_contact")
    if contact is None:
        return None
    return FirstContact(
        contact.text("group", ""), contact.optional_date("on"), contact.text("support", "")
    )


def intervention_of(actor: Actor, f: Fields) -> Intervention:
    """The client's intervention of that code that started on `started_on`."""
    client = client_of(actor, f)
    code, started_on = f.text("intervention"), f.date("started_on")
    found = (
        Intervention.objects.select_related("episode", "entry__reports_as", "practitioner")
        .filter(episode__client=client, entry__code=code, started_on=started_on)
        .filter(entered_in_error_at=None)
        .first()
    )
    if found is None:
        raise invalid("intervention", f"no '{code}' starting {started_on:%d/%m/%Y} for this client")
    return found


@importer("start_intervention")
def start_intervention(actor: Actor, f: Fields) -> object:
    return actions.start_intervention(
        actor=actor, episode=latest_episode_of(actor, f), given=given(f)
    )


@importer("end_intervention")
def end_intervention(actor: Actor, f: Fields) -> object:
    return actions.end_intervention(
        actor=actor,
        intervention=intervention_of(actor, f),
        on=f.date("ended_on"),
        exit=f.text("exit", ""),
    )


@importer("add_intervention_session")
def add_intervention_session(actor: Actor, f: Fields) -> object:
    intervention = intervention_of(actor, f)
    session_at = f.moment("session_at")
    attendance = (
        Attendance.objects.select_related("session")
        .filter(episode=intervention.episode, session__starts_at=session_at)
        .first()
    )
    if attendance is None:
        raise invalid("session_at", f"no session for this client at {session_at:%d/%m/%Y %H:%M}")
    return actions.add_intervention_session(
        actor=actor, intervention=intervention, attendance=attendance
    )


@importer("amend_intervention")
def amend_intervention(actor: Actor, f: Fields) -> object:
    """The fields given replace the recorded ones (`new_started_on` moves the start)."""
    intervention = intervention_of(actor, f)
    was = actions.as_input(intervention)
    changes: dict[str, object] = {}
    for name in ("setting", "agency", "exit", "notes"):
        if name in f.data:
            changes[name] = f.text(name, "")
    if "practitioner" in f.data:
        changes["practitioner"] = worker(f, "practitioner")
    if "planned_sessions" in f.data:
        changes["planned_sessions"] = f.optional_number("planned_sessions")
    if "ended_on" in f.data:
        changes["ended_on"] = f.optional_date("ended_on")
    if "new_started_on" in f.data:
        changes["started_on"] = f.date("new_started_on")
    return actions.amend_intervention(
        actor=actor,
        intervention=intervention,
        given=replace(was, **changes),  # type: ignore[arg-type]
        reason=f.text("reason", ""),
        expected_version=f.optional_number("version"),
    )


@importer("mark_intervention_in_error")
def mark_intervention_in_error(actor: Actor, f: Fields) -> object:
    return actions.mark_intervention_in_error(
        actor=actor, intervention=intervention_of(actor, f), reason=f.text("reason", "")
    )

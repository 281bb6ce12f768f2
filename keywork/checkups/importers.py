"""Import lines for recovery check-ups; each calls the action the web form calls."""

from __future__ import annotations

from keywork.checkups import actions
from keywork.checkups.actions import CheckUpInput
from keywork.checkups.models import CheckUp
from keywork.clients.importers import client_of, latest_episode_of, worker
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import Fields, importer


def checkup_of(actor: Actor, f: Fields) -> CheckUp:
    """The client's check-up due on `due_on`."""
    client = client_of(actor, f)
    due_on = f.date("due_on")
    found = (
        CheckUp.objects.filter(episode__client=client, due_on=due_on, entered_in_error_at=None)
        .select_related("episode")
        .first()
    )
    if found is None:
        raise invalid("due_on", f"no check-up is due on {due_on:%d/%m/%Y}")
    return found


@importer("schedule_checkups")
def schedule_checkups(actor: Actor, f: Fields) -> object:
    return actions.schedule_checkups(
        actor=actor,
        episode=latest_episode_of(actor, f),
        first_on=f.date("first_on"),
        every_weeks=f.number("every_weeks", 4),
        count=f.number("count"),
    )


@importer("record_checkup")
def record_checkup(actor: Actor, f: Fields) -> object:
    return actions.record_checkup(
        actor=actor,
        checkup=checkup_of(actor, f),
        given=CheckUpInput(
            done_on=f.date("done_on"),
            contact_made=bool(f.flag("contact_made")),
            lapse=f.text("lapse", ""),
            further_services=f.codes("further_services"),
            notes=f.text("notes", ""),
        ),
    )


@importer("return_to_treatment")
def return_to_treatment(actor: Actor, f: Fields) -> object:
    return actions.return_to_treatment(
        actor=actor,
        episode=latest_episode_of(actor, f),
        on=f.date("on"),
        reason=f.text("reason", ""),
        keyworker=worker(f, "keyworker") if "keyworker" in f.data else None,
    )


@importer("mark_checkup_in_error")
def mark_checkup_in_error(actor: Actor, f: Fields) -> object:
    return actions.mark_checkup_in_error(
        actor=actor, checkup=checkup_of(actor, f), reason=f.text("reason", "")
    )

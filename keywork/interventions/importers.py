"""Import lines for intervention records; each calls the action the web form calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from keywork.access.models import Worker
from keywork.clients.importers import ClientNamed, LatestEpisodeOf
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import importer, through
from keywork.core.inputs import about, version
from keywork.interventions import actions
from keywork.interventions.models import Exit, Intervention, Setting
from keywork.sessions.models import Attendance


@dataclass(frozen=True, kw_only=True)
class InterventionOf(ClientNamed):
    """The client's intervention of that code that started on `started_on`."""

    intervention: str = about("which intervention record: its catalogue code")
    started_on: dt.date = about("and the day it started")

    def find(self, actor: Actor) -> Intervention:  # type: ignore[override]
        client = super().find(actor)
        found = (
            Intervention.objects.select_related("episode", "entry__reports_as", "practitioner")
            .filter(episode__client=client, entry__code=self.intervention)
            .filter(started_on=self.started_on, entered_in_error_at=None)
            .first()
        )
        if found is None:
            raise invalid(
                "intervention",
                f"no '{self.intervention}' starting {self.started_on:%d/%m/%Y} for this client",
            )
        return found


@dataclass(frozen=True, kw_only=True)
class SessionCounted:
    session_at: dt.datetime = about("when the attended session started")


@dataclass(frozen=True, kw_only=True)
class InterventionChanges:
    """The fields that change (left out or null: as recorded)."""

    setting: str | None = about("where it is delivered", default=None, choices=Setting)
    new_started_on: dt.date | None = about("the day it really started", default=None)
    practitioner: Worker | None = about("who delivers it", default=None)
    agency: str | None = about("the other agency that delivers it", default=None)
    planned_sessions: int | None = about("sessions planned", default=None)
    ended_on: dt.date | None = about("the day it ended", default=None)
    exit: str | None = about("how it ended", default=None, choices=Exit)
    notes: str | None = about("notes", default=None)
    reason: str = about("why it changes", default="")
    expected_version: int | None = version()


through(actions.start_intervention, episode=LatestEpisodeOf)
through(actions.end_intervention, intervention=InterventionOf)
through(actions.mark_intervention_in_error, intervention=InterventionOf)
through(actions.record_offer, episode=LatestEpisodeOf)


@importer("add_intervention_session", InterventionOf, SessionCounted)
def add_intervention_session(actor: Actor, named: InterventionOf, at: SessionCounted) -> object:
    """Count an attended session towards a structured psychosocial intervention; its
    practitioner must have delivered it and been competent that day (rule 4)."""
    intervention = named.find(actor)
    attendance = (
        Attendance.objects.select_related("session")
        .filter(episode=intervention.episode, session__starts_at=at.session_at)
        .first()
    )
    if attendance is None:
        raise invalid("session_at", f"no session for this client at {at.session_at:%d/%m/%Y %H:%M}")
    return actions.add_intervention_session(
        actor=actor, intervention=intervention, attendance=attendance
    )


@importer("amend_intervention", InterventionOf, InterventionChanges)
def amend_intervention(actor: Actor, named: InterventionOf, given: InterventionChanges) -> object:
    """Change a recorded intervention with a reason: the fields given replace the recorded
    ones; the record keeps every rule, and what it was is kept."""
    intervention = named.find(actor)
    changes = {k: v for k, v in vars(given).items() if v is not None}
    changes.pop("reason"), changes.pop("expected_version", None)
    if "new_started_on" in changes:
        changes["started_on"] = changes.pop("new_started_on")
    return actions.amend_intervention(
        actor=actor,
        intervention=intervention,
        given=actions.as_amendment(
            replace(actions.as_input(intervention), **changes),
            reason=given.reason,
            expected_version=given.expected_version,
        ),
    )

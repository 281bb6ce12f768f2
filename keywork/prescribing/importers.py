"""Import lines for prescribing; each calls the action the web form calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.clients.importers import ClientNamed, OpenEpisodeOf
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import through
from keywork.core.inputs import about
from keywork.prescribing import actions
from keywork.prescribing.models import Prescription


@dataclass(frozen=True, kw_only=True)
class PrescriptionOf(ClientNamed):
    """The client's prescription of that medicine that started on `started_on`."""

    medication: str = about("which prescription: its medicine (a catalogue code)")
    started_on: dt.date = about("and the day it started")

    def find(self, actor: Actor) -> Prescription:  # type: ignore[override]
        client = super().find(actor)
        found = (
            Prescription.objects.select_related("episode", "medication")
            .filter(episode__client=client, medication__code=self.medication)
            .filter(started_on=self.started_on, entered_in_error_at=None)
            .first()
        )
        if found is None:
            raise invalid(
                "medication",
                f"no '{self.medication}' starting {self.started_on:%d/%m/%Y} for this client",
            )
        return found


through(actions.start_prescription, episode=OpenEpisodeOf)
through(actions.change_dose, prescription=PrescriptionOf)
through(actions.end_prescription, prescription=PrescriptionOf)
through(actions.mark_prescription_in_error, prescription=PrescriptionOf)

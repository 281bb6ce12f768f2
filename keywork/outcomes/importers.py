"""Import lines for outcome profiles; each calls the action the web form calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db.models import Model

from keywork.clients.importers import ClientNamed, LatestEpisodeOf
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import through
from keywork.core.inputs import about
from keywork.outcomes import actions
from keywork.outcomes.models import OutcomeProfile


@dataclass(frozen=True, kw_only=True)
class TakenOn(ClientNamed):
    """The client's record taken on `taken_on` (not entered in error): an outcome profile,
    or another record taken at the same stages (`records`, `what`)."""

    records: ClassVar[type[Model]] = OutcomeProfile
    what: ClassVar[str] = "outcome profile"
    taken_on: dt.date = about("which profile: the day it was taken")

    def find(self, actor: Actor) -> Any:
        client = super().find(actor)
        found = list(
            self.records._default_manager.filter(
                episode__client=client, taken_on=self.taken_on, entered_in_error_at=None
            ).select_related("episode")[:2]
        )
        if len(found) != 1:
            which = f"no {self.what}" if not found else f"more than one {self.what}"
            raise invalid("taken_on", f"{which} taken on {self.taken_on:%d/%m/%Y}")
        return found[0]


through(actions.take_outcomes, episode=LatestEpisodeOf)
through(actions.mark_outcomes_in_error, profile=TakenOn)

"""Import lines for outcome profiles; each calls the action the web form calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.clients.importers import ClientNamed, LatestEpisodeOf
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import through
from keywork.core.inputs import about
from keywork.outcomes import actions
from keywork.outcomes.models import OutcomeProfile


@dataclass(frozen=True, kw_only=True)
class ProfileOf(ClientNamed):
    """The client's outcome profile taken on `taken_on`."""

    taken_on: dt.date = about("which profile: the day it was taken")

    def find(self, actor: Actor) -> OutcomeProfile:  # type: ignore[override]
        client = super().find(actor)
        found = list(
            OutcomeProfile.objects.filter(
                episode__client=client, taken_on=self.taken_on, entered_in_error_at=None
            ).select_related("episode")[:2]
        )
        if len(found) != 1:
            which = "no outcome profile" if not found else "more than one outcome profile"
            raise invalid("taken_on", f"{which} taken on {self.taken_on:%d/%m/%Y}")
        return found[0]


through(actions.take_outcomes, episode=LatestEpisodeOf)
through(actions.mark_outcomes_in_error, profile=ProfileOf)

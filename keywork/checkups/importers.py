"""Import lines for recovery check-ups; each calls the action the web form calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.checkups import actions
from keywork.checkups.models import CheckUp
from keywork.clients.importers import ClientNamed, LatestEpisodeOf
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import through
from keywork.core.inputs import about


@dataclass(frozen=True, kw_only=True)
class CheckUpOf(ClientNamed):
    """The client's check-up due on `due_on`."""

    due_on: dt.date = about("which check-up: the day it is due")

    def find(self, actor: Actor) -> CheckUp:  # type: ignore[override]
        client = super().find(actor)
        found = (
            CheckUp.objects.filter(
                episode__client=client, due_on=self.due_on, entered_in_error_at=None
            )
            .select_related("episode")
            .first()
        )
        if found is None:
            raise invalid("due_on", f"no check-up is due on {self.due_on:%d/%m/%Y}")
        return found


through(actions.schedule_checkups, episode=LatestEpisodeOf)
through(actions.record_checkup, checkup=CheckUpOf)
through(actions.return_to_treatment, episode=LatestEpisodeOf)
through(actions.mark_checkup_in_error, checkup=CheckUpOf)

"""Import lines for recovery-capital checks; each calls the action the web form calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.clients.importers import ClientNamed, LatestEpisodeOf
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import through
from keywork.core.inputs import about
from keywork.recovery import actions
from keywork.recovery.models import Check


@dataclass(frozen=True, kw_only=True)
class CheckOf(ClientNamed):
    """The client's recovery-capital check taken on `taken_on`."""

    taken_on: dt.date = about("which check: the day it was taken")

    def find(self, actor: Actor) -> Check:  # type: ignore[override]
        client = super().find(actor)
        found = list(
            Check.objects.filter(
                episode__client=client, taken_on=self.taken_on, entered_in_error_at=None
            ).select_related("episode")[:2]
        )
        if len(found) != 1:
            which = "no recovery capital check" if not found else "more than one check"
            raise invalid("taken_on", f"{which} taken on {self.taken_on:%d/%m/%Y}")
        return found[0]


through(actions.take_check, episode=LatestEpisodeOf)
through(actions.mark_check_in_error, check=CheckOf)

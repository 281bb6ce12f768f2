"""Import lines for referrals; each calls the action the web form calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.clients.importers import ClientNamed, OpenEpisodeOf
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import through
from keywork.core.inputs import about
from keywork.referrals import actions
from keywork.referrals.models import Referral


@dataclass(frozen=True, kw_only=True)
class ReferralOf(ClientNamed):
    """The client's referral made on `made_on` (to `destination` or `colleague`)."""

    made_on: dt.date = about("which referral: the day it was made")
    destination: str = about("and its destination, when two were made that day", default="")
    colleague: str = about("or the colleague (username) it went to", default="")

    def find(self, actor: Actor) -> Referral:  # type: ignore[override]
        client = super().find(actor)
        found = Referral.objects.filter(
            episode__client=client, made_on=self.made_on, entered_in_error_at=None
        ).select_related("episode")
        if self.destination:
            found = found.filter(destination__code=self.destination)
        if self.colleague:
            found = found.filter(colleague__user__username=self.colleague)
        matches = list(found[:2])
        if len(matches) != 1:
            which = "no referral" if not matches else "more than one referral"
            raise invalid(
                "made_on", f"{which} made on {self.made_on:%d/%m/%Y} matches; name its destination"
            )
        return matches[0]


through(actions.make_referral, episode=OpenEpisodeOf)
through(actions.move_referral, referral=ReferralOf)
through(actions.mark_referral_in_error, referral=ReferralOf)

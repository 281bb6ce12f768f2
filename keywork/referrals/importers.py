"""Import lines for referrals; each calls the action the web form calls."""

from __future__ import annotations

from keywork.clients.importers import client_of, open_episode_of, worker
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import Fields, importer
from keywork.referrals import actions
from keywork.referrals.actions import ReferralInput
from keywork.referrals.models import Referral


def referral_of(actor: Actor, f: Fields) -> Referral:
    """The client's referral made on `made_on` to `destination` (or `colleague`)."""
    client = client_of(actor, f)
    made_on = f.date("made_on")
    found = Referral.objects.filter(
        episode__client=client, made_on=made_on, entered_in_error_at=None
    ).select_related("episode")
    if "destination" in f.data:
        found = found.filter(destination__code=f.text("destination"))
    if "colleague" in f.data:
        found = found.filter(colleague__user__username=f.text("colleague"))
    matches = list(found[:2])
    if len(matches) != 1:
        which = "no referral" if not matches else "more than one referral"
        raise invalid(
            "made_on", f"{which} made on {made_on:%d/%m/%Y} matches; name its destination"
        )
    return matches[0]


@importer("make_referral")
def make_referral(actor: Actor, f: Fields) -> object:
    return actions.make_referral(
        actor=actor,
        episode=open_episode_of(actor, f),
        given=ReferralInput(
            made_on=f.date("made_on"),
            how=f.text("how", ""),
            reason=f.text("reason", ""),
            consent_to_share=bool(f.flag("consent_to_share")),
            destination=f.text("destination", ""),
            agency=f.text("agency", ""),
            colleague=worker(f, "colleague") if "colleague" in f.data else None,
            intervention=f.text("intervention", ""),
            consent_on=f.optional_date("consent_on"),
            override_reason=f.text("override_reason", ""),
            chase_on=f.optional_date("chase_on"),
        ),
    )


@importer("move_referral")
def move_referral(actor: Actor, f: Fields) -> object:
    return actions.move_referral(
        actor=actor,
        referral=referral_of(actor, f),
        status=f.text("status"),
        on=f.date("on"),
        note=f.text("note", ""),
        expected_version=f.optional_number("version"),
    )


@importer("mark_referral_in_error")
def mark_referral_in_error(actor: Actor, f: Fields) -> object:
    return actions.mark_referral_in_error(
        actor=actor, referral=referral_of(actor, f), reason=f.text("reason", "")
    )

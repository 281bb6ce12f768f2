"""The only writers of referrals: make one, move its status on, mark it entered in error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.access.models import Worker
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.audit.trail import mark_in_error_and_audit
from keywork.catalogue.models import Entry
from keywork.clients import policies
from keywork.clients.models import Episode
from keywork.core.actors import Actor, user_or_none
from keywork.core.dates import today, uk
from keywork.core.errors import AccessDenied, invalid
from keywork.core.inputs import Note, Reason, about, version
from keywork.core.records import (
    check_version,
    lock,
    refuse_if_in_error,
)
from keywork.core.writes import action
from keywork.referrals import rules
from keywork.referrals.models import (
    NEXT,
    How,
    OverrideReview,
    Referral,
    Status,
    StatusChange,
)

Verb = AuditEvent.Verb
MOVES = [s for s in Status.values if s != Status.MADE]


@dataclass(frozen=True, kw_only=True)
class ReferralInput:
    """A referral: where to (a destination or a colleague), how, why, and the client's
    consent to share (with false, an override reason, or it is refused: `CONSENT`)."""

    made_on: dt.date = about("the day it was made")
    how: str = about("how it is made", default="", choices=How)
    reason: str = about("why the client is referred", default="")
    consent_to_share: bool = about("the client consents to share their information")
    destination: str = about("where to (a `ref.*` catalogue code), or `colleague`", default="")
    agency: str = about("the agency at the destination", default="")
    colleague: Worker | None = about("a colleague referred to, or `destination`", default=None)
    intervention: str = about("the intervention referred for (a catalogue code)", default="")
    consent_on: dt.date | None = about("the day consent was given (with consent)", default=None)
    override_reason: str = about("why it is shared without consent", default="")
    chase_on: dt.date | None = about("when to chase it (default: two weeks on)", default=None)


def _entry(code: str, kinds: set[str], field: str) -> Entry | None:
    if not code:
        return None
    found = Entry.objects.offered().filter(code=code, kind__in=kinds).first()
    if found is None:
        raise invalid(field, f"'{code}' is not offered in the catalogue")
    return found


@action
def make_referral(*, actor: Actor, episode: Episode, given: ReferralInput) -> Referral:
    """Refer the client on, with their consent to share (or an override with its reason)."""
    worker = policies.worker_of(actor)
    if worker is None or not policies.can_work_with(actor, episode):
        raise AccessDenied("only keyworkers in the client's team make its referrals")
    destination = _entry(given.destination, {"referral_destination"}, "destination")
    intervention = _entry(
        given.intervention, {"intervention", "national_definition"}, "intervention"
    )
    rules.check_to(
        destination=destination is not None,
        agency=given.agency,
        colleague=given.colleague is not None,
    )
    if given.colleague is not None and given.colleague.service_id != episode.service_id:
        raise invalid("colleague", "refer within the service, or to a destination and agency")
    if given.how not in How.values:
        raise invalid("how", "say whether the referral is supported or facilitated")
    if not given.reason.strip():
        raise invalid("reason", "say why the client is referred")
    rules.check_made_on(
        made_on=given.made_on,
        referral_date=episode.referral_date,
        discharged_on=episode.discharged_on,
        today=today(),
    )
    rules.check_consent(
        consent=given.consent_to_share,
        consent_on=given.consent_on,
        override_reason=given.override_reason,
        made_on=given.made_on,
    )
    chase_on = given.chase_on or rules.chase_from(Status.MADE, given.made_on)
    if chase_on is not None and chase_on < given.made_on:
        raise invalid("chase_on", "the chase date is after the referral is made")
    referral = Referral.objects.create(
        episode=episode,
        destination=destination,
        agency=given.agency.strip(),
        colleague=given.colleague,
        intervention=intervention,
        how=given.how,
        reason=given.reason,
        consent_to_share=given.consent_to_share,
        consent_on=given.consent_on if given.consent_to_share else None,
        override_reason="" if given.consent_to_share else given.override_reason,
        made_on=given.made_on,
        made_by=worker,
        status=Status.MADE,
        status_on=given.made_on,
        chase_on=chase_on,
    )
    StatusChange.objects.create(
        referral=referral, status=Status.MADE, on=given.made_on, by=user_or_none(actor)
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=referral,
        detail={"to": referral.to, "consent": given.consent_to_share},
    )
    return referral


def referral_version(referral: Referral) -> int:
    """Every change the referral has had: each move of its status, marked in error."""
    return StatusChange.objects.filter(referral=referral).count() + referral.in_error


@dataclass(frozen=True, kw_only=True)
class MoveReferralInput:
    """What happened next to a referral, as its status line allows."""

    status: str = about("its new status", choices=MOVES)
    on: dt.date = about("the day it happened")
    note: str = about("a note", default="")
    expected_version: int | None = version()


@action
def move_referral(*, actor: Actor, referral: Referral, given: MoveReferralInput) -> Referral:
    """Record what happened next: accepted, declined, a first appointment, attended,
    closed. Each change is kept; the chase date moves with it."""
    if not policies.can_work_with(actor, referral.episode):
        raise AccessDenied("only keyworkers in the client's team follow its referrals up")
    lock(referral)
    if given.expected_version is not None:
        check_version(
            expected=given.expected_version,
            current=referral_version(referral),
            what="This referral",
            theirs=lambda: {
                "Status": referral.get_status_display(),
                "Chase on": uk(referral.chase_on),
            },
        )
    refuse_if_in_error(referral, "referral")
    labels = dict(Status.choices)
    rules.check_move(
        current=referral.status,
        new=given.status,
        allowed=NEXT.get(referral.status, ()),
        labels=labels,
        on=given.on,
        since=referral.status_on,
        today=today(),
    )
    referral.status, referral.status_on = given.status, given.on
    referral.chase_on = rules.chase_from(given.status, given.on)
    referral.save(update_fields=["status", "status_on", "chase_on"])
    StatusChange.objects.create(
        referral=referral, status=given.status, on=given.on, note=given.note, by=user_or_none(actor)
    )
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=referral.episode.client,
        obj=referral,
        detail={"status": given.status, "on": given.on.isoformat()},
    )
    return referral


@action
def mark_referral_in_error(*, actor: Actor, referral: Referral, given: Reason) -> Referral:
    """A mistaken record stays, marked, and no longer counts (rule 13)."""
    if not policies.can_work_with(actor, referral.episode):
        raise AccessDenied("only keyworkers in the client's team correct its referrals")
    mark_in_error_and_audit(
        actor,
        referral,
        what="referral",
        client=referral.episode.client,
        reason=given.reason,
    )
    return referral


@action
def review_consent_override(*, actor: Actor, referral: Referral, given: Note) -> OverrideReview:
    """The service manager signs off a referral made without the client's consent."""
    reviewer = policies.worker_of(actor)
    if reviewer is None or not policies.can_review_access(actor, referral.episode.service_id):
        raise AccessDenied("consent overrides are reviewed by the service manager")
    if referral.consent_to_share:
        raise invalid("referral", "this referral was made with the client's consent")
    lock(referral)
    if OverrideReview.objects.filter(referral=referral).exists():
        raise invalid("note", "this override has been reviewed already")
    if not given.note.strip():
        raise invalid("note", "say what the review found")
    review = OverrideReview.objects.create(referral=referral, reviewed_by=reviewer, note=given.note)
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=referral.episode.client,
        obj=review,
        detail={"note": given.note},
    )
    return review

"""The only writers of recovery check-ups (rule 12): schedule them after a successful
completion, record each, return to treatment in one step, mark one entered in error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.access.models import Worker
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.audit.trail import mark_in_error_and_audit
from keywork.catalogue.models import Entry
from keywork.checkups import rules
from keywork.checkups.models import CheckUp, Lapse, Status
from keywork.clients import actions as clients
from keywork.clients import policies
from keywork.clients.actions import SubstanceUse
from keywork.clients.models import Episode
from keywork.core.actors import Actor, user_or_none
from keywork.core.dates import add_weeks, today, uk
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.inputs import Reason, about
from keywork.core.records import refuse_if_in_error
from keywork.core.writes import action

Verb = AuditEvent.Verb
# What a check-up can suggest: recovery support and the Skills Framework's destinations.
SUGGESTED_GROUPS = ("recovery_support",)


@dataclass(frozen=True, kw_only=True)
class CheckUpInput:
    """A recovery check-up done: whether contact was made, any lapse, what else is offered."""

    done_on: dt.date = about("the day it was done")
    contact_made: bool = about("whether the client was reached")
    lapse: str = about("a lapse or relapse, if any", default="", choices=Lapse)
    further_services: tuple[str, ...] = about("services offered (catalogue codes)", default=())
    notes: str = about("notes", default="")


def _completed(actor: Actor, episode: Episode) -> None:
    if not policies.can_work_with(actor, episode):
        raise AccessDenied("only keyworkers in the client's team arrange its recovery check-ups")
    rules.check_completed(
        discharged_on=episode.discharged_on,
        completed=episode.completed,
        label=episode.get_exit_reason_display(),
    )


def _returned(episode: Episode) -> bool:
    return Episode.objects.filter(previous_episode=episode).exists()


def _worker_for(actor: Actor, episode: Episode) -> Worker:
    """The keyworker at discharge, if still working here; otherwise whoever arranges it."""
    if episode.keyworker.user.is_active and episode.keyworker.team_id == episode.team_id:
        return episode.keyworker
    worker = policies.worker_of(actor)
    assert worker is not None  # _completed checked the actor works with the episode
    return worker


@dataclass(frozen=True, kw_only=True)
class ScheduleCheckupsInput:
    """Recovery check-ups after a completed episode."""

    first_on: dt.date = about("the day the first is due")
    every_weeks: int = about("weeks between them", default=4)
    count: int = about("how many")


@action
def schedule_checkups(
    *, actor: Actor, episode: Episode, given: ScheduleCheckupsInput
) -> list[CheckUp]:
    """Set up `count` check-ups, the first on `first_on`, then every `every_weeks` weeks."""
    _completed(actor, episode)
    assert episode.discharged_on is not None
    rules.check_schedule(
        first_on=given.first_on,
        discharged_on=episode.discharged_on,
        every_weeks=given.every_weeks,
        count=given.count,
    )
    if _returned(episode):
        raise RuleViolation("R12", "the client has returned to treatment: no check-ups after that")
    worker = _worker_for(actor, episode)
    made = CheckUp.objects.bulk_create(
        CheckUp(
            episode=episode,
            due_on=add_weeks(given.first_on, given.every_weeks * n),
            worker=worker,
            scheduled_by=user_or_none(actor),
        )
        for n in range(given.count)
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=episode,
        detail={
            "first_on": given.first_on.isoformat(),
            "every_weeks": given.every_weeks,
            "count": given.count,
        },
    )
    return made


def _services(codes: tuple[str, ...]) -> list[Entry]:
    offered = Entry.objects.offered()
    found = {
        e.code: e
        for e in offered.filter(code__in=codes)
        if e.group in SUGGESTED_GROUPS or e.kind == Entry.Kind.REFERRAL_DESTINATION
    }
    for code in codes:
        if code not in found:
            raise invalid(
                "further_services", f"'{code}' is not recovery support or a referral destination"
            )
    return [found[c] for c in codes]


@action
def record_checkup(*, actor: Actor, checkup: CheckUp, given: CheckUpInput) -> CheckUp:
    """What the check-up found: contact made or not, signs of lapse, further services."""
    episode = checkup.episode
    _completed(actor, episode)
    refuse_if_in_error(checkup, "check-up")
    if checkup.status != Status.DUE:
        raise RuleViolation(
            "R12", f"this check-up is already recorded: {checkup.get_status_display().lower()}"
        )
    assert episode.discharged_on is not None
    if given.lapse and given.lapse not in Lapse.values:
        raise invalid("lapse", f"choose one of {', '.join(Lapse.values)}")
    rules.check_record(
        done_on=given.done_on,
        discharged_on=episode.discharged_on,
        today=today(),
        contact_made=given.contact_made,
        lapse=given.lapse,
    )
    services = _services(given.further_services)
    checkup.status = Status.CONTACT_MADE if given.contact_made else Status.NO_CONTACT
    checkup.done_on = given.done_on
    checkup.lapse = given.lapse or Lapse.NOT_KNOWN
    checkup.notes = given.notes
    checkup.recorded_by = user_or_none(actor)
    checkup.save()
    checkup.further_services.set(services)
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=episode.client,
        obj=checkup,
        detail={"status": checkup.status, "lapse": checkup.lapse},
    )
    return checkup


@dataclass(frozen=True, kw_only=True)
class ReturnToTreatmentInput:
    """A return to treatment after completion: a new episode linked to the completed one."""

    on: dt.date = about("the day of the return")
    reason: str = about("why the client returns", default="")
    keyworker: Worker | None = about(
        "the keyworker (default: the last one, if still here)", default=None
    )


@action
def return_to_treatment(
    *, actor: Actor, episode: Episode, given: ReturnToTreatmentInput
) -> Episode:
    """One step back into treatment: a new episode in the same team, linked to the completed
    one, with its problem substances and (if still here) its keyworker; the check-ups still
    due are no longer needed."""
    _completed(actor, episode)
    assert episode.discharged_on is not None
    rules.check_return(on=given.on, discharged_on=episode.discharged_on, today=today())
    if not given.reason.strip():
        raise invalid("reason", "say why the client is returning (what the check-up found)")
    if _returned(episode):
        raise RuleViolation("EPISODE", "the client has already returned to treatment")
    substances = [
        SubstanceUse(code=s.substance.code, route=s.route, age_first_used=s.age_first_used)
        for s in episode.substances.select_related("substance").order_by("rank")
    ]
    new = clients.open_episode(
        actor=actor,
        client=episode.client,
        given=clients.OpenEpisodeInput(
            team=episode.team,
            referral_date=given.on,
            keyworker=given.keyworker or _worker_for(actor, episode),
            substances=substances,
            referral_source="Recovery check-up",
            injecting_status=episode.injecting_status,
            reason=(
                f"Returned to treatment after completion on {uk(episode.discharged_on)}: "
                + given.reason
            ),
        ),
    )
    due = CheckUp.objects.filter(episode=episode, status=Status.DUE, entered_in_error_at=None)
    due.update(status=Status.CANCELLED, returned_to=new)
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=new,
        detail={"from_episode": episode.pk, "reason": given.reason},
    )
    return new


@action
def mark_checkup_in_error(*, actor: Actor, checkup: CheckUp, given: Reason) -> CheckUp:
    """A mistaken record stays, marked, and no longer counts (rule 13)."""
    if not policies.can_work_with(actor, checkup.episode):
        raise AccessDenied("only keyworkers in the client's team correct its check-ups")
    mark_in_error_and_audit(
        actor,
        checkup,
        what="check-up",
        client=checkup.episode.client,
        reason=given.reason,
    )
    return checkup

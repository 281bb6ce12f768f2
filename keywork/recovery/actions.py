"""The only writers of recovery-capital checks: take one, mark one entered in error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.audit.trail import mark_in_error_and_audit
from keywork.clients import policies
from keywork.clients.models import Episode
from keywork.core.actors import Actor, user_or_none
from keywork.core.dates import today
from keywork.core.errors import AccessDenied, invalid
from keywork.core.inputs import Reason, about
from keywork.core.writes import action
from keywork.outcomes import rules as stages
from keywork.outcomes.models import Stage
from keywork.recovery import rules
from keywork.recovery.models import Check, Instrument
from keywork.recovery.queries import instrument_in_use

Verb = AuditEvent.Verb


@dataclass(frozen=True, kw_only=True)
class CheckInput:
    """A recovery-capital check: one start, then one at each care-plan review, then one exit
    (as outcome profiles, rule 11), on the open episode or the one discharged last."""

    stage: str = about("which check", choices=Stage)
    taken_on: dt.date = about("the day it was taken")
    answers: dict[str, int] = about(
        "each statement's answer on the instrument's scale: {statement code: answer}"
    )
    instrument: str = about(
        "the instrument's code (its latest version); the service's own, or `kw-rc10`",
        default="",
    )


def _instrument(code: str) -> Instrument:
    found = instrument_in_use(code)
    if found is None:
        raise invalid("instrument", f"'{code}' is not an instrument loaded here")
    return found


@action
def take_check(*, actor: Actor, episode: Episode, given: CheckInput) -> Check:
    """Record a recovery-capital check, scored as its instrument says."""
    worker = policies.worker_of(actor)
    if worker is None or not policies.can_work_with(actor, episode):
        raise AccessDenied("only keyworkers in the client's team take its recovery checks")
    if given.stage not in Stage.values:
        raise invalid("stage", f"choose one of {', '.join(Stage.values)}")
    instrument = _instrument(given.instrument)
    taken = Check.objects.filter(episode=episode, entered_in_error_at=None)
    stages.check_stage(
        stage=given.stage,
        taken_on=given.taken_on,
        start_on=taken.filter(stage=Stage.START).values_list("taken_on", flat=True).first(),
        exit_on=taken.filter(stage=Stage.EXIT).values_list("taken_on", flat=True).first(),
        referral_date=episode.referral_date,
        discharged_on=episode.discharged_on,
        today=today(),
        what="check",
    )
    rules.check_answers(given.answers, instrument.content)
    by_domain, total = rules.scores(given.answers, instrument.content)
    check = Check.objects.create(
        episode=episode,
        instrument=instrument,
        stage=given.stage,
        taken_on=given.taken_on,
        taken_by=worker,
        answers=dict(given.answers),
        scores={code: str(score) for code, score in by_domain.items()},
        total=total,
        next_due_on=rules.next_due(
            taken_on=given.taken_on,
            stage=given.stage,
            weeks=episode.service.care_plan_review_weeks,
        ),
        recorded_by=user_or_none(actor),
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=check,
        detail={
            "stage": given.stage,
            "taken_on": given.taken_on.isoformat(),
            "instrument": f"{instrument.code} {instrument.version}",
        },
    )
    return check


@action
def mark_check_in_error(*, actor: Actor, check: Check, given: Reason) -> Check:
    """A mistaken check stays, marked, and no longer counts (rule 13)."""
    if not policies.can_work_with(actor, check.episode):
        raise AccessDenied("only keyworkers in the client's team correct its recovery checks")
    mark_in_error_and_audit(
        actor,
        check,
        what="recovery capital check",
        client=check.episode.client,
        reason=given.reason,
    )
    return check

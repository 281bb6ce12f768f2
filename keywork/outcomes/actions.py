"""The only writers of outcome profiles: take one, mark one entered in error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

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
from keywork.outcomes import rules
from keywork.outcomes.models import DAY_ITEMS, RATINGS, SUBSTANCES, OutcomeProfile, Stage

Verb = AuditEvent.Verb
DAYS, YES, RATING = "days, 0 to 28", "in the past 28 days", "the client's rating, 0 to 20"


@dataclass(frozen=True, kw_only=True)
class ProfileInput:
    """An outcome profile: one start, then reviews, then one exit (rule 11), on the open
    episode or the one discharged last, not after its discharge. Days count the past 28."""

    stage: str = about("which profile", choices=Stage)
    taken_on: dt.date = about("the day it was taken")
    use: dict[str, tuple[int, Decimal | None]] = about(
        "per substance group (`alcohol` in units, `opiates`, `crack`, `cocaine`, "
        "`amphetamines`, `cannabis`, `other` in grams): [days used, typical amount on a day "
        "of use]; none with 0 days",
        default_factory=dict,
    )
    injecting_days: int = about(DAYS, default=0)
    shared_equipment: bool = about(YES, default=False)
    shoplifting_days: int = about(DAYS, default=0)
    selling_drugs_days: int = about(DAYS, default=0)
    other_theft: bool = about(YES, default=False)
    assault_or_violence: bool = about(YES, default=False)
    psychological_health: int = about(RATING)
    physical_health: int = about(RATING)
    quality_of_life: int = about(RATING)
    paid_work_days: int = about(DAYS, default=0)
    education_days: int = about(DAYS, default=0)
    acute_housing_problem: bool = about(YES, default=False)
    at_risk_of_eviction: bool = about(YES, default=False)


def _check_values(given: ProfileInput) -> None:
    for group, (days, amount) in given.use.items():
        if group not in SUBSTANCES:
            raise invalid("use", f"'{group}' is not one of {', '.join(SUBSTANCES)}")
        rules.check_use(group, days, amount, SUBSTANCES[group][1])
    for name in DAY_ITEMS:
        rules.check_days(name, getattr(given, name))
    for name in RATINGS:
        rules.check_rating(name, getattr(given, name))
    rules.check_sharing(given.injecting_days, given.shared_equipment)


@action
def take_outcomes(*, actor: Actor, episode: Episode, given: ProfileInput) -> OutcomeProfile:
    """Record an outcome profile: at the start, at a review, or at exit (rule 11)."""
    worker = policies.worker_of(actor)
    if worker is None or not policies.can_work_with(actor, episode):
        raise AccessDenied("only keyworkers in the client's team take its outcome profiles")
    if given.stage not in Stage.values:
        raise invalid("stage", f"choose one of {', '.join(Stage.values)}")
    taken = OutcomeProfile.objects.filter(episode=episode, entered_in_error_at=None)
    start = taken.filter(stage=Stage.START).values_list("taken_on", flat=True).first()
    exit_on = taken.filter(stage=Stage.EXIT).values_list("taken_on", flat=True).first()
    rules.check_stage(
        stage=given.stage,
        taken_on=given.taken_on,
        start_on=start,
        exit_on=exit_on,
        referral_date=episode.referral_date,
        discharged_on=episode.discharged_on,
        today=today(),
    )
    _check_values(given)
    profile = OutcomeProfile.objects.create(
        episode=episode,
        stage=given.stage,
        taken_on=given.taken_on,
        taken_by=worker,
        next_due_on=rules.next_due(
            taken_on=given.taken_on,
            stage=given.stage,
            months=episode.service.outcome_review_months,
        ),
        use={g: [d, str(a) if a is not None else None] for g, (d, a) in given.use.items()},
        recorded_by=user_or_none(actor),
        **{name: getattr(given, name) for name in (*DAY_ITEMS, *RATINGS)},
        shared_equipment=given.shared_equipment,
        other_theft=given.other_theft,
        assault_or_violence=given.assault_or_violence,
        acute_housing_problem=given.acute_housing_problem,
        at_risk_of_eviction=given.at_risk_of_eviction,
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=profile,
        detail={"stage": given.stage, "taken_on": given.taken_on.isoformat()},
    )
    return profile


@action
def mark_outcomes_in_error(
    *, actor: Actor, profile: OutcomeProfile, given: Reason
) -> OutcomeProfile:
    """A mistaken record stays, marked, and no longer counts (rule 13)."""
    if not policies.can_work_with(actor, profile.episode):
        raise AccessDenied("only keyworkers in the client's team correct its outcome profiles")
    mark_in_error_and_audit(
        actor,
        profile,
        what="outcome profile",
        client=profile.episode.client,
        reason=given.reason,
    )
    return profile

"""Reads about people: who is competent to deliver what, on which day (rule 4), and where
each practitioner stands on supervision, training and registration."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from keywork.access import rules
from keywork.access.models import (
    PRACTITIONER_ROLES,
    Competency,
    Registration,
    Supervision,
    Team,
    Worker,
)
from keywork.catalogue.models import MAX_DEPTH, Entry, Tier
from keywork.core.dates import uk


def covering_entries(entry: Entry) -> list[int]:
    """The entry and the entries it sits under: training or a registration in a parent
    (say, low-intensity interventions) covers its parts (say, guided self-help)."""
    ids: list[int] = []
    current: Entry | None = entry
    while current is not None and current.pk not in ids:
        ids.append(current.pk)
        current = current.parent
    return ids


def _rule(entry: Entry) -> str:
    return entry.tier.competence if entry.tier else Tier.Competence.ANY_KEYWORKER


def training_in_date(on: Any) -> Q:
    """A training (Competency) held on `on`, a date or a date expression."""
    return Q(trained_on__lte=on) & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))


def supervision_in_date(on: Any) -> Q:
    return Q(held_on__lte=on, lapses_on__gt=on)


def registration_in_date(on: Any) -> Q:
    return Q(valid_from__lte=on, expires_on__gte=on)


def _training(covered: list[int], on: dt.date) -> QuerySet[Competency]:
    return Competency.objects.filter(training_in_date(on), intervention_id__in=covered)


def _supervision(on: dt.date) -> QuerySet[Supervision]:
    return Supervision.objects.filter(supervision_in_date(on))


def _registration(covered: list[int], on: dt.date) -> QuerySet[Registration]:
    return Registration.objects.filter(registration_in_date(on), interventions__in=covered)


def competent_workers(entry: Entry, on: dt.date) -> QuerySet[Worker]:
    """Every worker competent to deliver `entry` on `on`, as one query."""
    workers = Worker.objects.filter(role__in=PRACTITIONER_ROLES)
    rule, covered = _rule(entry), covering_entries(entry)
    if rule == rules.TRAINED_AND_SUPERVISED:
        workers = workers.filter(Exists(_training(covered, on).filter(worker=OuterRef("pk"))))
    if rule in rules.NEEDS_REGISTRATION:
        workers = workers.filter(Exists(_registration(covered, on).filter(worker=OuterRef("pk"))))
    if rule in rules.NEEDS_SUPERVISION:
        workers = workers.filter(Exists(_supervision(on).filter(worker=OuterRef("pk"))))
    return workers


def competence_facts(worker: Worker, entry: Entry, on: dt.date) -> rules.CompetenceFacts:
    """What the records say, looking up only what the entry's rule asks for: nothing for
    an entry any keyworker delivers."""
    rule = _rule(entry)
    covered = covering_entries(entry) if rule != rules.ANY_KEYWORKER else []
    training = supervision = last = registration = None
    if rule == rules.TRAINED_AND_SUPERVISED:
        training = _training(covered, on).filter(worker=worker).order_by("trained_on").first()
    if rule in rules.NEEDS_SUPERVISION:
        supervision = _supervision(on).filter(worker=worker).order_by("-lapses_on").first()
        held = Supervision.objects.filter(worker=worker, held_on__lte=on)
        last = None if supervision else held.order_by("-lapses_on").first()
    if rule in rules.NEEDS_REGISTRATION:
        registration = _registration(covered, on).filter(worker=worker).first()
    return rules.CompetenceFacts(
        worker=worker.name,
        is_practitioner=worker.is_practitioner,
        intervention=entry.name,
        tier=entry.tier.name if entry.tier else "Keyworking",
        rule=rule,
        on=on,
        trained_on=training.trained_on if training else None,
        supervision_lapses_on=supervision.lapses_on if supervision else None,
        last_supervision_lapsed_on=last.lapses_on if last else None,
        registration=(
            f"{registration.body} {registration.number}, in date until "
            f"{uk(registration.expires_on)}"
            if registration
            else None
        ),
    )


def is_competent(worker: Worker, entry: Entry, on: dt.date) -> rules.Competence:
    """Is this worker competent to deliver this catalogue intervention on this date?"""
    return rules.assess_competence(competence_facts(worker, entry, on))


def check_competent(worker: Worker, entry: Entry, on: dt.date) -> None:
    """Refuse with rule 4 when the worker is not competent, naming competent colleagues in
    their team and offering a ready-filled referral instead."""
    verdict = is_competent(worker, entry, on)
    if verdict.competent:
        return
    team = competent_workers(entry, on).filter(team=worker.team, user__is_active=True)
    colleagues = list(team.exclude(pk=worker.pk).select_related("user")[:3])
    message = verdict.reason
    if colleagues:
        message += " Competent in your team: " + ", ".join(c.name for c in colleagues) + "."
    specialist = _rule(entry) in rules.NEEDS_REGISTRATION
    raise rules.RuleViolation(
        "R4",
        message,
        field="interventions",
        suggestion={
            "referral": {
                "destination": "ref.specialist" if specialist else "colleague",
                "intervention": entry.code,
                "reason": f"{entry.name}: needs a practitioner competent to deliver it",
            },
            "colleagues": [c.user.username for c in colleagues],
        },
    )


def _covered(ids: QuerySet[Competency] | QuerySet[Registration], field: str) -> Q:
    """Entries that are, or sit under, one of the given entries: at any depth the catalogue
    allows (MAX_DEPTH), as `covering_entries` walks up from one entry."""
    chosen = ids.values(field)
    above = ("__".join(["parent"] * n) or "pk" for n in range(MAX_DEPTH))
    return reduce(operator.or_, (Q(**{f"{path}__in": chosen}) for path in above))


def competent_entries(worker: Worker, on: dt.date) -> QuerySet[Entry]:
    """Every offered catalogue entry this worker may deliver on `on`, as one query: what the
    session form offers (the actions still check each one)."""
    entries = Entry.objects.offered()
    if not worker.is_practitioner:
        return entries.none()
    anyone = Q(tier__isnull=True) | Q(tier__competence=Tier.Competence.ANY_KEYWORKER)
    trained = Q(tier__competence=Tier.Competence.TRAINED_AND_SUPERVISED) & _covered(
        Competency.objects.filter(training_in_date(on), worker=worker), "intervention_id"
    )
    held = _covered(
        Registration.objects.filter(registration_in_date(on), worker=worker), "interventions"
    )
    registered = Q(tier__competence=Tier.Competence.REGISTERED) & held
    supervised = Q(tier__competence=Tier.Competence.REGISTERED_AND_SUPERVISED) & held
    if not _supervision(on).filter(worker=worker).exists():
        trained = supervised = Q(pk__in=[])
    return entries.filter(anyone | trained | registered | supervised)


def workers_by_username(usernames: list[str]) -> dict[str, Worker]:
    """The workers named (an import line names a worker by username)."""
    found = Worker.objects.select_related("user", "team").filter(user__username__in=usernames)
    return {w.user.username: w for w in found}


# What a team leader sees coming: supervision lapsing and registrations expiring within
# four weeks, as well as those lapsed already.
DUE_SOON = dt.timedelta(weeks=4)


@dataclass(frozen=True)
class Standing:
    """Where a practitioner stands on `day` for rule 4: supervision, Keywork+ training,
    registrations. `state` words: "lapsed", "due" (within DUE_SOON), "in date", "none"."""

    worker: Worker
    day: dt.date
    supervised_until: dt.date | None  # the first day the latest supervision no longer covers
    trained: int  # Keywork+ trainings held on the day
    withdrawn: list[Competency]  # trainings withdrawn, most recent first
    registrations: list[Registration]  # the latest with each body, expiring soonest first

    @property
    def supervision(self) -> str:
        return _state(self.supervised_until, self.day, last_day=False)

    @property
    def registered(self) -> list[tuple[Registration, str]]:
        """Each registration with its state."""
        return [(r, _state(r.expires_on, self.day, last_day=True)) for r in self.registrations]


def _state(until: dt.date | None, day: dt.date, *, last_day: bool) -> str:
    if until is None:
        return "none"
    ends = until + dt.timedelta(days=1) if last_day else until  # the first day out of date
    if ends <= day:
        return "lapsed"
    return "due" if ends - day <= DUE_SOON else "in date"


def _latest_by_body(held: list[Registration]) -> list[Registration]:
    """One registration per body: the one that runs longest (a renewal replaces the old)."""
    latest = {r.body: r for r in held}  # `held` is in order of expiry
    return sorted(latest.values(), key=lambda r: r.expires_on)


def practitioners_of(service_id: int, team: Team | None = None) -> QuerySet[Worker]:
    """The keyworkers and team leaders of a service, or of one team of it (accounts
    disabled since included: reports look back)."""
    workers = Worker.objects.filter(service_id=service_id, role__in=PRACTITIONER_ROLES)
    return workers.filter(team=team) if team is not None else workers


LISTED_MOST = 300  # practitioners a list to choose from holds; more, and the username is typed


def practitioners_to_choose(service_id: int, team: Team | None) -> list[Worker] | None:
    """The practitioners of a service (or one team of it) by name, for a list to choose a
    keyworker from; None when there are more than a list can hold."""
    found = practitioners_of(service_id, team)
    if found.order_by()[LISTED_MOST : LISTED_MOST + 1].exists():  # too many: not sorted
        return None
    return list(found.select_related("user").order_by("user__first_name", "user__last_name", "pk"))


def practitioners_led_by(leader: Worker) -> QuerySet[Worker]:
    """The active keyworkers and team leaders of a team leader's team, or of a service
    manager's service."""
    assert leader.service_id is not None
    led = practitioners_of(leader.service_id, leader.team if leader.team_id else None)
    return led.filter(user__is_active=True)


BY_NAME = ("user__last_name", "user__first_name", "pk")


def standing(workers: QuerySet[Worker], day: dt.date) -> list[Standing]:
    """Each worker's standing on `day`, in three queries whatever the number."""
    latest = Supervision.objects.filter(worker=OuterRef("pk"), held_on__lte=day)
    held = (
        Competency.objects.filter(training_in_date(day), worker=OuterRef("pk"))
        .values("worker")
        .annotate(n=Count("pk"))
        .values("n")
    )
    found = (
        workers.select_related("user", "team")
        .annotate(
            supervised_until=Subquery(latest.order_by("-lapses_on").values("lapses_on")[:1]),
            trained=Coalesce(Subquery(held), 0),
        )
        .prefetch_related(
            Prefetch(
                "competencies",
                Competency.objects.filter(withdrawn_on__lte=day)
                .select_related("intervention")
                .order_by("-withdrawn_on"),
                to_attr="withdrawn",
            ),
            Prefetch(
                "registrations",
                Registration.objects.filter(valid_from__lte=day).order_by("expires_on"),
                to_attr="held",
            ),
        )
        .order_by(*BY_NAME)
    )
    return [
        Standing(
            worker=w,
            day=day,
            supervised_until=w.supervised_until,
            trained=w.trained,
            withdrawn=w.withdrawn,
            registrations=_latest_by_body(w.held),
        )
        for w in found
    ]

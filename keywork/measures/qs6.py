"""NICE quality statement 6 (DOMAIN.md, "The quality measure"): people in drug treatment are
offered appropriate psychosocial interventions by their keyworker.

A client of the denominator is counted when, on some day of the period, they attended a
session (not entered in error) in which a psychosocial intervention was delivered, either
recorded on the session or by counting the session towards a structured intervention (as
last amended, not entered in error), and on that day:

1. the worker was their allocated keyworker and facilitated the session;
2. the intervention was appropriate: listed for the client's phase that day (or for
   reintegration, which runs alongside every phase), or named on a goal of the care plan in
   force that day (the entry, its parent or the same national definition);
3. the keyworker was competent to deliver it (rule 4): Keywork+ needs training and
   supervision in date, specialist work a registration in date.

Each step is the set of clients with such a session, computed once (not client by client);
the steps add the conditions one at a time so that a client not counted is given the first
that fails."""

from __future__ import annotations

from django.db import connection
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from keywork.access.models import Competency, Registration, Supervision
from keywork.access.queries import registration_in_date, supervision_in_date, training_in_date
from keywork.careplans.models import CarePlan, Goal
from keywork.catalogue.models import Entry, Tier
from keywork.clients.models import Allocation, PhaseChange, ProblemSubstance
from keywork.interventions.models import Answer, Intervention, Offer
from keywork.measures.framework import Measure, Period, Scope, Step
from keywork.sessions.models import Attendance, Outcome

ATTENDANCE = "attendance"
RESTRICTED = (
    Tier.Competence.TRAINED_AND_SUPERVISED,
    Tier.Competence.REGISTERED,
    Tier.Competence.REGISTERED_AND_SUPERVISED,
)
DAY = "attendance__session__day"
EPISODE = "attendance__episode_id"


def _after_completion() -> list[int]:
    """Rule 12: support after a successful completion is not drug treatment, so it never
    counts, nor does offering it."""
    return list(
        Entry.objects.filter(attributes__after_completion=True).values_list("pk", flat=True)
    )


def _attended(
    period: Period, scope: Scope, clients: QuerySet | None, via: str = ""
) -> dict[str, object]:
    """Attended sessions in the service in the period, not in error, as filters on the
    attendance (reached through `via`); only of `clients` when given."""
    narrowed = {} if clients is None else {f"{via}episode__client__in": clients}
    return {
        **narrowed,
        f"{via}episode__service": scope.service,
        f"{via}outcome": Outcome.ATTENDED,
        f"{via}entered_in_error_at": None,
        f"{via}session__day__gte": period.start,
        f"{via}session__day__lte": period.end,
    }


def _delivered(
    period: Period, scope: Scope, clients: QuerySet | None
) -> list[tuple[QuerySet, str]]:
    """The two places a delivered intervention is recorded, as rows of (attendance, entry)
    for attended sessions in the period, with the entry's path."""
    attended = _attended(period, scope, clients, via=f"{ATTENDANCE}__")
    on_session = Attendance.interventions.through.objects.filter(**attended)
    structured = Intervention.sessions.through.objects.filter(
        intervention__entered_in_error_at=None, **attended
    )
    return [(on_session, "entry"), (structured, "intervention__entry")]


def _by_keyworker(entry: str, *, competent: bool) -> Exists:
    """The session's facilitator was the client's keyworker that day (and competent)."""
    keyworker = Allocation.objects.filter(
        episode_id=OuterRef(EPISODE),
        started_on__lte=OuterRef(DAY),
        worker__facilitated_sessions=OuterRef("attendance__session_id"),
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef(DAY)))
    if competent:
        keyworker = keyworker.filter(_competent(entry))
    return Exists(keyworker)


def _covering(entry: str, field: str) -> Q:
    """Training or registration in the entry or the entries it sits under (rule 4)."""
    return (
        Q(**{field: OuterRef(OuterRef(f"{entry}_id"))})
        | Q(**{field: OuterRef(OuterRef(f"{entry}__parent_id"))})
        | Q(**{field: OuterRef(OuterRef(f"{entry}__parent__parent_id"))})
    )


def _competent(entry: str) -> Q:
    """Inside the allocation: its worker competent for the entry on the session's day."""
    day = OuterRef(OuterRef(DAY))
    rule = Coalesce(  # an entry with no tier: keyworking, anyone's
        OuterRef(f"{entry}__tier__competence"),
        Value(Tier.Competence.ANY_KEYWORKER),
        output_field=CharField(),
    )
    worker = OuterRef("worker_id")
    trained = Competency.objects.filter(
        _covering(entry, "intervention_id"), training_in_date(day), worker_id=worker
    )
    supervised = Supervision.objects.filter(supervision_in_date(day), worker_id=worker)
    registered = Registration.objects.filter(
        _covering(entry, "interventions"), registration_in_date(day), worker_id=worker
    )
    return (
        Q(Exact(rule, Tier.Competence.ANY_KEYWORKER))
        | Q(
            Exact(rule, Tier.Competence.TRAINED_AND_SUPERVISED), Exists(trained), Exists(supervised)
        )
        | Q(Exact(rule, Tier.Competence.REGISTERED), Exists(registered))
        | Q(
            Exact(rule, Tier.Competence.REGISTERED_AND_SUPERVISED),
            Exists(registered),
            Exists(supervised),
        )
    )


def _appropriate(rows: QuerySet, entry: str) -> QuerySet:
    """Listed for the phase that day (or for reintegration), or named in the plan in force."""
    rows = rows.annotate(
        phase=Subquery(
            PhaseChange.objects.filter(episode_id=OuterRef(EPISODE), changed_on__lte=OuterRef(DAY))
            .order_by("-changed_on", "-pk")
            .values("to_phase_id")[:1]
        ),
        plan=Subquery(
            CarePlan.objects.filter(episode_id=OuterRef(EPISODE), agreed_on__lte=OuterRef(DAY))
            .order_by("-version")
            .values("pk")[:1]
        ),
    )
    listed = Entry.phases.through.objects.filter(entry_id=OuterRef(f"{entry}_id")).filter(
        Q(phase_id=OuterRef("phase")) | Q(phase__in_sequence=False)
    )
    named = Goal.interventions.through.objects.filter(goal__care_plan_id=OuterRef("plan")).filter(
        Q(entry_id=OuterRef(f"{entry}_id"))
        | Q(entry_id=OuterRef(f"{entry}__parent_id"))
        | Q(entry_id=OuterRef(f"{entry}__reports_as_id"))
        | Q(entry__reports_as_id=OuterRef(f"{entry}__reports_as_id"))
    )
    return rows.filter(Exists(listed) | Exists(named))


class QS6(Measure):
    code = "qs6"
    title = "Psychosocial interventions from the keyworker (NICE QS23, statement 6)"
    statement = (
        "People in drug treatment are offered appropriate psychosocial interventions by "
        "their keyworker."
    )
    excludes = "Clients with no drug among their problem substances (alcohol only), unless asked."
    counts = (
        "Attended a session in the period, not entered in error, in which a psychosocial "
        "intervention was delivered (on the session, or through a structured intervention it "
        "counts towards) by their allocated keyworker of the day, appropriate to their phase "
        "that day or named in the care plan in force, and within the keyworker's competence "
        "that day."
    )

    def exclusion(self, period: Period, scope: Scope) -> Q | None:
        if scope.include_alcohol_only:
            return None
        drug = ProblemSubstance.objects.filter(
            episode__in=self.episodes(period, scope), substance__attributes__is_drug=True
        )
        return ~Q(pk__in=drug.values("episode__client"))

    def _offers(self, period: Period, scope: Scope) -> QuerySet[Offer]:
        """Psychosocial interventions offered in the period (not support after completion),
        not in error, by the client's keyworker of the day."""
        keyworker = Allocation.objects.filter(
            episode_id=OuterRef("episode_id"),
            worker_id=OuterRef("offered_by_id"),
            started_on__lte=OuterRef("offered_on"),
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("offered_on")))
        clients = self.narrowed_to(period, scope)
        found = Offer.objects.filter(
            self.open_in(period, scope, via="episode__"),
            entered_in_error_at=None,
            offered_on__gte=period.start,
            offered_on__lte=period.end,
            entry__psychosocial=True,
        ).filter(Exists(keyworker))
        found = found.exclude(entry_id__in=_after_completion())
        return found if clients is None else found.filter(episode__client__in=clients)

    def offered(self, period: Period, scope: Scope) -> Q:
        """Seed 000: people in drug treatment "are offered appropriate psychosocial
        interventions by their keyworker": offered by the keyworker, whatever the answer."""
        return Q(pk__in=self._offers(period, scope).values("episode__client"))

    def explanations(self, period: Period, scope: Scope) -> list[Step]:
        declined = self._offers(period, scope).filter(answer=Answer.DECLINED)
        return [
            Step(
                Q(pk__in=declined.values("episode__client")),
                "offered by their keyworker and declined",
                "offered_declined",
            )
        ]

    def steps(self, period: Period, scope: Scope) -> list[Step]:
        clients = self.narrowed_to(period, scope)
        sources = _delivered(period, scope, clients)
        after = _after_completion()

        def any_of(narrow) -> Q:  # type: ignore[no-untyped-def]
            found = Q()
            for rows, entry in sources:
                treatment = rows.filter(**{f"{entry}__psychosocial": True}).exclude(
                    **{f"{entry}_id__in": after}
                )
                psychosocial = narrow(treatment, entry)
                for part in psychosocial if isinstance(psychosocial, list) else [psychosocial]:
                    found |= Q(pk__in=part.values(f"{ATTENDANCE}__episode__client"))
            return found

        def competent(rows: QuerySet, entry: str) -> list[QuerySet]:
            """Entries any keyworker may deliver need no competence check (rule 4); only
            Keywork+ and specialist entries look up training, supervision and registration.
            The same rows either way; PostgreSQL plans the two halves best as two sets,
            SQLite as one pass with both conditions (bench/qs6.py)."""
            restricted = list(
                Entry.objects.filter(tier__competence__in=RESTRICTED).values_list("pk", flat=True)
            )
            needs = Q(**{f"{entry}_id__in": restricted})
            by_anyone = ~needs & Q(_by_keyworker(entry, competent=False))
            checked = needs & Q(_by_keyworker(entry, competent=True))
            if connection.vendor == "postgresql":
                return [
                    _appropriate(rows.filter(by_anyone), entry),
                    _appropriate(rows.filter(checked), entry),
                ]
            return [_appropriate(rows.filter(by_anyone | checked), entry)]

        attended = Attendance.objects.filter(**_attended(period, scope, clients))
        return [
            Step(
                Q(pk__in=attended.values("episode__client")),
                "no attended session in the period",
                "no_attended_session",
            ),
            Step(
                any_of(lambda rows, entry: rows),
                "attended sessions, none with a psychosocial intervention",
                "no_psychosocial_intervention",
            ),
            Step(
                any_of(lambda rows, entry: rows.filter(_by_keyworker(entry, competent=False))),
                "psychosocial interventions delivered by someone other than their keyworker",
                "not_by_keyworker",
            ),
            Step(
                any_of(
                    lambda rows, entry: _appropriate(
                        rows.filter(_by_keyworker(entry, competent=False)), entry
                    )
                ),
                "not appropriate for their phase and not in their care plan",
                "not_appropriate",
            ),
            Step(
                any_of(competent),
                "the keyworker was not competent to deliver it on the day",
                "not_competent",
            ),
        ]

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

Each row (an attended session, or a psychosocial intervention delivered at one) passes the
conditions in turn, and a client passes as many steps as their best row; a client not
counted is given the first that fails (keywork/measures/framework.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from keywork.access.models import Competency, Registration, Supervision
from keywork.access.queries import registration_in_date, supervision_in_date, training_in_date
from keywork.careplans.models import CarePlan, Goal
from keywork.catalogue.models import Entry, Tier
from keywork.clients.models import Allocation, Client, PhaseChange, ProblemSubstance
from keywork.interventions.models import Answer, Intervention, Offer
from keywork.measures.framework import Measure, Period, Scope, Source, Step
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


def _competent_keyworker(entry: str) -> Exists:
    """The session's facilitator was the client's keyworker that day, and competent."""
    keyworker = Allocation.objects.filter(
        episode_id=OuterRef(EPISODE),
        started_on__lte=OuterRef(DAY),
        worker__facilitated_sessions=OuterRef("attendance__session_id"),
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef(DAY)))
    return Exists(keyworker.filter(_competent(entry)))


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


def _placed(rows: QuerySet[Any]) -> QuerySet[Any]:
    """Each row with the client's phase that day and the care plan in force (not selected:
    looked up only for the rows that reach the question)."""
    placed: QuerySet[Any] = rows.alias(
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
    return placed


def _appropriate(entry: str) -> Q:
    """Listed for the phase that day (or for reintegration), or named in the plan in force."""
    listed = Entry.phases.through.objects.filter(entry_id=OuterRef(f"{entry}_id")).filter(
        Q(phase_id=OuterRef("phase")) | Q(phase__in_sequence=False)
    )
    named = Goal.interventions.through.objects.filter(goal__care_plan_id=OuterRef("plan")).filter(
        Q(entry_id=OuterRef(f"{entry}_id"))
        | Q(entry_id=OuterRef(f"{entry}__parent_id"))
        | Q(entry_id=OuterRef(f"{entry}__reports_as_id"))
        | Q(entry__reports_as_id=OuterRef(f"{entry}__reports_as_id"))
    )
    return Q(Exists(listed)) | Q(Exists(named))


def _with_the_keyworker(rows: QuerySet[Any]) -> QuerySet[Any]:
    """Each row with `keyworker`: a facilitator's allocation to the episode in force that
    day, or none. A join (a left one), where a look-up for each row cost PostgreSQL most of
    the pass."""
    joined: QuerySet[Any] = rows.annotate(
        keyworker=FilteredRelation(
            f"{ATTENDANCE}__session__facilitators__allocations",
            condition=Q(
                **{
                    f"{ATTENDANCE}__session__facilitators__allocations__episode_id": F(EPISODE),
                    f"{ATTENDANCE}__session__facilitators__allocations__started_on__lte": F(DAY),
                }
            )
            & (
                Q(**{f"{ATTENDANCE}__session__facilitators__allocations__ended_on__isnull": True})
                | Q(**{f"{ATTENDANCE}__session__facilitators__allocations__ended_on__gt": F(DAY)})
            ),
        )
    )
    return joined


def _level(entry: str, restricted: list[int]) -> Case:
    """How many steps a psychosocial row passes: it has a session (1) and a psychosocial
    intervention (2); then by the keyworker of the day (3), appropriate (4), within their
    competence (5: counted). Entries any keyworker may deliver need no competence look-up
    (rule 4); only Keywork+ and specialist entries look up training, supervision and
    registration."""
    return Case(
        When(keyworker__id__isnull=True, then=Value(2)),
        When(~_appropriate(entry), then=Value(3)),
        When(
            Q(**{f"{entry}_id__in": restricted}) & ~Q(_competent_keyworker(entry)),
            then=Value(4),
        ),
        default=Value(5),
    )


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

    steps = (
        Step("no attended session in the period", "no_attended_session"),
        Step(
            "attended sessions, none with a psychosocial intervention",
            "no_psychosocial_intervention",
        ),
        Step(
            "psychosocial interventions delivered by someone other than their keyworker",
            "not_by_keyworker",
        ),
        Step("not appropriate for their phase and not in their care plan", "not_appropriate"),
        Step("the keyworker was not competent to deliver it on the day", "not_competent"),
    )
    explained_by = (Step("offered by their keyworker and declined", "offered_declined"),)
    offers = True

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
        clients = self.within(period, scope)
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

    def explanations(self, period: Period, scope: Scope) -> dict[str, Q]:
        declined = self._offers(period, scope).filter(answer=Answer.DECLINED)
        return {"offered_declined": Q(pk__in=declined.values("episode__client"))}

    def sources(
        self, period: Period, scope: Scope, clients: QuerySet[Client, Any] | None
    ) -> list[Source]:
        """Every attended session (one step passed), and every psychosocial intervention
        delivered at one, on the session or through a structured intervention (two or more;
        support after a completion is not treatment, rule 12)."""
        after = _after_completion()
        restricted = list(
            Entry.objects.filter(tier__competence__in=RESTRICTED).values_list("pk", flat=True)
        )
        attended = Attendance.objects.filter(**_attended(period, scope, clients))
        found = [Source(attended, "episode__client", "session__day", 1)]
        client = f"{ATTENDANCE}__episode__client"
        for rows, entry in _delivered(period, scope, clients):
            psychosocial = rows.filter(**{f"{entry}__psychosocial": True}).exclude(
                **{f"{entry}_id__in": after}
            )
            found.append(
                Source(
                    _placed(_with_the_keyworker(psychosocial)),
                    client,
                    DAY,
                    _level(entry, restricted),
                )
            )
        return found

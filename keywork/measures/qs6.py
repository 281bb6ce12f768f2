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

from dataclasses import dataclass
from typing import Any

from django.db import connection
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
from keywork.core.expressions import Unindexed
from keywork.interventions.models import Answer, Intervention, Offer
from keywork.measures.framework import Measure, Period, Scope, Source, Step
from keywork.sessions.models import Attendance, KeyworkSession, Outcome

RESTRICTED = (
    Tier.Competence.TRAINED_AND_SUPERVISED,
    Tier.Competence.REGISTERED,
    Tier.Competence.REGISTERED_AND_SUPERVISED,
)
PSYCHOSOCIAL = "psychosocial"  # on an attendance: a psychosocial intervention recorded on it


@dataclass(frozen=True)
class Path:
    """Where a row's attendance is (`via`, '' when the rows are attendances) and the entry
    delivered (`entry`)."""

    via: str
    entry: str

    @property
    def day(self) -> str:
        return f"{self.via}session__day"

    @property
    def episode(self) -> str:
        return f"{self.via}episode_id"

    @property
    def session(self) -> str:
        return f"{self.via}session_id"


ON_SESSION = Path("", PSYCHOSOCIAL)
STRUCTURED = Path("attendance__", "intervention__entry")


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


def _on_session(period: Period, scope: Scope, clients: QuerySet | None) -> QuerySet[Attendance]:
    """Every attended session, once for each psychosocial intervention recorded on it (not
    support after a completion, rule 12), or once with none: one pass judges both."""
    after = _after_completion()
    rows: QuerySet[Attendance] = Attendance.objects.filter(
        **_attended(period, scope, clients)
    ).annotate(
        **{
            PSYCHOSOCIAL: FilteredRelation(
                "interventions",
                condition=Q(interventions__psychosocial=True) & ~Q(interventions__pk__in=after),
            )
        }
    )
    return rows


def _structured(period: Period, scope: Scope, clients: QuerySet | None) -> QuerySet[Any]:
    """Attended sessions counted towards a structured psychosocial intervention (as last
    amended, not entered in error; not support after a completion)."""
    attended = _attended(period, scope, clients, via=STRUCTURED.via)
    return Intervention.sessions.through.objects.filter(
        intervention__entered_in_error_at=None,
        intervention__entry__psychosocial=True,
        **attended,
    ).exclude(intervention__entry_id__in=_after_completion())


def _competent_keyworker(path: Path) -> Q:
    """The keyworker of the day (the allocation joined to the row as `keyworker`, see
    `_with_the_keyworker`) competent for the entry on the session's day. Asked of the joined
    allocation's worker: finding the allocation again through the session's facilitators
    cost PostgreSQL 0.2 s of the pass at 30,000 clients."""
    entry = path.entry
    day = OuterRef(path.day)
    rule = Coalesce(  # an entry with no tier: keyworking, anyone's
        F(f"{entry}__tier__competence"),
        Value(Tier.Competence.ANY_KEYWORKER),
        output_field=CharField(),
    )
    worker = OuterRef("keyworker__worker_id")
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


def _covering(entry: str, field: str) -> Q:
    """Training or registration in the entry or the entries it sits under (rule 4)."""
    return (
        Q(**{field: OuterRef(f"{entry}__id")})
        | Q(**{field: OuterRef(f"{entry}__parent_id")})
        | Q(**{field: OuterRef(f"{entry}__parent__parent_id")})
    )


def _placed(rows: QuerySet[Any], path: Path) -> QuerySet[Any]:
    """Each row with the client's phase that day and the care plan in force (not selected:
    looked up only for the rows that reach the question)."""
    episode, day = OuterRef(path.episode), OuterRef(path.day)
    placed: QuerySet[Any] = rows.alias(
        phase=Subquery(
            PhaseChange.objects.filter(episode_id=episode, changed_on__lte=day)
            .order_by("-changed_on", "-pk")
            .values("to_phase_id")[:1]
        ),
        plan=Subquery(
            CarePlan.objects.filter(episode_id=episode, agreed_on__lte=day)
            .order_by("-version")
            .values("pk")[:1]
        ),
    )
    return placed


def _appropriate(entry: str) -> Q:
    """Listed for the phase that day (or for reintegration), or named in the plan in force."""
    listed = Entry.phases.through.objects.filter(entry_id=OuterRef(f"{entry}__id")).filter(
        Q(phase_id=OuterRef("phase")) | Q(phase__in_sequence=False)
    )
    named = Goal.interventions.through.objects.filter(goal__care_plan_id=OuterRef("plan")).filter(
        Q(entry_id=OuterRef(f"{entry}__id"))
        | Q(entry_id=OuterRef(f"{entry}__parent_id"))
        | Q(entry_id=OuterRef(f"{entry}__reports_as_id"))
        | Q(entry__reports_as_id=OuterRef(f"{entry}__reports_as_id"))
    )
    return Q(Exists(listed)) | Q(Exists(named))


def _with_the_keyworker(rows: QuerySet[Any], path: Path) -> QuerySet[Any]:
    """Each row with `keyworker`: the episode's allocation in force that day, or none. A join
    (a left one), where a look-up for each row cost PostgreSQL most of the pass. Joined by
    the episode, not through the session's facilitators and their workers to the
    allocations they hold: that is one row for each facilitator, two joins more, and took
    SQLite 1.69 s of the pass against 1.50 at 30,000 clients (PostgreSQL the same either
    way). Whether the keyworker facilitated is asked of the rows that reach it
    (`_facilitated`)."""
    allocations = f"{path.via}episode__allocations"
    joined: QuerySet[Any] = rows.annotate(
        keyworker=FilteredRelation(
            allocations,
            condition=Q(**{f"{allocations}__started_on__lte": F(path.day)})
            & (
                Q(**{f"{allocations}__ended_on__isnull": True})
                | Q(**{f"{allocations}__ended_on__gt": F(path.day)})
            ),
        )
    )
    return joined


def _facilitated(path: Path) -> Exists:
    """The keyworker of the day (`_with_the_keyworker`) facilitated the row's session."""
    return Exists(
        KeyworkSession.facilitators.through.objects.filter(
            keyworksession_id=OuterRef(path.session), worker_id=OuterRef("keyworker__worker_id")
        )
    )


def _level(path: Path, restricted: list[int]) -> Case:
    """How many steps a row passes: an attended session (1) with a psychosocial
    intervention (2); then by the keyworker of the day (3), appropriate (4), within their
    competence (5: counted). Entries any keyworker may deliver need no competence look-up
    (rule 4); only Keywork+ and specialist entries look up training, supervision and
    registration."""
    entry = path.entry
    return Case(
        When(**{f"{entry}__id__isnull": True}, then=Value(1)),
        When(Q(keyworker__id__isnull=True) | ~_facilitated(path), then=Value(2)),
        When(~_appropriate(entry), then=Value(3)),
        When(
            Q(**{f"{entry}__id__in": restricted}) & ~_competent_keyworker(path),
            then=Value(4),
        ),
        default=Value(5),
    )


def _of_each_client(rows: QuerySet[Any]) -> Exists | Q:
    """Whether the client (of an outer query on clients) has any of `rows` (reached through
    their episode). On PostgreSQL, EXISTS, looked up along the client's episodes, or an
    anti-join where it filters; not `pk IN (...)`, a set PostgreSQL hashes only while it
    fits in its work_mem, and otherwise scans again for every client (at 330,000 clients, a
    month's count ran for many minutes). On SQLite, `pk IN (...)`: SQLite makes the set
    once, an index of its own, where EXISTS looked up each client's episodes one by one (a
    month's denominator 970 against 280 to 460 ms at 330,000 clients)."""
    if connection.vendor == "sqlite":
        return Q(pk__in=rows.values("episode__client"))
    return Exists(rows.filter(episode__client=OuterRef("pk")))


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

    def kept(self, period: Period, scope: Scope) -> Exists | Q | None:
        """A drug among the problem substances of an episode in treatment in the period
        (everyone in treatment when alcohol only is asked to be kept)."""
        if scope.include_alcohol_only:
            return None
        drugs = Entry.objects.filter(attributes__is_drug=True).values_list("pk", flat=True)
        drug = ProblemSubstance.objects.alias(drug=Unindexed("substance_id")).filter(
            self.open_in(period, scope, via="episode__"), drug__in=list(drugs)
        )  # the drugs as a list: the database cannot tell how many rows a JSON test keeps
        clients = self.within(period, scope)  # a team's or a keyworker's: theirs alone
        if clients is not None:
            drug = drug.filter(episode__client__in=clients)
        return _of_each_client(drug)

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
        return Q(_of_each_client(self._offers(period, scope)))

    def explanations(self, period: Period, scope: Scope) -> dict[str, Q]:
        declined = self._offers(period, scope).filter(answer=Answer.DECLINED)
        return {"offered_declined": Q(_of_each_client(declined))}

    def sources(
        self, period: Period, scope: Scope, clients: QuerySet[Client, Any] | None
    ) -> list[Source]:
        """Every attended session, with each psychosocial intervention delivered at it, on the
        session or through a structured intervention it counts towards."""
        restricted = list(
            Entry.objects.filter(tier__competence__in=RESTRICTED).values_list("pk", flat=True)
        )
        found = []
        for path, rows, client in (
            (ON_SESSION, _on_session(period, scope, clients), "episode__client"),
            (STRUCTURED, _structured(period, scope, clients), "attendance__episode__client"),
        ):
            found.append(
                Source(
                    _placed(_with_the_keyworker(rows, path), path),
                    client,
                    path.day,
                    _level(path, restricted),
                )
            )
        return found

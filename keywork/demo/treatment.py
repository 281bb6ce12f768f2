"""Demo prescribing, recovery support and referrals, written through the actions (a few per
team), so they keep rules 4, 6, 7 and 8 and the referral rules as a worker's entry does.

- Opioid clients on methadone or buprenorphine: the dose titrated up, supervision relaxed
  once stable; one withdrawal finished.
- Facilitated access to mutual aid, with the first contact arranged.
- A course of motivational interviewing for a few of kw.amira's clients: named on a goal of a
  new care-plan version, planned for six sessions, her attended sessions since counted (rule 5).
- Referrals in every status, one stalled past its chase date, one made without consent
  under an override."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from keywork.access.models import Supervision, Team, Worker
from keywork.careplans import actions as careplans
from keywork.careplans.actions import ActionInput, GoalInput, PlanInput
from keywork.careplans.models import CarePlan
from keywork.careplans.queries import current_plan
from keywork.clients.models import Episode, ProblemSubstance
from keywork.core.dates import today as local_today
from keywork.interventions import actions as interventions
from keywork.interventions.actions import FirstContact, InterventionInput
from keywork.prescribing import actions as prescribing
from keywork.prescribing.actions import DoseInput, PrescriptionInput
from keywork.referrals import actions as referrals
from keywork.referrals.actions import ReferralInput
from keywork.sessions.models import Attendance, Outcome

PRESCRIBED_PER_TEAM = 6
MUTUAL_AID_PER_TEAM = 2
STRUCTURED = ("kw.amira", "kwp.motivational-interviewing", 3)  # practitioner, intervention, clients
PLANNED_SESSIONS = 6
ACTION_DAYS = dt.timedelta(days=28)
SHARED_CARE = "Dr A. Example, Northbrook shared-care GP (synthetic)"
MUTUAL_AID_GROUPS = ("SMART Recovery, Tuesday evening", "Narcotics Anonymous, Hub hall, Friday")
REFERRALS = (
    # destination, agency, reason, the statuses it went through (days after it was made)
    ("ref.housing", "Northbrook housing options", "No settled address", (("accepted", 3),)),
    (
        "ref.medical-healthcare",
        "Northbrook hepatitis C clinic",
        "Hepatitis C treatment",
        (("accepted", 2), ("first_appointment", 9), ("attended", 9), ("closed", 12)),
    ),
    ("ref.employment", "Work and health programme", "Wants to work again", ()),
    ("ref.financial-legal", "Citizens Advice Northbrook", "Benefit debt", (("declined", 5),)),
)


def write_treatment(rng: random.Random, team: Team, lead: Worker, workers: list[Worker]) -> None:
    today = local_today()
    prescriber = next((w for w in workers if w.user.username == "nurse.erin"), None)
    opioid = list(_opioid_clients(team, today)[:PRESCRIBED_PER_TEAM])
    for n, episode in enumerate(opioid):
        _prescribe(rng, lead, prescriber, episode, today, finished=n == 0)
    others = _settled_episodes(team, today).exclude(pk__in=[e.pk for e in opioid])
    chosen = list(others[: MUTUAL_AID_PER_TEAM + len(REFERRALS)])
    for episode in chosen[:MUTUAL_AID_PER_TEAM]:
        _mutual_aid(rng, lead, episode, today)
    for episode, referral in zip(chosen[MUTUAL_AID_PER_TEAM:], REFERRALS, strict=False):
        _refer(lead, episode, today, *referral)
    username, code, count = STRUCTURED
    practitioner = next((w for w in workers if w.user.username == username), None)
    if practitioner is not None:
        _structured_psychosocial(practitioner, code, count)


def _settled_episodes(team: Team, today: dt.date) -> QuerySet[Episode]:
    return Episode.objects.filter(
        team=team, discharged_on=None, referral_date__lt=today - dt.timedelta(days=45)
    ).order_by("pk")


def _opioid_clients(team: Team, today: dt.date) -> QuerySet[Episode]:
    heroin = ProblemSubstance.objects.filter(episode=OuterRef("pk"), substance__code="sub.heroin")
    return _settled_episodes(team, today).filter(Exists(heroin))


def _prescribe(
    rng: random.Random,
    lead: Worker,
    prescriber: Worker | None,
    episode: Episode,
    today: dt.date,
    *,
    finished: bool,
) -> None:
    start = episode.referral_date + dt.timedelta(days=rng.randint(5, 12))
    methadone = rng.random() < 0.6
    medication = "rx.methadone-oral" if methadone else "rx.buprenorphine"

    def dose(amount: int, supervision: str) -> DoseInput:
        return DoseInput(
            amount=Decimal(amount), unit="ml" if methadone else "mg", supervision=supervision
        )

    steps = (30, 50, 70) if methadone else (8, 12, 16)
    prescription = prescribing.start_prescription(
        actor=lead.user,
        episode=episode,
        given=PrescriptionInput(
            medication=medication,
            regime="withdrawal" if finished else "maintenance",
            started_on=start,
            dose=dose(steps[0], "supervised"),
            prescriber=prescriber,
            prescriber_elsewhere="" if prescriber else SHARED_CARE,
        ),
    )
    day = start
    for amount in steps[1:]:
        day += dt.timedelta(days=rng.randint(7, 10))
        if day >= today:
            return
        prescribing.change_dose(
            actor=lead.user,
            prescription=prescription,
            given=prescribing.ChangeDoseInput(
                from_date=day,
                dose=dose(amount, "supervised"),
                reason="Titrated at review with the prescriber",
            ),
        )
    stable = day + dt.timedelta(days=14)
    if stable < today:
        prescribing.change_dose(
            actor=lead.user,
            prescription=prescription,
            given=prescribing.ChangeDoseInput(
                from_date=stable,
                dose=dose(steps[-1], "unsupervised"),
                reason="Stable: collects weekly",
            ),
        )
    if finished and stable + dt.timedelta(days=7) < today:
        prescribing.end_prescription(
            actor=lead.user,
            prescription=prescription,
            given=prescribing.EndPrescriptionInput(
                on=stable + dt.timedelta(days=7), reason="Withdrawal completed"
            ),
        )


def _structured_psychosocial(practitioner: Worker, code: str, count: int) -> None:
    """Her clients with attended sessions since her latest supervision (so competent on
    each day): a new care-plan version naming the intervention on the substance-use goal,
    the intervention from that day, and each of her attended sessions since counted."""
    supervised = Supervision.objects.filter(worker=practitioner).latest("held_on").held_on
    started = 0
    for episode in Episode.objects.filter(keyworker=practitioner, discharged_on=None).order_by(
        "pk"
    ):
        sessions = _sessions_with(practitioner, episode, supervised)
        plan = current_plan(episode)
        if started == count or plan is None or len(sessions) < 2:
            continue
        start = timezone.localdate(sessions[0].session.starts_at)
        if start < plan.agreed_on:
            continue
        careplans.agree_care_plan(
            actor=practitioner.user, episode=episode, given=_naming(plan, code, start)
        )
        course = interventions.start_intervention(
            actor=practitioner.user,
            episode=episode,
            given=InterventionInput(
                code=code,
                setting="community",
                started_on=start,
                practitioner=practitioner,
                planned_sessions=PLANNED_SESSIONS,
            ),
        )
        for attendance in sessions:
            interventions.add_intervention_session(
                actor=practitioner.user, intervention=course, attendance=attendance
            )
        started += 1


def _sessions_with(practitioner: Worker, episode: Episode, since: dt.date) -> list[Attendance]:
    return list(
        Attendance.objects.filter(
            episode=episode,
            outcome=Outcome.ATTENDED,
            entered_in_error_at=None,
            session__facilitators=practitioner,
            session__starts_at__date__gte=since,
        ).select_related("session")
    )


def _naming(plan: CarePlan, code: str, on: dt.date) -> PlanInput:
    """The plan again, agreed on a new day, with the intervention on its substance-use goal
    (actions already past due given a new date)."""
    goals = tuple(
        GoalInput(
            domain=goal.domain,
            description=goal.description,
            milestones=tuple(m.description for m in goal.milestones.all()),
            need=goal.need_id,
            interventions=tuple(e.code for e in goal.interventions.all())
            + ((code,) if goal.domain == "substance_use" else ()),
        )
        for goal in plan.goals.all()
    )
    return PlanInput(
        agreed_on=on,
        agreed_how="in_person",
        goals=goals,
        actions=tuple(
            ActionInput(
                description=a.description,
                owner=a.owner,
                due_on=max(a.due_on, on + ACTION_DAYS),
                agency=a.agency,
                kind=a.kind,
            )
            for a in plan.actions.all()
        ),
        change_note="Agreed a course of motivational interviewing",
        crisis_warning_signs=plan.crisis_warning_signs,
        crisis_actions=plan.crisis_actions,
        crisis_contacts=plan.crisis_contacts,
    )


def _mutual_aid(rng: random.Random, lead: Worker, episode: Episode, today: dt.date) -> None:
    start = today - dt.timedelta(days=rng.randint(5, 25))
    interventions.start_intervention(
        actor=lead.user,
        episode=episode,
        given=InterventionInput(
            code="rs.mutual-aid",
            setting="community",
            started_on=start,
            practitioner=lead,
            first_contact=FirstContact(
                group=rng.choice(MUTUAL_AID_GROUPS),
                on=start + dt.timedelta(days=rng.randint(0, 4)),
                support=rng.choice(("accompanied", "introduced", "peer")),
            ),
        ),
    )


def _refer(
    lead: Worker,
    episode: Episode,
    today: dt.date,
    destination: str,
    agency: str,
    reason: str,
    steps: tuple[tuple[str, int], ...],
) -> None:
    made = today - dt.timedelta(days=20)
    without_consent = destination == "ref.financial-legal"
    referral = referrals.make_referral(
        actor=lead.user,
        episode=episode,
        given=ReferralInput(
            made_on=made,
            how="supported" if steps else "facilitated",
            reason=reason,
            consent_to_share=not without_consent,
            consent_on=None if without_consent else made,
            override_reason="Synthetic: a court order requires the information"
            if without_consent
            else "",
            destination=destination,
            agency=agency,
        ),
    )
    for status, after in steps:
        referrals.move_referral(
            actor=lead.user,
            referral=referral,
            given=referrals.MoveReferralInput(status=status, on=made + dt.timedelta(days=after)),
        )

"""Demo data for the national definitions as keywork reads them (catalogue 2026.2, dataset
2026.2), written through the actions, a few per team:

- clients referred in the last week and still waiting for triage (not yet in treatment);
- psychosocial interventions offered by the keyworker: accepted, declined with a reason,
  deferred;
- depot buprenorphine (supervision not applicable), and diazepam for alcohol withdrawal
  alongside a methadone prescription;
- community rehabilitation (a day rehabilitation programme, returned as a structured day
  programme);
- after a successful completion: naltrexone for relapse prevention and psychosocial relapse
  prevention (the check-ups are demo/outcomes.py's)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from keywork.access.models import Team, Worker
from keywork.clients import actions as clients
from keywork.clients.actions import SubstanceUse
from keywork.clients.models import Episode, ProblemSubstance
from keywork.core.dates import today as local_today
from keywork.interventions import actions as interventions
from keywork.interventions.actions import InterventionInput, OfferInput
from keywork.prescribing import actions as prescribing
from keywork.prescribing.actions import DoseInput, PrescriptionInput
from keywork.prescribing.models import Prescription
from keywork.sessions.models import Attendance, Outcome

WAITING_PER_TEAM = 2
SHARED_CARE = "Dr A. Example, Northbrook shared-care GP (synthetic)"
DAY_REHAB = "Northbrook day rehabilitation programme (synthetic)"
OFFERS = (  # what the keyworker offered, the answer, why
    ("kwp.motivational-interviewing", "declined", "Does not want to talk about using yet"),
    ("focus.motivation-for-change", "deferred", "Moving house this month; ask again after"),
    ("kwp.motivational-interviewing", "accepted", ""),
)


def write_definitions(
    rng: random.Random, team: Team, lead: Worker, *, waiting: Iterable[int]
) -> None:
    """The team's clients waiting for triage (the demo's nth waiting client for each n in
    `waiting`) and its worked cases."""
    today = local_today()
    for n in waiting:
        _waiting(rng, lead, team, today - dt.timedelta(days=1 + n % 5), n)
    declining = list(_without_psychosocial(team, today)[: len(OFFERS)])
    for episode, (code, answer, reason) in zip(declining, OFFERS, strict=False):
        _offer(episode, code, answer, reason, today - dt.timedelta(days=rng.randint(2, 10)))
    rehab = _settled(team, today).exclude(pk__in=[e.pk for e in declining]).first()
    if rehab is not None:
        _community_rehab(lead, rehab, today)
    opioid = list(_unprescribed_opioid(team, today)[:2])
    if opioid:
        _depot(lead, opioid[0], today)
    if len(opioid) > 1:
        _methadone_and_diazepam(lead, opioid[1], today)
    completed = _completed(team, today).first()
    if completed is not None:
        _after_completion(lead, completed, today)


def _waiting(rng: random.Random, lead: Worker, team: Team, referred: dt.date, n: int) -> None:
    # here, not at the top: the builder imports this module
    from keywork.demo.builder import (
        FIRST,
        LAST,
        MOST_CLIENTS,
        contact_details,
        synthetic_nhs_number,
    )

    family = rng.choice(LAST)
    number = MOST_CLIENTS - 1 - n  # from the top: above every bulk client's number
    client = clients.register_client(
        actor=lead.user,
        given=clients.RegisterClientInput(
            local_id=f"DEMO-W{n + 1:05d}",
            given_name=rng.choice(FIRST),
            family_name=family,
            date_of_birth=dt.date(1975 + n % 25, 1 + n % 12, 1 + n % 28),
            sex="not_stated",
            is_synthetic=True,
            not_a_duplicate=True,
            phone=f"07700 900{n % 1000:03d}",
            gp_practice=f"{rng.choice(LAST)} Medical Practice",
            nhs_number=synthetic_nhs_number(number),
            **contact_details(rng, number, family),  # type: ignore[arg-type]
            consents_to_national_reporting=True,
            consent_recorded_on=referred,
            sharing_consent_on=referred,
        ),
    )
    clients.open_episode(
        actor=lead.user,
        client=client,
        given=clients.OpenEpisodeInput(
            team=team,
            referral_date=referred,
            keyworker=lead,
            substances=[SubstanceUse(code="sub.crack", route="smoke")],
            injecting_status="never",
            referral_source="self",
        ),
    )


def _settled(team: Team, today: dt.date) -> QuerySet[Episode]:
    return Episode.objects.filter(
        team=team,
        discharged_on=None,
        triage_date__isnull=False,
        referral_date__lt=today - dt.timedelta(days=60),
    ).order_by("-pk")


def _without_psychosocial(team: Team, today: dt.date) -> QuerySet[Episode]:
    """Settled clients seen lately in sessions with no psychosocial intervention: those an
    offer matters for (QS6 tells "offered and declined" from "not offered")."""
    since = today - dt.timedelta(days=30)
    attended = Attendance.objects.filter(
        episode=OuterRef("pk"), outcome=Outcome.ATTENDED, session__day__gte=since
    )
    psychosocial = attended.filter(interventions__psychosocial=True)
    return (
        _settled(team, today)
        .filter(Exists(attended))
        .exclude(Exists(psychosocial))
        .filter(keyworker__user__is_active=True)
    )


def _offer(episode: Episode, code: str, answer: str, reason: str, on: dt.date) -> None:
    keyworker = episode.keyworker
    interventions.record_offer(
        actor=keyworker.user,
        episode=episode,
        given=OfferInput(code=code, on=on, offered_by=keyworker, answer=answer, reason=reason),
    )


def _community_rehab(lead: Worker, episode: Episode, today: dt.date) -> None:
    """Seed 001's "Residential and community rehabilitation", in the community, delivered by
    another agency (no worker of ours needs the registration)."""
    interventions.start_intervention(
        actor=lead.user,
        episode=episode,
        given=InterventionInput(
            code="spec.rehabilitation",
            setting="community",
            started_on=today - dt.timedelta(days=21),
            agency=DAY_REHAB,
        ),
    )


def _unprescribed_opioid(team: Team, today: dt.date) -> QuerySet[Episode]:
    heroin = ProblemSubstance.objects.filter(episode=OuterRef("pk"), substance__code="sub.heroin")
    prescribed = Prescription.objects.filter(episode=OuterRef("pk"))
    return (
        _settled(team, today)
        .filter(Exists(heroin))
        .exclude(Exists(prescribed))
        .exclude(interventions__entry__group="other_structured")
    )


def _prescribe(
    lead: Worker, episode: Episode, code: str, regime: str, start: dt.date, dose: DoseInput
) -> Prescription:
    return prescribing.start_prescription(
        actor=lead.user,
        episode=episode,
        given=PrescriptionInput(
            medication=code,
            regime=regime,
            started_on=start,
            dose=dose,
            prescriber_elsewhere=SHARED_CARE,
        ),
    )


def _depot(lead: Worker, episode: Episode, today: dt.date) -> None:
    """Seed 003 asks supervision only of the medicines it marks * or #: not of a depot."""
    dose = DoseInput(amount=Decimal(96), unit="mg", supervision="not_applicable")
    _prescribe(
        lead, episode, "rx.buprenorphine-depot", "maintenance", today - dt.timedelta(days=40), dose
    )


def _methadone_and_diazepam(lead: Worker, episode: Episode, today: dt.date) -> None:
    """Methadone 60 ml supervised, and a short diazepam withdrawal from alcohol alongside: the
    client's figures stay methadone 60, supervised (dataset 2026.2's OST record)."""
    methadone = DoseInput(amount=Decimal(60), unit="ml", supervision="supervised")
    _prescribe(
        lead, episode, "rx.methadone-oral", "maintenance", today - dt.timedelta(days=50), methadone
    )
    diazepam = DoseInput(amount=Decimal(20), unit="mg", supervision="not_applicable")
    _prescribe(lead, episode, "rx.diazepam", "withdrawal", today - dt.timedelta(days=6), diazepam)


def _completed(team: Team, today: dt.date) -> QuerySet[Episode]:
    return Episode.objects.filter(
        team=team,
        exit_reason__startswith="completed_",
        discharged_on__lte=today - dt.timedelta(days=3),  # as every demo discharge is
    ).order_by("-discharged_on", "-pk")


def _after_completion(lead: Worker, episode: Episode, today: dt.date) -> None:
    """Seed 003: relapse-prevention prescribing "post structured treatment only", and
    psychosocial relapse prevention "delivered following successful completion"."""
    assert episode.discharged_on is not None
    start = episode.discharged_on + dt.timedelta(days=3)
    opioid = episode.substances.filter(substance__attributes__purpose="opioid").exists()
    medicine, amount = ("rx.naltrexone.opioid", 50) if opioid else ("rx.acamprosate", 1998)
    dose = DoseInput(amount=Decimal(amount), unit="mg", supervision="not_applicable")
    _prescribe(lead, episode, medicine, "relapse_prevention", start, dose)
    interventions.start_intervention(
        actor=lead.user,
        episode=episode,
        given=InterventionInput(
            code="rs.relapse-prevention-psychosocial",
            setting="community",
            started_on=start,
            practitioner=lead,
        ),
    )

"""One record of every kind, built through the real actions: the access matrix opens every
page on it, and the audit test runs every action against it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from keywork.access import actions as access
from keywork.access.models import Role, Worker
from keywork.careplans.models import PlanAction
from keywork.careplans.tests.test_careplans import agree
from keywork.checkups import actions as checkups
from keywork.checkups.models import CheckUp
from keywork.clients import actions as clients
from keywork.clients.actions import SubstanceUse
from keywork.clients.models import Episode
from keywork.core.dates import today
from keywork.core.tests.test_channels import earlier_session
from keywork.interventions.models import Intervention, Offer
from keywork.interventions.tests.test_interventions import start
from keywork.outcomes.models import OutcomeProfile
from keywork.outcomes.tests.test_outcomes import take
from keywork.prescribing.models import Prescription
from keywork.prescribing.tests.test_prescribing import prescribe
from keywork.referrals.models import Referral
from keywork.referrals.tests.test_referrals import refer
from keywork.sessions import actions as sessions
from keywork.sessions.models import Attendance, KeyworkSession
from keywork.testing.personas import Personas, prescriber, worker

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class World:
    """T0001 (the personas' client) with a care plan, a past session, an intervention, a
    prescription, a referral and an outcome profile; T0003, completed, with check-ups; a
    group; a prescriber; and a keyworker of another service."""

    personas: Personas
    attendance: Attendance
    intervention: Intervention
    nurse: Worker
    prescription: Prescription
    referral: Referral
    profile: OutcomeProfile
    completed: Episode
    checkup: CheckUp
    group: KeyworkSession
    outsider: Worker
    booked: Attendance  # T0001's next appointment, booked by the past session


def build_world(p: Personas) -> World:
    kw = p.mi_keyworker.user
    agree(p)
    attendance = earlier_session(p)
    intervention = start(p)
    nurse = prescriber("nia.prescriber", p, "NMC-1")
    prescription = prescribe(p, nurse)
    referral = refer(p)
    profile = take(p)
    done = clients.register_client(
        actor=kw,
        given=clients.RegisterClientInput(
            local_id="T0003",
            given_name="Dee",
            family_name="Done",
            date_of_birth=dt.date(1984, 3, 3),
            sex="female",
        ),
    )
    completed = clients.open_episode(
        actor=kw,
        client=done,
        given=clients.OpenEpisodeInput(
            team=p.team,
            referral_date=today() - 200 * DAY,
            triage_date=today() - 199 * DAY,
            keyworker=p.mi_keyworker,
            substances=[SubstanceUse(code="sub.heroin", route="smoke")],
        ),
    )
    clients.discharge(
        actor=kw,
        episode=completed,
        given=clients.DischargeInput(on=today() - 20 * DAY, exit_reason="completed_drug_free"),
    )
    checkup = checkups.schedule_checkups(
        actor=kw,
        episode=completed,
        given=checkups.ScheduleCheckupsInput(first_on=today() - 10 * DAY, every_weeks=4, count=2),
    )[0]
    group = sessions.schedule_group(
        actor=kw,
        team=p.team,
        episodes=[p.episode],
        given=sessions.ScheduleGroupInput(
            title="Recovery group",
            starts_at=timezone.now() + 2 * DAY,
            facilitators=[p.mi_keyworker],
        ),
    )[0]
    elsewhere = access.create_service(
        actor=None, given=access.CreateServiceInput(code="elsewhere", name="Elsewhere Recovery")
    )
    far = access.create_team(
        actor=None, service=elsewhere, given=access.CreateTeamInput(code="far", name="Far Team")
    )
    outsider = worker("out.sider", Role.KEYWORKER, team=far, service=elsewhere)
    return World(
        p, attendance, intervention, nurse, prescription, referral, profile, completed, checkup,
        group, outsider, Attendance.objects.get(session=attendance.next_session),
    )  # fmt: skip


def matrix_world(w: World) -> dict[str, Any]:
    """The world as the access matrix asks for it: who, by relation; and the records' keys."""
    p = w.personas
    return {
        "who": {
            "own": p.mi_keyworker.user,
            "team": p.keyworker.user,
            "leader": p.team_leader.user,
            "other_team": p.other_keyworker.user,
            "manager": p.manager.user,
            "other_service": w.outsider.user,
            "commissioner": p.commissioner.user,
            "administrator": p.administrator.user,
            "anonymous": None,
        },
        "pk": {
            "attendance": w.attendance.pk,
            "intervention": w.intervention.pk,
            "prescription": w.prescription.pk,
            "referral": w.referral.pk,
            "outcomes": w.profile.pk,
            "checkup": w.checkup.pk,
            "group": w.group.pk,
            "booked": w.booked.pk,
            "plan_action": PlanAction.objects.filter(care_plan__episode=p.episode).first().pk,  # type: ignore[union-attr]
            "offer": _offer(p).pk,
            "map": a_map(p).pk,
            "check": a_check(p).pk,
        },
    }


def a_map(p: Personas) -> Any:
    """A triggers-and-coping map of T0001's."""
    from keywork.maps import actions as maps
    from keywork.maps.models import Map

    return Map.objects.filter(episode=p.episode).first() or maps.start_map(
        actor=p.mi_keyworker.user,
        episode=p.episode,
        given=maps.StartMapInput(tool="tool.triggers-coping"),
    )


def a_check(p: Personas) -> Any:
    """A recovery-capital check of T0001's, taken at the start, every statement "partly"."""
    from keywork.recovery import actions as recovery
    from keywork.recovery.models import Check
    from keywork.recovery.queries import instrument_in_use

    found = Check.objects.filter(episode=p.episode).first()
    if found is not None:
        return found
    instrument = instrument_in_use()
    assert instrument is not None
    codes = [i["code"] for d in instrument.domains for i in d["items"]]
    return recovery.take_check(
        actor=p.mi_keyworker.user,
        episode=p.episode,
        given=recovery.CheckInput(
            stage="start", taken_on=p.episode.referral_date, answers=dict.fromkeys(codes, 2)
        ),
    )


def _offer(p: Personas) -> Offer:
    """An offer declined, made by T0001's keyworker."""
    from keywork.interventions import actions as interventions

    return Offer.objects.filter(episode=p.episode).first() or interventions.record_offer(
        actor=p.mi_keyworker.user,
        episode=p.episode,
        given=interventions.OfferInput(
            code="kwp.motivational-interviewing",
            on=today() - 2 * DAY,
            offered_by=p.mi_keyworker,
            answer="declined",
            reason="Not this month",
        ),
    )

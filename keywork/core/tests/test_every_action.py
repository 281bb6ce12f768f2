# ruff: noqa: E501 (one line per action reads best as a table)
"""Every action writes its audit row, named after it. The list of actions is the decorator's
own register, so a new action without a line here fails the first test; each line makes one
change the action accepts, on one record of every kind (keywork/testing/world.py). (Every
other test in the suite also fails an action that changes domain data without an audit row:
keywork/conftest.py.)"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Max
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from keywork.access import actions as access
from keywork.access.models import Competency, Role
from keywork.access.signin import code_for
from keywork.assessments import actions as assessments
from keywork.assessments.tests.test_assess import assessment
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.careplans import actions as careplans
from keywork.careplans.models import CarePlan
from keywork.careplans.tests.test_careplans import plan_input, review
from keywork.checkups import actions as checkups
from keywork.checkups.tests.test_checkups import found
from keywork.clients import actions as clients
from keywork.clients.models import BreakGlass, Client
from keywork.core.dates import today
from keywork.core.inputs import Note, Reason
from keywork.core.writes import ACTIONS
from keywork.interventions import actions as interventions
from keywork.interventions.tests.test_interventions import given as intervention_given
from keywork.maps import actions as maps
from keywork.outcomes import actions as outcomes
from keywork.outcomes.tests.test_outcomes import profile
from keywork.prescribing import actions as prescribing
from keywork.prescribing.tests.test_prescribing import ml
from keywork.recovery import actions as recovery
from keywork.recovery.tests.test_recovery import answers
from keywork.referrals import actions as referrals
from keywork.referrals.models import OverrideReview
from keywork.referrals.tests.test_referrals import given as referral_given
from keywork.sessions import actions as sessions
from keywork.sessions.actions import Appointment, RegisterLine
from keywork.sessions.models import Attendance
from keywork.sessions.tests.test_reintegration import work
from keywork.sessions.tests.test_sessions import content
from keywork.testing.personas import PASSWORD, worker
from keywork.testing.world import World, a_check, a_map, build_world

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
Recipe = Callable[[World], Any]


def everything_registered() -> dict[str, Any]:
    """Import every app's writers so the register is whole."""
    for config in apps.get_app_configs():
        if config.name.startswith("keywork."):
            for module in ("actions", "trail"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError as missing:
                    if missing.name != f"{config.name}.{module}":
                        raise
    return {
        name.removeprefix("keywork."): func
        for name, func in ACTIONS.items()
        if ".tests." not in name  # the suite's own probes of the decorator
    }


def kw(w: World) -> Any:
    return w.personas.mi_keyworker.user


def ahead(w: World, days: int) -> Attendance:
    """An appointment booked `days` ahead."""
    return sessions.schedule_session(
        actor=kw(w),
        episode=w.personas.episode,
        given=sessions.Appointment(starts_at=timezone.now() + days * DAY),
    )


def booked(w: World) -> Attendance:
    """The appointment booked by the last session, a day ago."""
    found = Attendance.objects.filter(episode=w.personas.episode, outcome="scheduled")
    return found.filter(session__starts_at__lt=timezone.now()).get()


def _device(w: World) -> Any:
    user = w.personas.keyworker.user
    return access.start_second_factor(actor=user, user=user)


def _confirm(w: World) -> Any:
    user = w.personas.keyworker.user
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return access.confirm_second_factor(
        actor=user, device=device, given=access.ConfirmSecondFactorInput(code=code_for(device))
    )


def _override(w: World) -> OverrideReview:
    p = w.personas
    made = referrals.make_referral(
        actor=kw(w), episode=p.episode,
        given=referral_given(consent_to_share=False, consent_on=None, override_reason="Child protection: the law requires it"),
    )  # fmt: skip
    return referrals.review_consent_override(
        actor=p.manager.user, referral=made, given=Note(note="Sound")
    )


def _break_glass(w: World) -> Any:
    p = w.personas
    return clients.break_glass(
        actor=p.other_keyworker.user,
        client=p.client,
        given=Reason(reason="Crisis call out of hours"),
    )


def _review_glass(w: World) -> Any:
    p = w.personas
    grant = BreakGlass.objects.get(worker=p.other_keyworker)
    return clients.review_break_glass(
        actor=p.manager.user, grant=grant, given=Note(note="Justified")
    )


def _group(w: World) -> Any:
    (group,) = sessions.schedule_group(
        actor=kw(w),
        team=w.personas.team,
        episodes=[w.personas.episode],
        given=sessions.ScheduleGroupInput(
            title="Relapse prevention group",
            starts_at=timezone.now() - 3 * HOUR,
            facilitators=[w.personas.mi_keyworker],
        ),
    )
    line = group.attendances.get()
    return sessions.record_group(
        actor=kw(w),
        session=group,
        given=sessions.RecordGroupInput(
            content=content(), register=[RegisterLine(line, "attended")]
        ),
    )


# In the order they run: a line may use what an earlier one made.
def _waiting_for_triage(w: World) -> Any:
    from keywork.testing.personas import another_client

    return another_client(w.personas, "T0030", 5, triaged=False)


RECIPES: dict[str, Recipe] = {
    "audit.trail.record_refusal": lambda w: trail.record_refusal(actor=kw(w), what="record_refusal", reason="a test"),
    "audit.trail.record_read": lambda w: trail.record_read(actor=kw(w), what="record_read", clients=[w.personas.client]),
    "audit.trail.record_list_read": lambda w: trail.record_list_read(actor=kw(w), what="record_list_read", clients=Client.objects.filter(pk=w.personas.client.pk)),
    "audit.trail.record_alone": lambda w: trail.record_alone(actor=kw(w), verb="login", what="record_alone", detail={}),
    "access.actions.create_service": lambda w: access.create_service(actor=None, given=access.CreateServiceInput(code="new", name="New Service")),
    "access.actions.create_team": lambda w: access.create_team(actor=None, service=w.personas.service, given=access.CreateTeamInput(code="east", name="East Team")),
    "access.actions.add_worker": lambda w: worker("new.starter", Role.KEYWORKER, team=w.personas.team, service=w.personas.service),
    "access.actions.change_role": lambda w: access.change_role(actor=w.personas.administrator.user, worker=w.outsider, given=access.ChangeRoleInput(role=Role.TEAM_LEADER, team=w.outsider.team)),
    "access.actions.set_active": lambda w: access.set_active(actor=w.personas.administrator.user, worker=w.outsider, given=access.SetActiveInput(active=False, reason="Left")),
    "access.actions.set_password": lambda w: access.set_password(actor=w.personas.administrator.user, worker=w.outsider, given=access.SetPasswordInput(password="another long passphrase 7")),
    "access.actions.change_own_password": lambda w: access.change_own_password(actor=w.personas.keyworker.user, given=access.ChangeOwnPasswordInput(old_password=PASSWORD, new_password="another long passphrase 8")),
    "access.actions.update_account": lambda w: access.update_account(actor=w.personas.administrator.user, worker=w.outsider, given=access.UpdateAccountInput(role=Role.KEYWORKER, team=w.outsider.team, service=w.outsider.service, active=True, reason="Back")),
    "access.actions.record_training": lambda w: access.record_training(actor=w.personas.team_leader.user, worker=w.personas.keyworker, given=access.RecordTrainingInput(intervention=w.personas.entry("kwp.motivational-interviewing"), trained_on=today() - 30 * DAY)),
    "access.actions.withdraw_training": lambda w: access.withdraw_training(actor=w.personas.team_leader.user, competency=Competency.objects.filter(worker=w.personas.keyworker).get(), given=access.WithdrawTrainingInput(withdrawn_on=today(), reason="Entered by mistake")),
    "access.actions.record_supervision": lambda w: access.record_supervision(actor=w.personas.team_leader.user, worker=w.personas.keyworker, given=access.RecordSupervisionInput(held_on=today() - DAY)),
    "access.actions.record_registration": lambda w: access.record_registration(actor=None, worker=w.personas.keyworker, given=access.RecordRegistrationInput(body="BACP", number="B-9", valid_from=today() - 9 * DAY, expires_on=today() + 300 * DAY, interventions=[w.personas.entry("spec.counselling")])),
    "access.actions.update_service": lambda w: access.update_service(actor=w.personas.administrator.user, service=w.personas.service, given=access.UpdateServiceInput(phone="01632 960111")),
    "access.actions.update_team": lambda w: access.update_team(actor=w.personas.administrator.user, team=w.personas.team, given=access.UpdateTeamInput(name="North Team (Riverside)")),
    "access.actions.start_second_factor": _device,
    "access.actions.confirm_second_factor": _confirm,
    "access.actions.new_recovery_codes": lambda w: access.new_recovery_codes(actor=w.personas.keyworker.user, user=w.personas.keyworker.user),
    "access.actions.remove_second_factor": lambda w: access.remove_second_factor(actor=w.personas.administrator.user, worker=w.personas.keyworker, given=Reason(reason="Lost phone")),
    "access.actions.unlock_sign_in": lambda w: access.unlock_sign_in(actor=w.personas.administrator.user, worker=w.personas.keyworker),
    "clients.actions.break_glass": _break_glass,
    "clients.actions.review_break_glass": _review_glass,
    "clients.actions.register_client": lambda w: clients.register_client(actor=kw(w), given=clients.RegisterClientInput(local_id="T0200", given_name="Ash", family_name="New", date_of_birth=dt.date(1990, 1, 1), sex="male")),
    "clients.actions.update_client_details": lambda w: clients.update_client_details(actor=kw(w), client=w.personas.client, given=clients.UpdateClientDetailsInput(phone="07700 900321")),
    "clients.actions.allocate_keyworker": lambda w: clients.allocate_keyworker(actor=w.personas.team_leader.user, episode=w.personas.episode, given=clients.AllocateKeyworkerInput(worker=w.personas.keyworker, on=today(), reason="Cover")),
    "clients.actions.move_phase": lambda w: clients.move_phase(actor=kw(w), episode=w.personas.episode, given=clients.MovePhaseInput(to="preparation", on=today(), reason="Goals agreed")),
    "sessions.actions.schedule_session": lambda w: sessions.schedule_session(actor=kw(w), episode=w.personas.episode, given=sessions.Appointment(starts_at=timezone.now() + 20 * DAY)),
    "sessions.actions.schedule_group": lambda w: sessions.schedule_group(actor=kw(w), team=w.personas.team, episodes=[w.personas.episode], given=sessions.ScheduleGroupInput(title="Mutual aid taster", starts_at=timezone.now() + 3 * DAY, facilitators=[w.personas.mi_keyworker])),
    "sessions.actions.record_session": lambda w: sessions.record_session(actor=kw(w), episode=w.personas.episode, given=sessions.RecordSessionInput(starts_at=timezone.now() - 2 * DAY, content=content(), next_appointment=Appointment(starts_at=timezone.now() - DAY))),
    "sessions.actions.record_attendance": lambda w: sessions.record_attendance(actor=kw(w), attendance=booked(w), given=sessions.RecordAttendanceInput(outcome="did_not_attend")),
    "sessions.actions.record_group": _group,
    "sessions.actions.record_reintegration": lambda w: sessions.record_reintegration(actor=kw(w), episode=w.personas.episode, given=sessions.RecordReintegrationInput(starts_at=timezone.now() - 2 * DAY, content=work())),
    "sessions.actions.amend_session_notes": lambda w: sessions.amend_session_notes(actor=kw(w), attendance=w.attendance, given=sessions.AmendSessionNotesInput(notes="Fuller notes", reason="Added detail")),
    "sessions.actions.move_appointment": lambda w: sessions.move_appointment(actor=kw(w), attendance=ahead(w, 30), given=sessions.MoveAppointmentInput(starts_at=timezone.now() + 31 * DAY, reason="Client at work that day")),
    "sessions.actions.cancel_appointment": lambda w: sessions.cancel_appointment(actor=kw(w), attendance=ahead(w, 32), given=sessions.CancelAppointmentInput(by="client", reason="Unwell")),
    "sessions.actions.mark_session_in_error": lambda w: sessions.mark_session_in_error(actor=kw(w), attendance=w.attendance, given=Reason(reason="Wrong client")),
    "assessments.actions.assess": lambda w: assessments.assess(actor=kw(w), episode=w.personas.episode, given=assessment()),
    "careplans.actions.agree_care_plan": lambda w: careplans.agree_care_plan(actor=kw(w), episode=w.personas.episode, given=plan_input()),
    "careplans.actions.review_care_plan": lambda w: review(w.personas, CarePlan.objects.filter(episode=w.personas.episode).latest("version")),
    "careplans.actions.complete_plan_action": lambda w: careplans.complete_plan_action(actor=kw(w), plan_action=CarePlan.objects.filter(episode=w.personas.episode).latest("version").actions.all()[0], given=careplans.ActionDoneInput(done_on=today())),
    "interventions.actions.start_intervention": lambda w: w.intervention,  # the world's intervention
    "interventions.actions.add_intervention_session": lambda w: interventions.add_intervention_session(actor=kw(w), intervention=w.intervention, attendance=Attendance.objects.filter(episode=w.personas.episode, outcome="attended").latest("session__starts_at")),
    "interventions.actions.amend_intervention": lambda w: interventions.amend_intervention(actor=kw(w), intervention=w.intervention, given=interventions.as_amendment(intervention_given(w.personas, planned_sessions=8), reason="Agreed two more")),
    "interventions.actions.end_intervention": lambda w: interventions.end_intervention(actor=kw(w), intervention=w.intervention, given=interventions.EndInterventionInput(on=today(), exit="planned")),
    "interventions.actions.record_offer": lambda w: interventions.record_offer(actor=kw(w), episode=w.personas.episode, given=interventions.OfferInput(code="kwp.motivational-interviewing", on=today(), offered_by=w.personas.mi_keyworker, answer="accepted")),
    "interventions.actions.mark_offer_in_error": lambda w: interventions.mark_offer_in_error(actor=kw(w), offer=w.personas.episode.offers.earliest("pk"), given=Reason(reason="Wrong client")),
    "interventions.actions.mark_intervention_in_error": lambda w: interventions.mark_intervention_in_error(actor=kw(w), intervention=w.intervention, given=Reason(reason="Wrong client")),
    "prescribing.actions.start_prescription": lambda w: w.prescription,  # the world's prescription
    "prescribing.actions.change_dose": lambda w: prescribing.change_dose(actor=kw(w), prescription=w.prescription, given=prescribing.ChangeDoseInput(from_date=today() - DAY, dose=ml(50), reason="Review")),
    "prescribing.actions.end_prescription": lambda w: prescribing.end_prescription(actor=kw(w), prescription=w.prescription, given=prescribing.EndPrescriptionInput(on=today())),
    "prescribing.actions.mark_prescription_in_error": lambda w: prescribing.mark_prescription_in_error(actor=kw(w), prescription=w.prescription, given=Reason(reason="Wrong client")),
    "referrals.actions.make_referral": lambda w: w.referral,  # the world's referral
    "referrals.actions.move_referral": lambda w: referrals.move_referral(actor=kw(w), referral=w.referral, given=referrals.MoveReferralInput(status="accepted", on=today())),
    "referrals.actions.review_consent_override": _override,
    "referrals.actions.mark_referral_in_error": lambda w: referrals.mark_referral_in_error(actor=kw(w), referral=w.referral, given=Reason(reason="Wrong client")),
    "outcomes.actions.take_outcomes": lambda w: outcomes.take_outcomes(actor=kw(w), episode=w.personas.episode, given=profile(stage="review", taken_on=today())),
    "maps.actions.start_map": lambda w: maps.start_map(actor=kw(w), episode=w.personas.episode, given=maps.StartMapInput(tool="tool.goals-steps")),
    "recovery.actions.take_check": lambda w: a_check(w.personas) and recovery.take_check(actor=kw(w), episode=w.personas.episode, given=recovery.CheckInput(stage="review", taken_on=today(), answers=answers())),
    "recovery.actions.mark_check_in_error": lambda w: recovery.mark_check_in_error(actor=kw(w), check=a_check(w.personas), given=Reason(reason="Wrong client")),
    "maps.actions.save_map": lambda w: maps.save_map(actor=kw(w), the_map=a_map(w.personas), given=maps.MapDrawing(based_on=1, nodes=(maps.Node(id="a", text="Ring my sister"),))),
    "outcomes.actions.mark_outcomes_in_error": lambda w: outcomes.mark_outcomes_in_error(actor=kw(w), profile=w.profile, given=Reason(reason="Wrong client")),
    "checkups.actions.schedule_checkups": lambda w: w.checkup,  # the world's check-ups
    "checkups.actions.record_checkup": lambda w: checkups.record_checkup(actor=kw(w), checkup=w.checkup, given=found(done_on=w.checkup.due_on)),
    "checkups.actions.mark_checkup_in_error": lambda w: checkups.mark_checkup_in_error(actor=kw(w), checkup=w.checkup, given=Reason(reason="Wrong client")),
    "checkups.actions.return_to_treatment": lambda w: checkups.return_to_treatment(actor=kw(w), episode=w.completed, given=checkups.ReturnToTreatmentInput(on=today() - 2 * DAY, reason="Using again")),
    "clients.actions.open_episode": lambda w: w.completed,  # the world's episodes
    "clients.actions.record_triage": lambda w: clients.record_triage(actor=kw(w), episode=_waiting_for_triage(w), given=clients.TriageInput(on=today())),
    "clients.actions.discharge": lambda w: clients.discharge(actor=kw(w), episode=w.personas.episode, given=clients.DischargeInput(on=today(), exit_reason="completed_drug_free")),
}  # fmt: skip

# The lines that only name what the world already did through the action.
MADE_BY_THE_WORLD = {
    "interventions.actions.start_intervention",
    "prescribing.actions.start_prescription",
    "referrals.actions.make_referral",
    "checkups.actions.schedule_checkups",
    "clients.actions.open_episode",
}


def test_every_action_has_a_line_here():
    registered = set(everything_registered())
    assert registered - set(RECIPES) == set(), "actions with no line in RECIPES"
    assert set(RECIPES) - registered == set(), "lines for actions that are gone"


def test_every_action_writes_its_audit_row_named_after_it(personas):
    actions = everything_registered()
    since = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    w = build_world(personas)
    unaudited = []
    for name, recipe in RECIPES.items():
        before = (
            since
            if name in MADE_BY_THE_WORLD
            else AuditEvent.objects.aggregate(last=Max("id"))["last"]
        )
        recipe(w)
        short = actions[name].__name__
        if not AuditEvent.objects.filter(id__gt=before, what=short).exists():
            unaudited.append(name)
    assert unaudited == [], ", ".join(unaudited)

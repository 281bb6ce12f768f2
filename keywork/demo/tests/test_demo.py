"""The synthetic demo service: labelled as such, and keeping the rules it would be refused
for breaking."""

import datetime as dt
import io
from collections.abc import Iterator
from itertools import pairwise
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from keywork.access.queries import is_competent
from keywork.assessments.models import RISK_AREAS, Assessment
from keywork.assessments.rules import flags
from keywork.careplans.models import CarePlan, PlanAction
from keywork.clients.models import Allocation, Client, Episode
from keywork.core.dates import today
from keywork.demo import builder
from keywork.interventions.models import Intervention
from keywork.overview.queries import caseload
from keywork.sessions.models import Attendance, KeyworkSession, Outcome, ReEngagement
from keywork.sessions.rules import MINIMUM
from keywork.testing.personas import ensure_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[builder.DemoReport]:
    """One demo of 120 clients for the module, built once in each test process and undone at
    its end, in chunks of 50 clients as a big one is; every test reads it inside its own
    savepoint, undone after it. (The tests that build demos of their own are in
    test_demo_builds.py.)"""
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        mock.patch.object(builder, "BATCH", 50),
    ):
        ensure_catalogue()
        yield builder.build(clients=120, seed=7)
        transaction.set_rollback(True)


def test_the_demo_is_labelled_synthetic_everywhere(demo, client):
    assert demo.service.is_synthetic and demo.clients == 120
    assert not Client.objects.filter(is_synthetic=False).exists()
    client.force_login(User.objects.get(username="kw.amira"))
    page = client.get("/").content.decode()
    assert "Synthetic demo data" in page
    assert "My caseload" in page


def test_a_demo_team_leader_signs_in_with_the_code_the_demo_prints(demo):
    from django.test import Client as Browser

    printed = dict(builder.logins())
    assert "keywork demo --code tl.carys" in printed["tl.carys"]
    assert "second step" not in printed["kw.amira"]
    browser = Browser()
    browser.post("/accounts/login/", {"username": "tl.carys", "password": builder.DEMO_PASSWORD})
    out = io.StringIO()
    call_command("demo", "--code", "tl.carys", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert browser.post("/accounts/login/second-step/", {"code": code}).status_code == 302
    assert browser.get("/team/").status_code == 200
    with pytest.raises(CommandError, match="not a demo account with a second factor"):
        call_command("demo", "--code", "kw.amira", stdout=io.StringIO())


def test_every_open_episode_has_exactly_one_current_keyworker_matching_the_episode(demo):
    episodes = Episode.objects.annotate(
        current=Count("allocations", filter=Q(allocations__ended_on=None))
    )
    assert set(episodes.values_list("current", flat=True)) == {1}
    for allocation in Allocation.objects.filter(ended_on=None).select_related("episode"):
        assert allocation.episode.keyworker_id == allocation.worker_id
        assert allocation.worker.is_practitioner
        assert allocation.worker.team_id == allocation.episode.team_id


def test_phases_are_in_the_line_and_the_history_ends_where_the_episode_is(demo):
    phases = set(Episode.objects.values_list("phase__code", flat=True))
    assert phases <= {"engagement", "preparation", "change", "completion"} and len(phases) == 4
    for episode in Episode.objects.prefetch_related("phase_changes__to_phase"):
        moves = sorted(episode.phase_changes.all(), key=lambda m: (m.changed_on, m.pk))
        assert moves[0].from_phase is None and moves[0].to_phase.code == "engagement"
        assert moves[-1].to_phase_id == episode.phase_id
        assert all(m.changed_on <= today() and m.changed_on >= episode.referral_date for m in moves)
        for before, after in pairwise(moves):
            assert after.from_phase_id == before.to_phase_id


def test_a_second_demo_is_refused_and_if_empty_reuses_it(demo, capsys):
    with pytest.raises(CommandError, match="DEMO: a synthetic demo service is already loaded"):
        call_command("demo", "--clients", "5", verbosity=0)
    call_command("demo", "--clients", "5", "--if-empty", verbosity=0)
    out = capsys.readouterr().out
    assert "already loaded" in out and "kw.amira" in out
    assert Client.objects.count() == 120


def test_every_episode_has_one_to_three_problem_substances_and_some_are_alcohol_only(demo):
    counts = Episode.objects.annotate(n=Count("substances")).values_list("n", flat=True)
    assert set(counts) <= {1, 2, 3} and 0 not in counts
    alcohol_only = Episode.objects.exclude(substances__substance__attributes__is_drug=True)
    assert 0 < alcohol_only.count() < Episode.objects.count()


def test_every_demo_intervention_was_within_its_worker_competence_on_the_day(demo):
    attended = Attendance.objects.filter(outcome=Outcome.ATTENDED).prefetch_related(
        "interventions", "session__facilitators"
    )
    checked = 0
    for attendance in attended.select_related("session"):
        day = timezone.localdate(attendance.session.starts_at)
        assert attendance.recorded_by is not None
        for entry in attendance.interventions.all():
            assert is_competent(attendance.recorded_by, entry, day).competent, (entry, day)
            checked += 1
        facilitators = list(attendance.session.facilitators.all())
        if attendance.session.kind == KeyworkSession.Kind.GROUP:
            assert attendance.recorded_by in facilitators
        else:
            assert facilitators == [attendance.recorded_by]
    assert checked > 200
    plus = Attendance.objects.filter(interventions__tier__code="keywork_plus").distinct()
    assert plus.exists()


def test_attended_demo_sessions_have_minimum_content_and_book_the_next(demo):
    attended = Attendance.objects.filter(outcome=Outcome.ATTENDED).exclude(
        session__kind=KeyworkSession.Kind.REINTEGRATION
    )
    assert attended.count() > 500
    for name, _ in MINIMUM:
        assert not attended.filter(**{name: ""}).exists(), name
    assert not attended.filter(next_session=None).exists()
    assert not attended.filter(topics=None).exists()
    # A past appointment with no outcome is one not written up yet: the episode's last
    # one-to-one, in the last three days.
    from keywork.demo.sessions import UNWRITTEN

    for unwritten in Attendance.objects.filter(
        outcome=Outcome.SCHEDULED, session__starts_at__lt=timezone.now()
    ).select_related("session"):
        assert unwritten.session.day >= today() - UNWRITTEN
        later = Attendance.objects.filter(
            episode=unwritten.episode,
            session__kind=KeyworkSession.Kind.ONE_TO_ONE,
            session__starts_at__gt=unwritten.session.starts_at,
        )
        assert not later.exists()


def test_missed_demo_appointments_open_one_reengagement_that_ends_when_seen(demo):
    missed = Attendance.objects.filter(outcome=Outcome.DID_NOT_ATTEND)
    assert missed.exists()
    open_now = ReEngagement.objects.filter(ended_on=None)
    assert 0 < open_now.count() < Episode.objects.count()
    for re in ReEngagement.objects.select_related("started_by", "ended_by"):
        assert re.started_by.outcome == Outcome.DID_NOT_ATTEND
        assert re.ended_by is None or re.ended_by.outcome == Outcome.ATTENDED
    for re in open_now:
        later = Attendance.objects.filter(
            episode=re.episode,
            outcome=Outcome.ATTENDED,
            session__starts_at__gt=re.started_by.session.starts_at,
        )
        assert not later.exists()


def test_demo_care_plans_keep_rules_10_and_11_and_show_due_and_overdue_reviews(demo):
    assert CarePlan.objects.exists() and Assessment.objects.exists()
    assert not PlanAction.objects.filter(owner="").exists()
    assert not PlanAction.objects.filter(owner="agency", agency="").exists()
    for plan in CarePlan.objects.prefetch_related("goals__milestones", "reviews__progress"):
        milestones = {m.pk for g in plan.goals.all() for m in g.milestones.all()}
        assert plan.goals.exists() and milestones
        for review in plan.reviews.all():
            assert {p.milestone_id for p in review.progress.all()} == milestones
            assert plan.agreed_on <= review.reviewed_on <= today()
            assert review.next_review_on > review.reviewed_on
    manager = User.objects.get(username="sm.farid")
    listed = caseload(manager, scope="team")
    dues = [e.review_due for e in listed if e.review_due]  # type: ignore[attr-defined]
    assert any(d < today() for d in dues) and any(d >= today() for d in dues)
    for assessment in Assessment.objects.all():
        expected = flags(
            {name: getattr(assessment, name) for name, _ in RISK_AREAS},
            areas=dict(RISK_AREAS),
            open_levels={"medium", "high"},
            concern=assessment.safeguarding_concern,
        )
        assert assessment.flags == expected


def test_each_team_runs_a_weekly_group_with_its_register_taken(demo):
    groups = KeyworkSession.objects.filter(kind=KeyworkSession.Kind.GROUP)
    assert groups.values("team").distinct().count() == demo.teams
    for group in groups.prefetch_related("facilitators", "attendances"):
        assert all(f.team_id == group.team_id for f in group.facilitators.all())
        outcomes = {a.outcome for a in group.attendances.all()}
        if group.starts_at < timezone.now():
            assert Outcome.SCHEDULED not in outcomes and Outcome.ATTENDED in outcomes
        else:  # booked, unless the client has since been discharged
            assert Outcome.SCHEDULED in outcomes
            cancelled = group.attendances.filter(outcome=Outcome.CANCELLED_BY_SERVICE)
            assert not cancelled.filter(episode__discharged_on=None).exists()


def test_reintegration_work_is_listed_for_reintegration_and_carries_on_after_discharge(demo):
    work = Attendance.objects.filter(session__kind=KeyworkSession.Kind.REINTEGRATION)
    for attendance in work.prefetch_related("topics__phases", "interventions__phases"):
        listed = [*attendance.topics.all(), *attendance.interventions.all()]
        assert listed and attendance.notes
        assert all("reintegration" in {p.code for p in e.phases.all()} for e in listed)
    after = work.filter(
        episode__discharged_on__isnull=False,
        session__starts_at__date__gt=F("episode__discharged_on"),
    )
    assert after.exists() and work.filter(episode__discharged_on=None).exists()
    for episode in Episode.objects.exclude(discharged_on=None):
        assert episode.exit_reason.startswith("completed")
        later = episode.attendances.filter(session__starts_at__date__gt=episode.discharged_on)
        assert (
            not later.exclude(session__kind=KeyworkSession.Kind.REINTEGRATION)
            .exclude(outcome=Outcome.CANCELLED_BY_SERVICE)
            .exists()
        )


def test_demo_prescribing_keeps_rule_7_and_shows_doses_changing(demo):
    from keywork.prescribing.models import Prescription
    from keywork.prescribing.queries import daily_dose_on
    from keywork.prescribing.rules import (
        BUPRENORPHINE_MAX_MG,
        METHADONE_MAX_MG,
        supervision_asked,
    )

    prescriptions = Prescription.objects.prefetch_related("doses").select_related("medication")
    assert prescriptions.count() >= demo.teams * 3
    assert prescriptions.exclude(ended_on=None).exists()
    assert prescriptions.filter(prescriber__user__username="nurse.erin").exists()
    titrated = 0
    for prescription in prescriptions:
        doses = list(prescription.doses.all())
        assert doses[0].from_date == prescription.started_on
        titrated += len(doses) >= 2
        asked = supervision_asked(prescription.medication.attributes)
        for dose in doses:
            assert (dose.supervision in ("supervised", "unsupervised")) == asked
            if prescription.medication.attributes.get("dose_item"):
                limit = METHADONE_MAX_MG if dose.unit == "ml" else BUPRENORPHINE_MAX_MG
                assert dose.reported_dose is not None and 0 < dose.reported_dose <= limit
    assert titrated >= demo.teams * 3  # doses change as they are titrated
    current = prescriptions.filter(ended_on=None)
    someone = next(p for p in current if supervision_asked(p.medication.attributes))
    assert daily_dose_on(someone.episode.client, today()).supervision != "not_applicable"


def test_demo_referrals_cover_every_status_and_a_stalled_one(demo):
    from keywork.interventions.models import Intervention
    from keywork.referrals.models import Referral
    from keywork.referrals.queries import stalled_referrals

    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {"made", "accepted", "closed", "declined"} <= statuses
    assert stalled_referrals(today()).exists()
    for referral in Referral.objects.prefetch_related("changes"):
        assert referral.consent_to_share or referral.override_reason
        assert [c.status for c in referral.changes.all()][-1] == referral.status
    mutual_aid = Intervention.objects.filter(entry__code="rs.mutual-aid")
    assert mutual_aid.exists() and not mutual_aid.filter(first_contact_group="").exists()


def test_demo_outcome_profiles_run_over_time_in_order_with_some_due(demo, django_user_model):
    from keywork.outcomes.models import OutcomeProfile

    by_episode: dict[int, list[OutcomeProfile]] = {}
    for profile in OutcomeProfile.objects.select_related("episode").order_by("taken_on", "pk"):
        by_episode.setdefault(profile.episode_id, []).append(profile)
    assert len(by_episode) > demo.clients * 0.8
    for profiles in by_episode.values():
        stages = [p.stage for p in profiles]
        assert stages[0] == "start" and "start" not in stages[1:]
        assert "exit" not in stages[:-1]
        assert (stages[-1] == "exit") <= (profiles[0].episode.discharged_on is not None)
    over_time = [ps for ps in by_episode.values() if len(ps) >= 2]
    assert over_time and any(ps[-1].quality_of_life > ps[0].quality_of_life for ps in over_time)
    manager = django_user_model.objects.get(username="sm.farid")
    due = [e.outcomes_due for e in caseload(manager, scope="team", show="outcomes")]  # type: ignore[attr-defined]
    assert due and any(d < today() for d in due)


def test_demo_check_ups_follow_successful_completions_only(demo):
    from keywork.checkups.models import CheckUp

    checkups = CheckUp.objects.select_related("episode")
    assert checkups.exists() and checkups.exclude(status="due").exists()
    for checkup in checkups:
        discharged = checkup.episode.discharged_on
        assert checkup.episode.completed and discharged and checkup.due_on > discharged
    risk = checkups.get(lapse="risk", episode__team__code=checkups[0].episode.team.code)
    assert {e.code for e in risk.further_services.all()} == {"rs.peer-support", "ref.mental-health"}


def test_a_few_of_amiras_clients_have_a_course_of_motivational_interviewing(demo):
    courses = Intervention.objects.filter(entry__code="kwp.motivational-interviewing")
    assert courses.count() == 3
    for course in courses.select_related("episode", "practitioner__user"):
        practitioner = course.practitioner
        assert practitioner is not None and practitioner.user.username == "kw.amira"
        assert (course.planned_sessions or 0) >= 2
        plan = (
            CarePlan.objects.filter(episode=course.episode, agreed_on__lte=course.started_on)
            .order_by("-version")
            .first()
        )
        named = plan.goals.filter(interventions__code="kwp.motivational-interviewing")
        assert named.filter(domain="substance_use").exists()
        counted = list(course.sessions.select_related("session"))
        assert len(counted) >= 2
        for attendance in counted:
            day = timezone.localdate(attendance.session.starts_at)
            assert attendance.outcome == Outcome.ATTENDED and not attendance.in_error
            assert attendance.session.facilitators.filter(pk=practitioner.pk).exists()
            assert day >= course.started_on
            assert is_competent(practitioner, course.entry, day).competent


def test_the_demo_gives_the_quality_measure_clients_behind_the_numbers(demo):
    from keywork.measures.framework import Period, Scope
    from keywork.measures.qs6 import QS6
    from keywork.measures.runs import compute

    period = Period(today() - dt.timedelta(days=90), today())
    result = compute(QS6(), period, Scope(service=demo.service))
    assert 0.75 < result.numerator / result.denominator < 1
    reasons = {row.code for row in result.not_counted}
    assert {"no_psychosocial_intervention", "not_by_keyworker"} <= reasons


def test_demo_clients_look_real_on_the_pages_a_keyworker_works_from(demo):
    from keywork.careplans.models import Goal
    from keywork.clients.rules import nhs_check_digit
    from keywork.demo.plans import SUBSTANCE_GOALS
    from keywork.sessions.models import Attendance

    for c in Client.objects.all():
        assert c.phone.startswith("07700 900") and c.gp_practice and c.address
        assert c.postcode.startswith(c.postcode_district + " ") and c.next_of_kin
        assert c.nhs_number[-1] == str(nhs_check_digit(c.nhs_number[:9]))
    now = timezone.now()
    booked = Attendance.objects.filter(outcome="scheduled")
    assert booked.filter(session__starts_at__gt=now).count() > 50  # booked ahead
    unwritten = booked.filter(session__starts_at__lt=now)
    assert 0 < unwritten.count() < Episode.objects.count() // 5  # a few not written up yet
    assert {a.session.place for a in Attendance.objects.select_related("session")[:400]} >= {
        "office",
        "phone",
        "home_visit",
    }
    for goal in Goal.objects.filter(domain="substance_use").select_related("care_plan__episode"):
        main = goal.care_plan.episode.substances.order_by("rank").first()
        expected = SUBSTANCE_GOALS.get(main.substance.code) if main else None
        if expected:
            assert goal.description == expected[0]  # the goal fits the main substance


def test_demo_care_plan_actions_are_mostly_done_with_a_few_overdue(demo):
    from django.db.models import F

    done = PlanAction.objects.exclude(done_on=None)
    assert done.count() > PlanAction.objects.count() // 2
    assert not done.filter(done_by=None).exists() and not done.filter(done_on__gt=today()).exists()
    assert not done.filter(done_on__lt=F("care_plan__agreed_on")).exists()
    overdue = PlanAction.objects.filter(done_on=None, due_on__lt=today())
    assert 0 < overdue.count() < PlanAction.objects.count() // 5


def test_demo_data_exercises_the_national_definitions(demo, tmp_path):
    """Catalogue and dataset 2026.2 in the demo: clients waiting for triage (out of QS6's
    denominator), offers declined and deferred with their reasons, depot buprenorphine with
    supervision not applicable, diazepam alongside methadone, community rehabilitation, and
    after a successful completion relapse-prevention prescribing (RPP), psychosocial relapse
    prevention and check-ups; the month's return carries them with no problem found."""
    import csv
    import io

    from django.core.management import call_command

    from keywork.interventions.models import Intervention, Offer
    from keywork.prescribing.models import Prescription

    waiting = Episode.objects.filter(triage_date=None, discharged_on=None)
    assert waiting.count() >= 2
    assert {"accepted", "declined", "deferred"} <= set(
        Offer.objects.values_list("answer", flat=True)
    )
    assert not Offer.objects.filter(answer__in=("declined", "deferred"), reason="").exists()
    assert Prescription.objects.filter(medication__code="rx.buprenorphine-depot").exists()
    alongside = Prescription.objects.filter(medication__code="rx.diazepam").values("episode")
    assert Prescription.objects.filter(
        episode__in=alongside, medication__code="rx.methadone-oral"
    ).exists()
    assert Intervention.objects.filter(
        entry__code="spec.rehabilitation", setting="community"
    ).exists()
    after = Prescription.objects.filter(
        regime="relapse_prevention", episode__exit_reason__startswith="completed_"
    )
    assert any(
        p.started_on > (p.episode.discharged_on or p.started_on)
        for p in after.select_related("episode")
    )
    out = tmp_path / "return.csv"
    month = today().strftime("%Y-%m")
    call_command("export", "ndtms", "--month", month, "--out", str(out), stdout=io.StringIO())
    said = io.StringIO()
    call_command("export", "ndtms", "--month", month, "--check", stdout=said)
    assert "No problems found" in said.getvalue()
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    returned = (
        {r["INTTYPE"] for r in rows} | {r["SUBTYPE"] for r in rows} | {r["MEDICINE"] for r in rows}
    )
    assert {"RPP", "SDP", "RCU", "RPS", "BUPD", "DZP"} <= returned
    assert {r["OSTSUP"] for r in rows if r["RECTYPE"] == "OST"} >= {"1", "99"}
    from keywork.measures.framework import Period, Scope
    from keywork.measures.qs6 import QS6
    from keywork.measures.runs import compute

    qs6 = compute(QS6(), Period(today() - dt.timedelta(days=30), today()), Scope(demo.service))
    assert "offered_declined" in {row.code for row in qs6.not_counted}
    assert qs6.offered is not None and qs6.offered > qs6.numerator

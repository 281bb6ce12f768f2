"""Rule 4: who is competent to deliver which catalogue intervention on which date."""

import datetime as dt
from itertools import product

import pytest

from keywork.access import actions
from keywork.access.queries import competent_entries, competent_workers, is_competent
from keywork.access.rules import require_competent
from keywork.catalogue.models import Entry
from keywork.core.dates import today
from keywork.core.errors import RuleViolation

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_any_keyworker_may_deliver_keywork_and_keyworking(personas):
    for code in (
        "focus.motivation-for-change",
        "kwe.engagement.harm-reduction",
        "topic.ambivalence",
    ):
        verdict = is_competent(personas.keyworker, personas.entry(code), today())
        assert verdict.competent, verdict.reason


def test_keywork_plus_needs_training_and_supervision_in_date(personas):
    mi = personas.entry("kwp.motivational-interviewing")
    assert is_competent(personas.mi_keyworker, mi, today()).competent


def test_it_refuses_keywork_plus_without_training(personas):
    verdict = is_competent(
        personas.keyworker, personas.entry("kwp.motivational-interviewing"), today()
    )
    assert not verdict.competent
    assert "no training in it is recorded" in verdict.reason
    assert "Refer the client" in verdict.reason


def test_it_refuses_keywork_plus_when_supervision_has_lapsed(personas):
    verdict = is_competent(
        personas.lapsed_keyworker, personas.entry("kwp.motivational-interviewing"), today()
    )
    assert not verdict.competent
    lapsed = today() - dt.timedelta(days=100) + dt.timedelta(days=56)
    assert f"clinical supervision lapsed on {lapsed:%d/%m/%Y}" in verdict.reason


def test_supervision_covers_its_first_day_and_not_the_day_it_lapses(personas):
    mi = personas.entry("kwp.motivational-interviewing")
    supervision = personas.mi_keyworker.supervisions.get()
    assert is_competent(personas.mi_keyworker, mi, supervision.held_on).competent
    assert is_competent(personas.mi_keyworker, mi, supervision.lapses_on - DAY).competent
    assert not is_competent(personas.mi_keyworker, mi, supervision.lapses_on).competent
    assert not is_competent(personas.mi_keyworker, mi, supervision.held_on - DAY).competent


def test_training_counts_from_its_date_and_stops_when_withdrawn(personas):
    mi = personas.entry("kwp.motivational-interviewing")
    competency = personas.mi_keyworker.competencies.get()
    day = today() - dt.timedelta(days=5)
    assert is_competent(personas.mi_keyworker, mi, day).competent
    actions.withdraw_training(
        actor=personas.team_leader.user,
        competency=competency,
        given=actions.WithdrawTrainingInput(withdrawn_on=today(), reason="Practice concerns"),
    )
    assert is_competent(personas.mi_keyworker, mi, day).competent
    assert not is_competent(personas.mi_keyworker, mi, today()).competent


def test_training_in_a_group_covers_its_parts(personas):
    actions.record_training(
        actor=personas.team_leader.user,
        worker=personas.keyworker,
        given=actions.RecordTrainingInput(
            intervention=personas.entry("kwp.low-intensity-cmi"),
            trained_on=today() - dt.timedelta(days=30),
        ),
    )
    part = personas.entry("kwp.low-intensity-cmi.guided-self-help")
    assert is_competent(personas.keyworker, part, today()).competent


def test_specialist_needs_a_registration_covering_it_in_date(personas):
    counselling = personas.entry("spec.counselling")
    registration = personas.counsellor.registrations.get()
    assert is_competent(personas.counsellor, counselling, today()).competent
    actions.record_supervision(
        actor=None,
        worker=personas.counsellor,
        given=actions.RecordSupervisionInput(
            held_on=today(), lapses_on=registration.expires_on + 30 * DAY
        ),
    )
    assert is_competent(personas.counsellor, counselling, registration.expires_on).competent
    assert not is_competent(
        personas.counsellor, counselling, registration.expires_on + DAY
    ).competent
    assert not is_competent(personas.counsellor, personas.entry("spec.cbt-cmi"), today()).competent
    refused = is_competent(personas.mi_keyworker, counselling, today())
    assert "no registration or accreditation covering it is in date" in refused.reason


def test_specialist_needs_supervision_in_date_as_well(personas):
    """Seed 001: the specialist tier includes "interventions requiring specialist
    competencies, training and supervision structures"; seed 003 asks each structured
    intervention for "delivery within a clinical governance framework that includes
    appropriate supervision". A registration alone is not enough (catalogue 2026.2)."""
    counselling = personas.entry("spec.counselling")
    supervised_until = personas.counsellor.supervisions.get().lapses_on
    assert is_competent(personas.counsellor, counselling, supervised_until - DAY).competent
    refused = is_competent(personas.counsellor, counselling, supervised_until)
    assert not refused.competent
    assert "clinical supervision lapsed on" in refused.reason
    assert personas.counsellor not in competent_workers(counselling, supervised_until)
    assert (
        not competent_entries(personas.counsellor, supervised_until)
        .filter(pk=counselling.pk)
        .exists()
    )


def test_only_keyworkers_deliver_interventions(personas):
    verdict = is_competent(personas.manager, personas.entry("topic.ambivalence"), today())
    assert not verdict.competent and "only keyworkers deliver" in verdict.reason


def test_the_rule_refuses_with_r4_and_suggests_a_referral(personas):
    verdict = is_competent(personas.keyworker, personas.entry("kwp.sbnt"), today())
    with pytest.raises(RuleViolation) as refused:
        require_competent(verdict)
    assert refused.value.code == "R4"
    assert "Refer the client to a colleague or service who can" in refused.value.message


def test_the_list_query_agrees_with_the_single_answer(personas):
    workers = [
        personas.mi_keyworker,
        personas.keyworker,
        personas.lapsed_keyworker,
        personas.counsellor,
        personas.team_leader,
        personas.manager,
    ]
    codes = [
        "topic.ambivalence",
        "kwp.motivational-interviewing",
        "kwp.sbnt",
        "spec.counselling",
        "spec.cbt-cmi",
    ]
    days = [today(), today() - dt.timedelta(days=60), today() - dt.timedelta(days=400)]
    for code, day in product(codes, days):
        entry = Entry.objects.select_related("tier", "parent").get(code=code)
        listed = set(competent_workers(entry, day).values_list("pk", flat=True))
        for worker in workers:
            assert (worker.pk in listed) == is_competent(worker, entry, day).competent, (
                code,
                day,
                worker,
            )


def test_training_is_recorded_for_keywork_plus_only(personas):
    with pytest.raises(RuleViolation, match="not a Keywork\\+ intervention") as refused:
        actions.record_training(
            actor=None,
            worker=personas.keyworker,
            given=actions.RecordTrainingInput(
                intervention=personas.entry("spec.counselling"), trained_on=today()
            ),
        )
    assert refused.value.code == "R4"
    assert not personas.keyworker.competencies.exists()


def test_a_keyworker_cannot_record_their_own_training(personas):
    with pytest.raises(RuleViolation) as refused:
        actions.record_training(
            actor=personas.keyworker.user,
            worker=personas.keyworker,
            given=actions.RecordTrainingInput(
                intervention=personas.entry("kwp.sbnt"), trained_on=today()
            ),
        )
    assert refused.value.code == "ACCESS"
    assert not personas.keyworker.competencies.exists()


def test_what_the_form_offers_is_exactly_what_the_rule_allows(personas):
    actions.record_training(
        actor=None,
        worker=personas.keyworker,
        given=actions.RecordTrainingInput(
            intervention=personas.entry("kwp.low-intensity-cmi"),
            trained_on=today() - dt.timedelta(days=30),
        ),
    )
    deliverable = Entry.objects.offered().filter(
        kind__in=["intervention", "focus", "national_definition"]
    )
    for worker in (
        personas.mi_keyworker,
        personas.keyworker,
        personas.lapsed_keyworker,
        personas.counsellor,
        personas.manager,
    ):
        for day in (today(), today() - dt.timedelta(days=90)):
            offered = set(
                competent_entries(worker, day)
                .filter(pk__in=deliverable)
                .values_list("code", flat=True)
            )
            allowed = {
                e.code
                for e in deliverable.select_related("tier", "parent")
                if is_competent(worker, e, day).competent
            }
            assert offered == allowed, (worker, day, offered ^ allowed)

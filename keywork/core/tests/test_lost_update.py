"""No lost update: an edit carries the version it was read at; a save against a newer
version is refused as a conflict that shows both and keeps what was typed; simultaneous
saves of one record queue on its row and leave exactly one winner, never a server error."""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.test import Client as Browser

from keywork.careplans import actions as careplans
from keywork.careplans.models import CarePlan
from keywork.careplans.tests.test_careplans import agree
from keywork.careplans.tests.test_channels import plan_form, plan_line
from keywork.clients import actions as clients
from keywork.clients.models import Allocation, Episode
from keywork.core.dates import today
from keywork.core.errors import Conflict, RuleViolation
from keywork.core.tests.test_channels import earlier_session
from keywork.core.tests.test_import import lines, run
from keywork.sessions.models import Attendance

CLIENT = "/clients/T0001/"
DAY = dt.timedelta(days=1)


def hidden_version(page: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "the form carries the version it was read at"
    return int(found.group(1))


def opened(personas: Any, url: str, who: str = "mi_keyworker") -> tuple[Browser, int]:
    browser = Browser()
    browser.force_login(getattr(personas, who).user)
    page = browser.get(url)
    assert page.status_code == 200
    return browser, hidden_version(page.content.decode())


@pytest.mark.django_db
def test_two_editors_of_one_care_plan_the_later_sees_both_and_loses_nothing(personas):
    agree(personas)  # version 1
    first, read_at = opened(personas, CLIENT + "care-plan/new/")
    second, also_read_at = opened(personas, CLIENT + "care-plan/new/")
    assert read_at == also_read_at == 1

    mine = plan_form(change_note="Added housing", version=read_at)
    assert first.post(CLIENT + "care-plan/new/", mine).status_code == 302
    theirs = plan_form(change_note="Added a GP letter", goal_1_description="See the GP")
    response = second.post(CLIENT + "care-plan/new/", {**theirs, "version": also_read_at})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "The care plan was changed by someone else after you opened it" in page
    assert "Saved by someone else meanwhile" in page and "Added housing" in page  # theirs
    assert 'value="Added a GP letter"' in page and 'value="See the GP"' in page  # mine
    assert hidden_version(page) == 2
    assert [p.version for p in CarePlan.objects.filter(episode=personas.episode)] == [1, 2]

    again = second.post(CLIENT + "care-plan/new/", {**theirs, "version": 2})
    assert again.status_code == 302, "saving again, knowing both, is a choice"
    latest = CarePlan.objects.filter(episode=personas.episode).latest("version")
    assert (latest.version, latest.change_note) == (3, "Added a GP letter")


@pytest.mark.django_db
def test_two_editors_of_one_note_the_later_sees_the_saved_notes(personas):
    attendance = earlier_session(personas)
    url = f"{CLIENT}sessions/{attendance.pk}/amend/"
    first, read_at = opened(personas, url)
    second, _ = opened(personas, url)
    assert read_at == 0
    sent = {"notes": "First notes; GP letter sent", "reason": "Letter", "version": read_at}
    assert first.post(url, sent).status_code == 302
    response = second.post(url, {"notes": "First notes; rang the pharmacy", "reason": "Call"})
    assert response.status_code == 302, "without a version read, the change applies as before"
    attendance.refresh_from_db()
    stale = second.post(url, {"notes": "Mine", "reason": "Mine", "version": read_at})
    page = html.unescape(stale.content.decode())
    assert "was changed by someone else" in page and "First notes; rang the pharmacy" in page
    assert re.search(r'name="notes"[^>]*>\s*Mine</textarea>', page), "what was typed stays"
    assert Attendance.objects.get(pk=attendance.pk).notes == "First notes; rang the pharmacy"


@pytest.mark.django_db
def test_a_keyworker_change_against_an_older_version_is_a_conflict_on_the_form_and_import(
    personas, tmp_path
):
    first, read_at = opened(personas, CLIENT + "keyworker/", who="team_leader")
    second, _ = opened(personas, CLIENT + "keyworker/", who="team_leader")
    change = {"worker": personas.keyworker.pk, "on": today().isoformat(), "reason": "Cover"}
    assert first.post(CLIENT + "keyworker/", {**change, "version": read_at}).status_code == 302
    back = {**change, "worker": personas.mi_keyworker.pk, "reason": "Back", "version": read_at}
    page = html.unescape(second.post(CLIENT + "keyworker/", back).content.decode())
    assert "was changed by someone else" in page and personas.keyworker.name in page
    line = {
        "action": "move_phase",
        "client": "T0001",
        "to": "preparation",
        "on": today().isoformat(),
        "reason": "Ready",
        "version": read_at,
    }
    _, err, failed = run(tmp_path, lines(line), user="tia.leader")
    assert err.startswith("line 1: CONFLICT:") and failed
    assert Allocation.objects.filter(episode=personas.episode).count() == 2


@pytest.mark.django_db
def test_an_import_line_with_the_version_it_read_applies(personas, tmp_path):
    agree(personas)
    _, err, failed = run(tmp_path, lines(plan_line(version=1)))
    assert failed is None, err
    _, err, failed = run(tmp_path, lines(plan_line(version=1)))
    assert err.startswith("line 1: CONFLICT: The care plan was changed") and failed


# Simultaneous saves -----------------------------------------------------------------------

SAVES = 16


def at_once(save: Callable[[int], object]) -> list[object]:
    """Run `save(n)` in SAVES threads released together; what each returned or raised."""
    results: list[object] = [None] * SAVES
    start = threading.Barrier(SAVES)

    def one(n: int) -> None:
        try:
            start.wait()
            results[n] = save(n)
        except BaseException as error:
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(SAVES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def outcome(results: list[object]) -> tuple[int, int, list[BaseException]]:
    """(saved, refused as a conflict, anything else)."""
    conflicts = [r for r in results if isinstance(r, Conflict)]
    others = [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)]
    return SAVES - len(conflicts) - len(others), len(conflicts), others


@pytest.mark.django_db(transaction=True)
def test_sixteen_simultaneous_keyworker_changes_leave_exactly_one_winner(personas):
    episode = personas.episode
    version = clients.episode_version(episode)
    workers = [personas.keyworker, personas.team_leader]
    on = today()

    def save(n: int) -> object:
        return clients.allocate_keyworker(
            actor=personas.team_leader.user,
            episode=Episode.objects.get(pk=episode.pk),
            given=clients.AllocateKeyworkerInput(
                worker=workers[n % 2], on=on, reason=f"Change {n}", expected_version=version
            ),
        )

    saved, conflicts, others = outcome(at_once(save))
    assert others == [] and (saved, conflicts) == (1, SAVES - 1)
    current = Allocation.objects.filter(episode=episode, ended_on__isnull=True)
    assert current.count() == 1
    assert Allocation.objects.filter(episode=episode).count() == 2


@pytest.mark.django_db(transaction=True)
def test_sixteen_simultaneous_keyworker_changes_without_a_version_queue_without_error(personas):
    """What the probe found: `Allocation.DoesNotExist` after the row lock on PostgreSQL."""
    episode = personas.episode
    workers = [personas.keyworker, personas.team_leader]

    def save(n: int) -> object:
        return clients.allocate_keyworker(
            actor=personas.team_leader.user,
            episode=Episode.objects.get(pk=episode.pk),
            given=clients.AllocateKeyworkerInput(
                worker=workers[n % 2], on=today(), reason=f"Change {n}"
            ),
        )

    results = at_once(save)
    crashes = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, RuleViolation) for r in crashes), crashes
    assert Allocation.objects.filter(episode=episode, ended_on__isnull=True).count() == 1


def agreements_at_once(personas: Any, expected_version: int | None) -> list[object]:
    from keywork.careplans.tests.test_careplans import plan_input

    def save(n: int) -> object:
        return careplans.agree_care_plan(
            actor=personas.mi_keyworker.user,
            episode=Episode.objects.get(pk=personas.episode.pk),
            given=plan_input(
                change_note=f"Version from editor {n}", expected_version=expected_version
            ),
        )

    return at_once(save)


def plan_versions(personas: Any) -> list[int]:
    versions = CarePlan.objects.filter(episode=personas.episode).values_list("version", flat=True)
    return sorted(versions)


@pytest.mark.django_db(transaction=True)
def test_sixteen_simultaneous_care_plan_agreements_leave_exactly_one_winner(personas):
    saved, conflicts, others = outcome(agreements_at_once(personas, expected_version=0))
    assert others == [] and (saved, conflicts) == (1, SAVES - 1)
    assert plan_versions(personas) == [1]


@pytest.mark.django_db(transaction=True)
def test_sixteen_simultaneous_agreements_without_a_version_each_make_the_next_version(personas):
    """What the probe found: `IntegrityError` on the version constraint on PostgreSQL."""
    results = agreements_at_once(personas, expected_version=None)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert plan_versions(personas) == list(range(1, SAVES + 1))


# Every other record a form or an import line changes ---------------------------------------


def _intervention(personas: Any) -> tuple[Callable[[int], object], int]:
    from keywork.interventions import actions
    from keywork.interventions.tests.test_interventions import given, start

    agree(personas)
    record = start(personas)

    def save(version: int) -> object:
        return actions.amend_intervention(
            actor=personas.mi_keyworker.user,
            intervention=record,
            given=actions.as_amendment(
                given(personas, planned_sessions=8), reason="Planned more", expected_version=version
            ),
        )

    return save, actions.intervention_version(record)


def _prescription(personas: Any) -> tuple[Callable[[int], object], int]:
    from keywork.prescribing import actions
    from keywork.prescribing.tests.test_prescribing import ml, prescribe
    from keywork.testing.personas import prescriber

    nurse = prescriber("nia.prescriber", personas, "NMC-9")
    record = prescribe(personas, nurse, started_on=today() - 10 * DAY)
    days = iter(range(8, 0, -2))

    def save(version: int) -> object:
        return actions.change_dose(
            actor=personas.mi_keyworker.user,
            prescription=record,
            given=actions.ChangeDoseInput(
                from_date=today() - next(days) * DAY,
                dose=ml("70"),
                reason="Review with the prescriber",
                expected_version=version,
            ),
        )

    return save, actions.prescription_version(record)


def _referral(personas: Any) -> tuple[Callable[[int], object], int]:
    from keywork.referrals import actions
    from keywork.referrals.tests.test_referrals import refer

    record = refer(personas)
    statuses = iter(["accepted", "declined"])

    def save(version: int) -> object:
        return actions.move_referral(
            actor=personas.mi_keyworker.user,
            referral=record,
            given=actions.MoveReferralInput(
                status=next(statuses), on=today(), expected_version=version
            ),
        )

    return save, actions.referral_version(record)


def _assessment(personas: Any) -> tuple[Callable[[int], object], int]:
    from keywork.assessments import actions
    from keywork.assessments.tests.test_assess import assessment

    def save(version: int) -> object:
        return actions.assess(
            actor=personas.mi_keyworker.user,
            episode=personas.episode,
            given=assessment(expected_version=version),
        )

    return save, actions.assessment_version(personas.episode)


@pytest.mark.django_db
@pytest.mark.parametrize("record", [_intervention, _prescription, _referral, _assessment])
def test_a_change_made_against_an_older_version_of_any_record_is_a_conflict(personas, record):
    save, read_at = record(personas)
    save(read_at)  # the first editor
    with pytest.raises(Conflict) as caught:
        save(read_at)  # the second, who read the same version
    assert caught.value.theirs, "what is saved now is shown beside what was typed"

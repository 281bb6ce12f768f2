"""The team view: a disabled worker's clients listed for reallocation, clients seen most by
someone other than their keyworker flagged, each keyworker's workload."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone

from keywork.access.actions import SetActiveInput, set_active
from keywork.measures.models import Snapshot
from keywork.sessions.actions import (
    Appointment,
    RecordGroupInput,
    RecordSessionInput,
    ScheduleGroupInput,
    SessionContent,
    record_session,
)
from keywork.testing.worker import report_page, work_the_queue

pytestmark = pytest.mark.django_db


def seen_by(personas, worker, days_ago: int):
    when = timezone.now() - dt.timedelta(days=days_ago)
    return record_session(
        actor=worker.user,
        episode=personas.episode,
        given=RecordSessionInput(
            starts_at=when,
            content=SessionContent(
                care_plan_work="progress_checked",
                information_advice="a",
                harm_reduction="b",
                motivational_work="c",
                topics=("topic.ambivalence",),
            ),
            next_appointment=Appointment(starts_at=when + dt.timedelta(days=7)),
        ),
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("team_leader", 200), ("manager", 200), ("mi_keyworker", 404), ("commissioner", 404)],
)
def test_the_team_view_is_for_team_leaders_and_managers(client, personas, persona, status):
    client.force_login(getattr(personas, persona).user)
    assert report_page(client, "/team/").status_code == status


def test_a_disabled_keyworkers_clients_are_listed_for_reallocation(client, personas):
    client.force_login(personas.team_leader.user)
    assert "None: every client has an active keyworker" in client.get("/team/").content.decode()
    set_active(
        actor=None,
        worker=personas.mi_keyworker,
        given=SetActiveInput(active=False, reason="Left the service"),
    )
    page = client.get("/team/").content.decode()
    waiting = page.split("Awaiting a new keyworker")[1].split("Allocations to review")[0]
    assert "Sam Synthetic" in waiting and "/clients/T0001/keyworker/" in waiting


def test_the_clients_awaiting_a_new_keyworker_are_found_from_the_disabled_workers(personas):
    """The list asks whether an episode's keyworker is among the workers whose account is
    disabled (a few), which SQLite finds along the episodes' keyworker index. Asked of every
    open episode's keyworker through a join, SQLite read every open episode of the service:
    90 ms of the service manager's team view at 330,000 clients, against under 1 ms (its
    plan there, with the tables analysed; a test database has no statistics to plan by)."""
    from keywork.clients.models import Episode
    from keywork.clients.queries import awaiting_reallocation

    set_active(
        actor=None,
        worker=personas.mi_keyworker,
        given=SetActiveInput(active=False, reason="Left the service"),
    )
    found = awaiting_reallocation(Episode.objects.filter(service=personas.service))
    assert [e.client for e in found] == [personas.episode.client]
    assert '"clients_episode"."keyworker_id" IN (SELECT' in str(found.query)


def test_a_client_seen_most_by_someone_else_in_eight_weeks_is_flagged(client, personas):
    client.force_login(personas.team_leader.user)
    seen_by(personas, personas.mi_keyworker, 20)
    seen_by(personas, personas.keyworker, 14)
    page = client.get("/team/").content.decode()
    assert "None: every client was seen most by their keyworker" in page  # a tie is no flag
    seen_by(personas, personas.keyworker, 7)
    seen_by(personas, personas.mi_keyworker, 57)  # outside the 8 weeks
    page = client.get("/team/").content.decode()
    flagged = page.split("Allocations to review")[1].split("Caseloads")[0]
    assert "Sam Synthetic" in flagged and f"{personas.keyworker.name} (2 sessions)" in flagged
    assert f"{personas.mi_keyworker.name} (1 session)" in flagged


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
def test_a_teams_contact_flags_are_found_along_the_teams_episodes(personas):
    """The first pass that finds whom someone else has seen lately goes through the team's
    episodes only: over every episode, SQLite scanned the whole service's attendances for a
    team's flags (215 ms for a team of 2,500 at 30,000 clients)."""
    from keywork.clients.models import Episode
    from keywork.overview.queries import contact_flags

    seen_by(personas, personas.keyworker, 20)  # not the client's keyworker
    found = contact_flags(Episode.objects.filter(team=personas.team), now=timezone.now())
    assert [e.client for e in found] == [personas.episode.client]
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        plan = [row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    assert not [step for step in plan if step.startswith("SCAN")], plan


def test_the_service_managers_team_view_is_worked_out_by_the_worker_and_kept(
    client, personas, django_assert_num_queries
):
    """The whole service's flags and workload, kept; the clients awaiting a new keyworker
    read as they are."""
    seen_by(personas, personas.mi_keyworker, 20)
    seen_by(personas, personas.keyworker, 14)
    seen_by(personas, personas.keyworker, 7)
    client.force_login(personas.manager.user)
    waiting = client.get("/team/")
    assert waiting.status_code == 202 and "Being computed" in waiting.content.decode()
    work_the_queue()
    page = client.get("/team/").content.decode()
    flagged = page.split("Allocations to review")[1].split("Caseloads")[0]
    assert "Sam Synthetic" in flagged and f"{personas.keyworker.name} (2 sessions)" in flagged
    assert "Computed at" in page and Snapshot.objects.filter(page="team").count() == 1
    set_active(
        actor=None,
        worker=personas.mi_keyworker,
        given=SetActiveInput(active=False, reason="Left the service"),
    )
    with django_assert_num_queries(TEAM_VIEW_KEPT_QUERIES):
        page = client.get("/team/").content.decode()
    awaiting = page.split("Awaiting a new keyworker")[1].split("Allocations to review")[0]
    assert "Sam Synthetic" in awaiting, "read as it is, not kept"
    assert "Records have changed since" in page


# The session, user and worker; the kept figures and the trail's last change; the clients
# awaiting a keyworker (a page, counted only when there is more than one:
# keywork/core/paging.py); a page of the kept flags, their episodes and who saw them; the
# workers led (a page, likewise) with their training and registrations; a page of the kept
# workload; the audit of what is shown (savepoint, chain's head, row, head, release); the
# synthetic-data banner; the service's name. None of them grows with the service.
TEAM_VIEW_KEPT_QUERIES = 21


def test_a_groups_facilitator_is_not_counted_as_the_most_frequent_contact(client, personas):
    from keywork.sessions.actions import RegisterLine, record_group, schedule_group

    seen_by(personas, personas.mi_keyworker, 20)
    for days_ago in (15, 8):
        (group,) = schedule_group(
            actor=personas.keyworker.user,
            team=personas.team,
            episodes=[personas.episode],
            given=ScheduleGroupInput(
                title="Mutual aid introduction",
                starts_at=timezone.now() - dt.timedelta(days=days_ago),
                facilitators=[personas.keyworker],
            ),
        )
        record_group(
            actor=personas.keyworker.user,
            session=group,
            given=RecordGroupInput(
                content=SessionContent(
                    care_plan_work="progress_checked",
                    information_advice="a",
                    harm_reduction="b",
                    motivational_work="c",
                    topics=("topic.ambivalence",),
                ),
                register=[
                    RegisterLine(
                        group.attendances.get(),
                        "attended",
                        next_appointment=Appointment(
                            starts_at=timezone.now() + dt.timedelta(days=days_ago)
                        ),
                    )
                ],
            ),
        )
    client.force_login(personas.team_leader.user)
    assert (
        "None: every client was seen most by their keyworker"
        in client.get("/team/").content.decode()
    )


def test_the_team_view_shows_supervision_training_and_registrations_due_or_lapsed(client, personas):
    from keywork.access import actions as access
    from keywork.access.queries import practitioners_led_by, standing
    from keywork.core.dates import today

    access.record_registration(
        actor=None,
        worker=personas.keyworker,
        given=access.RecordRegistrationInput(
            body="NMC",
            number="NMC-7",
            valid_from=today() - dt.timedelta(days=700),
            expires_on=today() + dt.timedelta(days=10),
            interventions=[personas.entry("spec.counselling")],
        ),
    )
    stood = {
        s.worker.name: s for s in standing(practitioners_led_by(personas.team_leader), today())
    }
    assert stood["Lou Lapsed"].supervision == "lapsed"
    assert stood["Mia Trained"].supervision == "in date" and stood["Mia Trained"].trained == 1
    assert stood["Tia Leader"].supervision == "none"
    assert [state for _, state in stood["Kit Plain"].registered] == ["due"]
    assert stood["Cal Counsellor"].registered[0][1] == "in date"
    assert "Oli Other" not in stood  # another team's

    client.force_login(personas.team_leader.user)
    page = client.get("/team/").content.decode()
    section = page.split("Supervision, training and registrations")[1]
    assert "Lapsed" in section and 'NMC NMC-7: <span class="due">expires' in section
    assert "BACP 000123: to" in section and "None recorded" in section


def test_each_list_of_the_team_view_pages_on_its_own(client, personas, monkeypatch):
    from keywork.overview import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(personas.team_leader.user)
    first = client.get("/team/?flags=1").content.decode()
    assert 'href="?flags=1&amp;standing=2#standing"' in first, "keeps the other lists' pages"
    second = client.get("/team/?flags=1&standing=2").content.decode()
    assert "Page 2 of" in second.split('id="standing"')[1]
    assert set(_workers(first)).isdisjoint(_workers(second)) and len(_workers(second)) == 2


def _workers(page: str) -> list[str]:
    table = page.split('id="standing"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row">([^<]+)', table)


def test_figures_kept_in_an_earlier_shape_are_worked_out_again(client, personas):
    import json

    from keywork.core.writes import bulk_write
    from keywork.measures import snapshots

    earlier = json.dumps({"service_id": personas.service.pk, "shape": snapshots.SHAPE - 1})
    with bulk_write():  # as an earlier version kept them: each workload row a dict
        Snapshot.objects.create(
            page="team",
            key=earlier,
            state=Snapshot.State.DONE,
            computed_at=timezone.now(),
            figures={"workload": [{"keyworker_id": 1, "clients": 3}], "flags": []},
        )
    client.force_login(personas.manager.user)
    assert client.get("/team/").status_code == 202, "not read as the new shape"
    work_the_queue()
    assert client.get("/team/").status_code == 200


def test_the_kept_lists_are_read_a_page_at_a_time(client, personas, monkeypatch):
    from keywork.overview import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client.force_login(personas.manager.user)
    first = report_page(client, "/team/").content.decode()
    second = client.get("/team/?caseloads=2").content.decode()
    rows = [_caseload_rows(page) for page in (first, second)]
    assert len(rows[0]) == len(rows[1]) == 1 and rows[0] != rows[1]
    assert "Page 2 of 2" in second.split('id="caseloads"')[1]


def _caseload_rows(page: str) -> list[str]:
    table = page.split('id="caseloads"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row"><a href="/\?scope=team[^>]*>([^<]+)</a>', table)

"""The first pages: login, the caseload and the client record, through the access matrix,
with query counts pinned so they cannot slow down as data grows."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keywork.clients import actions
from keywork.clients.actions import SubstanceUse
from keywork.core.dates import today
from keywork.sessions.actions import AmendSessionNotesInput, RecordSessionInput
from keywork.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

RECORD = "/clients/T0001/"


def test_the_login_page_is_served_with_no_external_assets(client, personas):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in" in page
    assert "http://" not in page and "https://" not in page


def test_the_stylesheet_the_pages_link_to_is_served(client, personas):
    page = client.get("/accounts/login/").content.decode()
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    response = client.get(href)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b".synthetic-banner" in b"".join(response.streaming_content)


def test_anonymous_visitors_are_sent_to_log_in(client, personas):
    for url in ("/", RECORD):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_worker_logs_in_with_username_and_password(client, personas):
    response = client.post(
        "/accounts/login/", {"username": "mia.trained", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "My caseload" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("mi_keyworker", 200),  # own caseload
        ("keyworker", 200),  # same team
        ("team_leader", 200),
        ("manager", 200),  # same service
        ("other_keyworker", 403),  # other team: refused, offered break-glass
        ("commissioner", 404),  # read-only, no identities
        ("administrator", 404),
    ],
)
def test_the_client_record_access_matrix(client, personas, persona, status):
    client.force_login(getattr(personas, persona).user)
    response = client.get(RECORD)
    assert response.status_code == status
    if status == 200:
        assert "Sam Synthetic" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "shows_sam", "shows_jo"),
    [
        ("mi_keyworker", True, False),
        ("keyworker", False, False),  # "mine" by default: Sam is Mia's
        ("team_leader", False, False),
        ("manager", True, True),
        ("other_keyworker", False, True),
        ("commissioner", False, False),
        ("administrator", False, False),
    ],
)
def test_the_caseload_access_matrix(client, personas, persona, shows_sam, shows_jo):
    client.force_login(getattr(personas, persona).user)
    page = client.get("/").content.decode()
    assert ("Sam Synthetic" in page) == shows_sam
    assert ("Jo Elsewhere" in page) == shows_jo


def test_the_team_view_shows_colleagues_clients_but_not_other_teams(client, personas):
    client.force_login(personas.keyworker.user)
    page = client.get("/?scope=team").content.decode()
    assert "Sam Synthetic" in page and "Jo Elsewhere" not in page


def test_the_record_names_the_keyworker_and_how_to_reach_them(client, personas):
    client.force_login(personas.keyworker.user)
    page = client.get(RECORD).content.decode()
    assert "Mia Trained" in page and "07700 900123" in page and "Engagement" in page


def test_a_client_can_be_found_by_id_or_name(client, personas):
    client.force_login(personas.manager.user)
    assert "Jo Elsewhere" in client.get("/?q=t0002").content.decode()
    page = client.get("/?q=synth").content.decode()
    assert "Sam Synthetic" in page and "Jo Elsewhere" not in page


def add_clients(personas, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        new = actions.register_client(
            actor=personas.mi_keyworker.user,
            given=actions.RegisterClientInput(
                local_id=f"Q{n:04d}",
                given_name="Quinn",
                family_name=f"Load{n:04d}",
                date_of_birth=dt.date(1980, 1, 1),
                sex="not_stated",
            ),
        )
        episode = actions.open_episode(
            actor=personas.mi_keyworker.user,
            client=new,
            given=actions.OpenEpisodeInput(
                team=personas.team,
                referral_date=today() - dt.timedelta(days=20),
                keyworker=personas.mi_keyworker,
                substances=[SubstanceUse(code="sub.cannabis", route="smoke")],
            ),
        )
        actions.move_phase(
            actor=personas.mi_keyworker.user,
            episode=episode,
            given=actions.MovePhaseInput(to="preparation", on=today(), reason="Ready"),
        )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_caseload_and_record_use_the_same_number_of_queries_whatever_the_size(client, personas):
    client.force_login(personas.mi_keyworker.user)
    add_clients(personas, 3)
    record_a_session(personas, 8)
    small = (queries_for(client, "/"), queries_for(client, RECORD))
    add_clients(personas, 40, start=3)
    for n in range(5):
        actions.allocate_keyworker(
            actor=personas.team_leader.user,
            episode=personas.episode,
            given=actions.AllocateKeyworkerInput(
                worker=personas.keyworker if n % 2 == 0 else personas.mi_keyworker,
                on=today(),
                reason="Cover",
            ),
        )
    for days_ago in (7, 5, 2):
        attended = record_a_session(personas, days_ago)
    from keywork.sessions.actions import amend_session_notes

    amend_session_notes(
        actor=personas.mi_keyworker.user,
        attendance=attended,
        given=AmendSessionNotesInput(notes="More", reason="Added"),
    )
    large = (queries_for(client, "/"), queries_for(client, RECORD))
    assert small == large
    assert large[0] <= 12 and large[1] <= 30


def record_a_session(personas, days_ago: int):
    from django.utils import timezone

    from keywork.sessions.actions import Appointment, SessionContent, record_session

    when = timezone.now() - dt.timedelta(days=days_ago)
    return record_session(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=RecordSessionInput(
            starts_at=when,
            content=SessionContent(
                care_plan_work="progress_checked",
                information_advice="Naloxone",
                harm_reduction="Safer use",
                motivational_work="Change talk",
                topics=("topic.ambivalence", "topic.risk-awareness"),
                interventions=("kwp.motivational-interviewing",),
                techniques=("tool.decision-balance",),
                notes="Notes",
            ),
            next_appointment=Appointment(starts_at=when + dt.timedelta(days=7)),
        ),
    )

"""The team and service dashboards on a small hand-built team, each figure worked out here;
each figure opens its list (audited); a commissioner sees figures and no one; the page keeps
its number of queries as the team grows.

North team, over the 40 days to today: T0001 (mia's, referred 60 days ago) has a plan whose
review was due 6 days ago, no outcome profile, one missed and one kept
appointment, a referral waiting and a move to Preparation; T0003 (mia's, referred 30 days
ago) has a start profile (quality of life 5) and a review (12). T0002 is in South."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keywork.audit.models import AuditEvent
from keywork.careplans.tests.test_careplans import agree
from keywork.clients import actions as clients
from keywork.core.dates import today
from keywork.core.writes import bulk_write
from keywork.maps.tests.test_maps import BOXES
from keywork.maps.tests.test_maps import save as save_map
from keywork.maps.tests.test_maps import start as start_map
from keywork.measures.models import Snapshot
from keywork.measures.snapshots import FRESH_FOR
from keywork.measures.tests.test_qs6 import FOCUS, seen
from keywork.measures.tests.test_report import params
from keywork.outcomes import actions as outcomes
from keywork.outcomes.actions import ProfileInput
from keywork.recovery import actions as recovery
from keywork.recovery.tests.test_recovery import answers
from keywork.referrals.tests.test_referrals import refer
from keywork.sessions import actions as sessions
from keywork.testing.personas import another_client
from keywork.testing.worker import report_page, work_the_queue

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def profile(personas, episode, stage: str, days_ago: int, quality: int):
    return outcomes.take_outcomes(
        actor=personas.mi_keyworker.user,
        episode=episode,
        given=ProfileInput(
            stage=stage,
            taken_on=today() - days_ago * DAY,
            use={"opiates": (20, Decimal("0.5"))},
            injecting_days=10 if stage == "start" else 2,
            psychological_health=quality,
            physical_health=quality,
            quality_of_life=quality,
        ),
    )


@pytest.fixture
def team(personas):
    agree(personas, agreed_on=today() - 50 * DAY, review_due=today() - 6 * DAY)  # overdue
    missed = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - 12 * DAY
    sessions.record_session(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=sessions.RecordSessionInput(starts_at=missed, outcome="did_not_attend"),
    )
    kept = seen(personas, personas.mi_keyworker, 5, FOCUS)
    the_map = start_map(personas, attendance=kept.pk)
    save_map(personas, the_map, nodes=BOXES, attendance=kept.pk)  # one map, saved twice
    refer(personas)
    clients.move_phase(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=clients.MovePhaseInput(
            to="preparation", on=today() - 3 * DAY, reason="Ready to plan the change"
        ),
    )
    other = another_client(personas, "T0003", 30)
    profile(personas, other, "start", 28, 5)
    profile(personas, other, "review", 4, 12)
    for stage, days_ago, money in (("start", 28, 0), ("review", 4, 3)):
        recovery.take_check(
            actor=personas.mi_keyworker.user,
            episode=other,
            given=recovery.CheckInput(
                stage=stage,
                taken_on=today() - days_ago * DAY,
                answers=answers(mo_1=money, mo_2=money),
            ),
        )
    return personas


def figures(page: str) -> dict[str, str]:
    """figure code -> the figure shown, from the page."""
    found = {}
    for chunk in page.split('id="figure-')[1:]:
        code = chunk.split('"', 1)[0]
        value = chunk.split('class="figure-value">', 1)[1].split("</span>", 1)[0]
        found[code] = value.split(">")[-2].split("<")[0] if "<a " in value else value
    return found


def test_the_team_dashboard_shows_each_figure_worked_by_hand(team, client):
    client.force_login(team.team_leader.user)
    page = client.get("/dashboard/", params()).content.decode()
    assert figures(page) == {
        "open": "2",
        "reviews_overdue": "1",  # T0001's plan; T0003 has none
        "outcomes_due": "1",  # T0001 has no profile yet; T0003's review is not due
        "reengaging": "0",  # T0001 was seen after the missed appointment
        "referrals": "1",
        "dna": "1",
        "flow": "1",
        "maps": "1",  # T0001's map, drawn and changed at the kept session
        "maps_used": "1",
    }
    assert "(50% of 2 appointments kept or missed)" in page
    assert "<td>Engagement</td><td><a" in page and "<td>Preparation</td><td><a" in page
    assert "<td>Engagement</td><td>Preparation</td>" in page  # the move
    assert "<td>Keywork</td><td>1</td>" in page  # FOCUS on T0001's kept session
    assert "<td>Quality of life</td><td>5.0</td><td>12.0</td><td>1</td>" in page
    assert "<td>Days injected</td><td>10.0</td><td>2.0</td><td>1</td>" in page
    assert "keywork/charts.js" in page and 'data-chart="chart-phases"' in page
    assert "<td>Money</td><td>0.0</td><td>3.0</td><td>1</td>" in page  # T0003's two checks
    assert "<td>Hope and purpose</td><td>3.0</td><td>3.0</td><td>0</td>" in page


def test_each_figure_opens_its_list_and_showing_it_is_audited(team, client):
    client.force_login(team.team_leader.user)
    overdue = client.get("/dashboard/reviews_overdue/", params()).content.decode()
    assert 'href="/clients/T0001/"' in overdue and "T0003" not in overdue
    changed = client.get("/dashboard/outcome_change/", params()).content.decode()
    assert "T0003" in changed and "5 → 12" in changed
    changed = client.get("/dashboard/recovery_change/", params()).content.decode()
    assert "T0003" in changed and "0.0 → 3.0" in changed and "Money" in changed
    mapped = client.get("/dashboard/maps/", params()).content.decode()
    assert "T0001" in mapped and "T0003" not in mapped
    moved = client.get("/dashboard/flow/", params(**{"from": "engagement", "to": "preparation"}))
    assert "Ready to plan the change" in moved.content.decode()
    reads = AuditEvent.objects.filter(what__startswith="dashboard: ")
    assert set(reads.values_list("client__local_id", flat=True)) == {"T0001", "T0003"}


def test_the_service_sees_every_team_and_a_keyworker_only_their_own(team, client):
    another_client(team, "T0004", 20)
    client.force_login(team.manager.user)
    served = report_page(client, "/dashboard/", params()).content.decode()
    assert 'name="team"' in served  # the manager chooses a team; a keyworker has one
    service = figures(served)
    assert service["open"] == "4"  # with T0002 in South and T0004
    south = figures(client.get("/dashboard/", params(team="south")).content.decode())
    assert south["open"] == "1"
    client.force_login(team.keyworker.user)
    assert figures(client.get("/dashboard/", params()).content.decode())["open"] == "3"
    refused = client.get("/dashboard/", params(team="south"))
    assert refused.status_code == 400 and "your own team only" in refused.content.decode()


def test_the_service_dashboard_is_worked_out_by_the_worker_and_kept(
    team, client, django_assert_num_queries
):
    client.force_login(team.manager.user)
    url = "/dashboard/?" + urlencode(params())
    waiting = client.get(url)
    assert waiting.status_code == 202 and "Being computed" in waiting.content.decode()
    assert "waiting.js" in waiting.content.decode() and client.head(url).status_code == 202
    work_the_queue()
    assert client.head(url).status_code == 200  # the waiting page loads itself again
    shown = client.get(url).content.decode()
    assert figures(shown)["open"] == "3" and "Computed at" in shown
    kept = Snapshot.objects.get()
    with django_assert_num_queries(KEPT_DASHBOARD_QUERIES):  # read, not worked out again
        assert client.get(url).status_code == 200
    another_client(team, "T0004", 20)
    stale = client.get(url).content.decode()
    assert "Records have changed since" in stale and figures(stale)["open"] == "3"
    assert Snapshot.objects.get() == kept, "changed within minutes: the kept figures stand"
    assert kept.computed_at is not None
    with bulk_write():  # as if computed FRESH_FOR ago
        Snapshot.objects.update(computed_at=kept.computed_at - FRESH_FOR)
    refreshing = client.get(url).content.decode()
    assert figures(refreshing)["open"] == "3" and "Being brought up to date" in refreshing
    work_the_queue()
    again = client.get(url).content.decode()
    assert figures(again)["open"] == "4" and "Records have changed" not in again
    assert Snapshot.objects.get().pk != kept.pk, "the newer figures replace the older"
    assert client.post(url).status_code == 302  # compute again, when the manager asks
    assert Snapshot.objects.filter(state=Snapshot.State.QUEUED).count() == 1


# The session, the user, their worker and service, the kept figures, the trail's last change,
# the synthetic-data banner, the form's lists of teams and keyworkers (whether there are more
# keyworkers than a list holds, then the list: one query that sorted them all before).
KEPT_DASHBOARD_QUERIES = 10


def test_a_commissioner_sees_the_figures_and_no_one(team, client):
    client.force_login(team.commissioner.user)
    page = report_page(client, "/dashboard/", params()).content.decode()
    assert figures(page)["reviews_overdue"] == "fewer than 5", "one client is a small number"
    assert "/dashboard/reviews_overdue/" not in page and "T0001" not in page
    client.force_login(team.team_leader.user)
    assert figures(client.get("/dashboard/", params()).content.decode())["reviews_overdue"] == "1"
    client.force_login(team.commissioner.user)
    assert client.get("/dashboard/reviews_overdue/", params()).status_code == 403
    assert not AuditEvent.objects.filter(what__startswith="dashboard: ").exists()


def test_the_dashboard_keeps_its_number_of_queries_as_the_team_grows(team, client):
    client.force_login(team.team_leader.user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboard/", params()).status_code == 200
        return len(captured)

    before = queries()
    for n in range(5, 9):
        grown = another_client(team, f"T000{n}", 10 + n)
        seen(team, team.mi_keyworker, n, FOCUS, episode=grown)
        profile(team, grown, "start", 9, 6)
    assert queries() == before


def test_the_outcome_change_reads_each_clients_two_profiles_once_not_once_a_rating(team, client):
    """Each client's start and latest profiles are read once each: with a look-up for each
    rating, and again for each use of it in the sums, PostgreSQL looked the same profiles
    up 19 times for each client counted (a team's figure 74 against 55 ms at 330,000
    clients)."""
    client.force_login(team.team_leader.user)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/dashboard/", params()).content.decode()
    assert "<td>Quality of life</td><td>5.0</td><td>12.0</td><td>1</td>" in page
    change = [q["sql"] for q in captured.captured_queries if "= 'start'" in q["sql"]]
    # its latest day, whether it has a start, and the two readings
    assert change and max(sql.count('FROM "outcomes_outcomeprofile"') for sql in change) <= 4


def test_a_figures_list_is_shown_a_page_at_a_time_and_only_the_page_is_audited(
    team, client, monkeypatch
):
    from keywork.measures import dashboard_views

    client.force_login(team.team_leader.user)
    monkeypatch.setattr(dashboard_views, "LIST_PAGE", 1)
    reads = AuditEvent.objects.filter(what="dashboard: open episodes")
    with CaptureQueriesContext(connection) as captured:
        first = client.get("/dashboard/open/", params()).content.decode()
    assert "Page 1</span>" in first and "page=2#dashboard-list" in first
    assert list(reads.values_list("client__local_id", flat=True)) == ["T0001"]
    second = client.get("/dashboard/open/", params(page="2")).content.decode()
    assert "Page 2</span>" in second and 'href="/clients/T0003/"' in second
    assert 'href="/clients/T0001/"' not in second and "page=3" not in second
    assert "page=1#dashboard-list" in second  # back to the first
    assert sorted(reads.values_list("client__local_id", flat=True)) == ["T0001", "T0003"]
    # Never counted: counting a list works out its test for every episode of the scope
    # (a list's page 36 ms, its count 895 ms, at 330,000 clients on PostgreSQL).
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"]]
    monkeypatch.setattr(dashboard_views, "LIST_PAGE", 2)
    whole = client.get("/dashboard/open/", params()).content.decode()
    assert "Open episodes: 2" in whole and "Page 1" not in whole  # it fits on one page


def test_a_keyworker_is_typed_when_the_service_has_more_than_a_list_holds(
    team, client, monkeypatch
):
    from keywork.access import queries

    client.force_login(team.manager.user)
    listed = report_page(client, "/dashboard/", params()).content.decode()
    assert '<select name="keyworker" id="id_keyworker">' in listed
    monkeypatch.setattr(queries, "LISTED_MOST", 1)
    typed = client.get("/dashboard/", params()).content.decode()
    assert '<input type="text" name="keyworker" id="id_keyworker"' in typed
    south = client.get("/dashboard/", params(team="south")).content.decode()
    assert '<select name="keyworker" id="id_keyworker">' in south, "one team's: a list"
    assert f'<option value="{team.other_keyworker.user.username}"' in south


def pages_of(client, url: str, **more: str) -> tuple[list[str], list[str]]:
    """The clients a list shows, page after page while a Next follows; and the statements."""
    shown: list[str] = []
    with CaptureQueriesContext(connection) as captured:
        for number in range(1, 10):
            page = client.get(url, params(page=str(number), **more)).content.decode()
            shown += re.findall(r'href="/clients/(T\d+)/"', page.partition("<tbody>")[2])
            if f"page={number + 1}#dashboard-list" not in page:
                break
    return shown, [q["sql"] for q in captured.captured_queries]


def test_the_whole_services_lists_are_found_from_its_clients_in_name_order(
    team, client, monkeypatch
):
    """On SQLite a list of the service's open episodes takes each page's clients from the
    clients in name order (along the family-name index) and asks of each whether their
    episode is on the list, until the page is full. Worked out for every open episode of the
    service and sorted, a page took 839 ms at 330,000 clients (docs/performance-history.md)."""
    from keywork.measures import dashboard_views

    another_client(team, "T0004", 20, family_name="Aardvark")
    monkeypatch.setattr(dashboard_views, "LIST_PAGE", 1)
    client.force_login(team.manager.user)
    shown, statements = pages_of(client, "/dashboard/open/")
    assert shown == ["T0004", "T0002", "T0001", "T0003"]  # across both teams, by name
    picked = re.compile(r'IN \(SELECT .* FROM "clients_client" .* ORDER BY .*"family_name"')
    lists = [sql for sql in statements if picked.search(sql)]
    sqlite = connection.vendor == "sqlite"
    assert len(lists) == (4 if sqlite else 0), "each page's clients picked in name order"
    # (Its plan is not asked here: a test database has no statistics to plan by.)
    assert pages_of(client, "/dashboard/reviews_overdue/")[0] == ["T0001"]
    shown, statements = pages_of(client, "/dashboard/open/", team="north")
    assert shown == ["T0004", "T0001", "T0003"]
    # A team's are read from its episodes and sorted: walking the clients in name order,
    # PostgreSQL read 47,326 of them for a team's page at 330,000 (140 ms, against 22).
    sorted_here = re.compile(r"""ORDER BY \("clients_client"."family_name" \|\| ''\)""")
    assert len([sql for sql in statements if sorted_here.search(sql)]) == 3, statements


def test_the_missed_appointments_are_read_along_the_days(team, client, monkeypatch):
    """The appointments missed, a page at a time in the order of their days: SQLite walks the
    period's sessions by the index on the day. From the scope's episodes it read every
    missed appointment of the service and sorted them: 634 ms a page at 330,000 clients."""
    from keywork.measures import dashboard_views

    other = another_client(team, "T0004", 30)
    for days_ago in (20, 3):
        sessions.record_session(
            actor=team.mi_keyworker.user,
            episode=other,
            given=sessions.RecordSessionInput(
                starts_at=timezone.now().replace(hour=9, minute=0) - days_ago * DAY,
                outcome="did_not_attend",
            ),
        )
    monkeypatch.setattr(dashboard_views, "LIST_PAGE", 1)
    client.force_login(team.manager.user)
    shown, statements = pages_of(client, "/dashboard/dna/")
    assert shown == ["T0004", "T0001", "T0004"]  # 20, 12 and 3 days ago
    assert pages_of(client, "/dashboard/dna/", team="south")[0] == []
    assert pages_of(client, "/dashboard/dna/", keyworker="mia.trained")[0] == shown
    if connection.vendor == "sqlite":
        (listing,) = [sql for sql in statements[:12] if "did_not_attend" in sql]
        with connection.cursor() as cursor:
            plan = [row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {listing}")]
        assert "INDEX keywork_ses_day" in plan[0], plan  # along the days
    # The figure counts every one of them, so it is asked of the scope's episodes: asked
    # along the days as the list is, SQLite read every session of the period for a team's
    # figure (784 ms against 59 at 30,000 clients, docs/performance-history.md).
    with CaptureQueriesContext(connection) as captured:
        client.get("/dashboard/", params(team="north"))
    (counted,) = [q["sql"] for q in captured.captured_queries if "did_not_attend" in q["sql"]]
    assert re.search(r'"episode_id" IN \(SELECT \S+ FROM "clients_episode"', counted), counted

"""The caseload, team and client pages use the same number of queries whatever the size of
the caseload or the length of the history: measured on demo services of 10 and 200 clients
and pinned here."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from keywork.clients.models import Episode
from keywork.demo import builder
from keywork.sessions.models import Attendance

pytestmark = pytest.mark.django_db

# Pinned: a change that adds a query per row or per history item breaks these. Each page's
# audit row costs three: the chain's head read (and held), the rows, the head moved on.
# A list that fits one page is read without counting it first (keywork/core/paging.py):
# one query fewer for the caseloads, the team view's clients awaiting a keyworker and the
# team's diary.
PINNED = {
    "caseload": 11,
    "team caseload": 13,  # whether the keyworkers fit a list, then the list
    "team view": 19,
    "record": 34,  # one read per app that keeps part of the timeline, and the maps at sessions
    "diary": 13,
    "team diary": 13,  # its day is paged, here one page
    "search": 10,
}
# The care-plan page skips one query when no review has recorded progress yet; two of its
# queries are the client banner every client page carries (overview/templatetags/banner.py).
CARE_PLAN_AT_MOST = 20


def busy_day(episode: Episode) -> str:
    """A day the team has appointments booked, so the team's diary lists some."""
    booked = Attendance.objects.filter(episode__team=episode.team, outcome="scheduled")
    return (
        booked.order_by("-session__starts_at").values_list("session__day", flat=True)[0].isoformat()
    )


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("size", [10, 200])
def test_pages_use_a_fixed_number_of_queries_at_10_and_200_clients(client, catalogue, size):
    builder.build(clients=size, seed=1)  # a seed whose 10 clients fill every list
    longest = (
        Episode.objects.filter(keyworker__user__username="kw.amira", discharged_on=None)
        .annotate(n=Count("attendances"))
        .order_by("-n")
        .select_related("client")
        .first()
    )
    assert longest is not None
    record = f"/clients/{longest.client.local_id}/"
    client.force_login(User.objects.get(username="kw.amira"))
    counts = {
        "caseload": count(client, "/"),
        "team caseload": count(client, "/?scope=team&sort=review&show=review"),
        "record": count(client, record),
        "diary": count(client, "/diary/"),
        "team diary": count(client, f"/diary/?who=team&from={busy_day(longest)}"),
        "search": count(client, f"/search/?q={longest.client.family_name}"),
    }
    assert count(client, record + "care-plan/") <= CARE_PLAN_AT_MOST
    client.force_login(User.objects.get(username="tl.carys"))
    counts["team view"] = count(client, "/team/")
    assert counts == PINNED


def test_the_caseloads_columns_are_looked_up_for_the_rows_a_page_returns(catalogue, personas):
    """No column of the caseload is an EXISTS: PostgreSQL plans one in a select list for
    every open episode of the team, and worked two of them out over every attendance and
    every care-plan action of the service for a page of 50 (keywork/core/expressions.py)."""
    from keywork.overview.queries import caseload

    episodes = caseload(personas.team_leader.user, scope="team")
    compiler = episodes.query.get_compiler(connection=connection)
    columns = {alias: sql for _, (sql, _), alias in compiler.get_select()[0] if alias}
    assert {"reengaging", "unrecorded", "actions_overdue", "to_chase"} <= set(columns)
    assert not [a for a, sql in columns.items() if "EXISTS(" in sql.split(" FROM ")[0]]

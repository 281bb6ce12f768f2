"""The QS6 report where people see it: the page with its chart and list, the downloads and
the command, each with the same numbers; a commissioner sees no one behind them."""

import csv
import io
import json
import re
import signal
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command

from keywork.audit.models import AuditEvent
from keywork.core.dates import today
from keywork.measures.models import Row, Run
from keywork.measures.tests.test_qs6 import DAY, FOCUS, period, seen
from keywork.testing.worker import SIGNALS, report_page, work_the_queue

pytestmark = pytest.mark.django_db


def params(**more) -> dict:
    p = period()
    return {"start": p.start.isoformat(), "end": p.end.isoformat(), **more}


def command(*args: str) -> str:
    out = io.StringIO()
    p = period()
    call_command("report", "qs6", "--from", str(p.start), "--to", str(p.end), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def measured(personas):
    """T0001 not counted (a colleague's session); with alcohol-only, T0002 too."""
    seen(personas, personas.keyworker, 5, FOCUS)
    return personas


def test_the_command_and_the_page_give_the_same_numbers(measured, client):
    printed = json.loads(command("--include-alcohol-only", "--format", "json"))
    assert (printed["numerator"], printed["denominator"], printed["proportion"]) == (0, 2, 0.0)
    assert printed["not_counted"] == [
        {
            "client": "T0001",
            "reason": "psychosocial interventions delivered by someone other than their keyworker",
            "code": "not_by_keyworker",
        },
        {
            "client": "T0002",
            "reason": "no attended session in the period",
            "code": "no_attended_session",
        },
    ]
    client.force_login(measured.manager.user)
    served = report_page(
        client, "/reports/qs6/", params(include_alcohol_only="on", format="json")
    ).json()
    assert served == printed
    page = report_page(client, "/reports/qs6/", params(include_alcohol_only="on"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<span id="numerator">0</span> of <span id="denominator">2</span>' in html
    assert 'href="/clients/T0001/"' in html and "vendor/chartjs/chart.umd.min.js" in html


def test_the_csv_carries_the_totals_breakdowns_and_the_list(measured):
    rows = list(csv.DictReader(io.StringIO(command("--format", "csv"))))
    total = rows[0]
    assert (total["part"], total["numerator"], total["denominator"]) == ("total", "0", "1")
    assert {r["part"] for r in rows} >= {"team", "keyworker", "phase", "month", "not_counted"}
    listed = [r for r in rows if r["part"] == "not_counted"]
    assert [(r["key"], r["reason"]) for r in listed] == [
        ("T0001", "psychosocial interventions delivered by someone other than their keyworker")
    ]


def test_showing_the_list_is_audited_as_a_read_of_each_client(measured, client):
    client.force_login(measured.manager.user)
    before = AuditEvent.objects.filter(what="qs6 report").count()
    report_page(client, "/reports/qs6/", params())
    reads = AuditEvent.objects.filter(what="qs6 report")
    assert reads.count() == before + 1
    assert reads.last().client == measured.client


def test_a_commissioner_sees_the_numbers_and_no_client(measured, client):
    client.force_login(measured.commissioner.user)
    page = report_page(client, "/reports/qs6/", params()).content.decode()
    assert '<span id="denominator">fewer than 5</span>' in page, "one client: a small number"
    assert "T0001" not in page and "/clients/" not in page
    served = report_page(client, "/reports/qs6/", params(format="json")).json()
    assert "not_counted" not in served
    assert (served["numerator"], served["denominator"], served["proportion"]) == (
        "withheld (small numbers)",  # 0 of them counted would tell of each of them
        "fewer than 5",
        None,
    )
    assert served["not_counted_by_reason"] == [
        {
            "code": "not_by_keyworker",
            "reason": "psychosocial interventions delivered by someone other than their keyworker",
            "clients": "fewer than 5",
        }
    ]
    downloaded = report_page(client, "/reports/qs6/", params(format="csv")).content.decode()
    assert (
        "T0001" not in downloaded
        and "total,all,service Testshire Recovery,withheld (small numbers),fewer than 5"
        in downloaded
    )
    fhir = report_page(client, "/reports/qs6/", params(format="fhir")).json()
    masked = [p for p in fhir["group"][0]["population"] if "count" not in p]
    assert {p["code"]["coding"][0]["code"] for p in masked} == {
        "initial-population",
        "denominator-exclusion",
        "denominator",
        "numerator",
    }
    assert all(p["extension"][0]["valueCode"] == "masked" for p in masked)
    assert not AuditEvent.objects.filter(what="qs6 report").exists()
    as_commissioner = json.loads(command("--as", "cora.commissioner"))
    assert "not_counted" not in as_commissioner


def test_a_keyworker_sees_their_own_team_only(measured, client):
    client.force_login(measured.keyworker.user)
    assert 'name="team"' not in report_page(client, "/reports/qs6/", params()).content.decode()
    served = report_page(
        client, "/reports/qs6/", params(include_alcohol_only="on", format="json")
    ).json()
    assert served["denominator"] == 1  # T0002 is in the other team
    refused = report_page(client, "/reports/qs6/", params(team="south"))
    assert refused.status_code == 400
    assert "your own team only" in refused.content.decode()


def test_an_administrator_has_no_report(measured, client):
    client.force_login(measured.administrator.user)
    assert report_page(client, "/reports/qs6/", params()).status_code == 404


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--team", "west"), "team: no team 'west'"),
        (("--keyworker", "nobody"), "keyworker: no keyworker 'nobody'"),
        (("--as", "ada.admin"), "ACCESS: the quality measures are for"),
    ],
)
def test_the_command_refuses_a_bad_scope_in_one_line(measured, args, says):
    with pytest.raises(CommandError, match=says):
        command(*args)


def test_the_command_refuses_a_period_that_ends_before_it_starts(measured):
    with pytest.raises(CommandError, match="--to: the period ends before it starts"):
        call_command("report", "qs6", "--from", str(today()), "--to", "2020-01-01")
    with pytest.raises(CommandError, match="--from: Enter a valid date"):
        call_command("report", "qs6", "--from", "yesterday", "--to", "2020-01-01")


def test_the_team_and_keyworker_are_chosen_from_lists_not_typed(personas, client):
    client.force_login(personas.manager.user)
    page = report_page(client, "/reports/qs6/", {}).content.decode()
    assert '<select name="team" id="id_team">' in page
    assert f'<option value="{personas.team.code}">{personas.team.name}</option>' in page
    assert '<select name="keyworker" id="id_keyworker">' in page
    assert f'<option value="{personas.mi_keyworker.user.username}">' in page
    client.force_login(personas.team_leader.user)  # their own team's keyworkers only
    page = report_page(client, "/reports/qs6/", {}).content.decode()
    assert 'name="team"' not in page and personas.other_keyworker.name not in page


def test_the_not_counted_list_names_the_client_and_their_keyworker(measured, client):
    client.force_login(measured.manager.user)
    page = report_page(client, "/reports/qs6/", params()).content.decode()
    listed = page[page.index('id="not-counted-list"') :]
    at = listed.index("T0001")
    row = listed[listed.rindex("<tr>", 0, at) : listed.index("</tr>", at)]
    assert measured.client.name in row and measured.episode.keyworker.name in row
    client.force_login(measured.commissioner.user)
    assert (
        measured.client.name not in report_page(client, "/reports/qs6/", params()).content.decode()
    )


def test_the_not_counted_list_is_shown_a_page_at_a_time_and_only_the_page_is_audited(
    measured, client, monkeypatch
):
    from keywork.measures import views

    monkeypatch.setattr(views, "LIST_PAGE", 1)
    client.force_login(measured.manager.user)
    asked = params(include_alcohol_only="on")  # T0001 and T0002 not counted
    reads = AuditEvent.objects.filter(verb=AuditEvent.Verb.VIEW, what="qs6 report")
    before = reads.count()
    first = report_page(client, "/reports/qs6/", asked).content.decode()
    assert "Page 1 of 2" in first and _listed(first) == ["T0001"]
    assert reads.count() == before + 1
    ids = list(Row.objects.values_list("local_id", "client__local_id"))  # the list's order
    assert ids and all(kept == theirs for kept, theirs in ids)
    assert list(reads.order_by("-pk").values_list("client__local_id", flat=True)[:1]) == ["T0001"]
    second = report_page(client, "/reports/qs6/", {**asked, "page": "2"}).content.decode()
    assert "Page 2 of 2" in second and _listed(second) == ["T0002"]
    assert "include_alcohol_only=on&amp;page=1#not-counted" in second


def _listed(page: str) -> list[str]:
    start = page.index('id="not-counted-list"')
    table = page[start : page.index("</table>", start)]
    return re.findall(r'<span class="muted">(T\d+)</span>', table)


def test_the_service_report_is_computed_by_the_worker_and_kept_until_asked_again(
    measured, client, django_assert_num_queries
):
    client.force_login(measured.manager.user)
    url = "/reports/qs6/?" + urlencode(params())
    assert client.get(url).status_code == 302  # asked of the task worker
    waiting = client.get(url)
    assert waiting.status_code == 202
    assert "Being computed" in waiting.content.decode()
    assert "waiting.js" in waiting.content.decode()
    asking = client.head(url)  # the waiting page's script asks whether it is done
    assert asking.status_code == 202 and asking["X-Keywork-Progress"] == "waiting to start"
    work_the_queue()
    assert client.head(url).status_code == 200
    shown = client.get(url).content.decode()
    assert '<span id="denominator">1</span>' in shown and "Computed at" in shown
    assert "Records have changed since" not in shown
    kept = Run.objects.get()
    with django_assert_num_queries(KEPT_REPORT_QUERIES):  # read, not computed again
        assert client.get(url).status_code == 200
    assert list(Run.objects.all()) == [kept]
    seen(measured, measured.episode.keyworker, 2, FOCUS)  # counted from now on
    stale = client.get(url).content.decode()
    assert "Records have changed since" in stale and '<span id="numerator">0</span>' in stale
    assert client.post(url).status_code == 302  # compute again
    work_the_queue()
    again = client.get(url).content.decode()
    assert '<span id="numerator">1</span>' in again and "Records have changed" not in again
    assert Run.objects.get().pk != kept.pk, "the newer result replaces the older"
    assert not Row.objects.filter(run=kept).exists()


# The session, the user, their worker and service, the run (its figures kept on it), the
# trail's last change, a page of the list with its keyworkers, the audit of that page
# (savepoint, chain's head, row, head, release), the synthetic-data banner, the form's lists
# of teams and keyworkers (whether there are more keyworkers than a list holds, then the list).
KEPT_REPORT_QUERIES = 17


def test_a_result_no_one_has_asked_for_in_a_week_goes_when_another_is_computed(measured):
    from keywork.core.writes import bulk_write
    from keywork.measures.framework import Scope
    from keywork.measures.qs6 import QS6
    from keywork.measures.runs import KEPT_FOR, compute

    old = compute(QS6(), period(), Scope(measured.service, team=measured.team)).run
    with bulk_write():  # as if asked for a week and a day ago
        Run.objects.filter(pk=old.pk).update(asked_at=old.asked_at - KEPT_FOR - DAY)
    kept = compute(QS6(), period(), Scope(measured.service)).run
    assert list(Run.objects.all()) == [kept]
    assert not Row.objects.filter(run=old).exists()


def test_the_keyworker_breakdown_is_shown_a_page_at_a_time(measured, client, monkeypatch):
    from keywork.measures import views

    monkeypatch.setattr(views, "LIST_PAGE", 1)
    client.force_login(measured.manager.user)
    asked = params(include_alcohol_only="on")  # T0001 and T0002, each with their keyworker
    first = _by_keyworker(report_page(client, "/reports/qs6/", asked).content.decode())
    assert "Page 1 of 2" in first and "keyworkers=2#by-keyworker" in first
    second = _by_keyworker(
        client.get("/reports/qs6/", {**asked, "keyworkers": "2"}).content.decode()
    )
    assert "Page 2 of 2" in second
    shown = [re.findall(r'<th scope="row">([^<]+)</th>', page) for page in (first, second)]
    assert len(shown[0]) == len(shown[1]) == 1 and shown[0] != shown[1]


def _by_keyworker(page: str) -> str:
    return page.split('id="by-keyworker"')[1].split("By phase")[0]


def test_the_task_worker_run_by_the_tests_gives_back_the_signals_it_took():
    """`db_worker` takes over SIGINT, SIGTERM and SIGQUIT for its graceful stop and keeps
    them after a batch; left so, a process forked later by the same test process (the
    demo's chunks, ended by their pool with SIGTERM) hung on its pool's queue."""
    before = {number: signal.getsignal(number) for number in SIGNALS}
    work_the_queue()
    assert {number: signal.getsignal(number) for number in SIGNALS} == before

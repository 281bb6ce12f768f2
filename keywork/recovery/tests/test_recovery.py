"""Recovery-capital checks through their action and pages: the instrument as data, the
answers scored as it says, the stages in order, the next one due on the caseload, a check in
error kept but not counted, the chart and its table, and low domains offered as goals."""

import datetime as dt
import re
import textwrap
from functools import partial

import pytest
from django.core.management import CommandError, call_command

from keywork.access.tests.trail import assert_refused
from keywork.audit.models import AuditEvent
from keywork.careplans.models import CarePlan
from keywork.core.dates import today
from keywork.core.inputs import Reason
from keywork.recovery import actions
from keywork.recovery.actions import CheckInput
from keywork.recovery.loader import SHIPPED, InstrumentError, load_instrument, read_instrument
from keywork.recovery.models import Check, Instrument
from keywork.recovery.queries import due_of, instrument_in_use

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def answers(**changes: int) -> dict[str, int]:
    """Every statement of keywork's own check answered 3 ("mostly true"), but any changed."""
    found = instrument_in_use()
    assert found is not None
    codes = [i["code"] for d in found.domains for i in d["items"]]
    return {code: 3 for code in codes} | {k.replace("_", "-"): v for k, v in changes.items()}


def take(personas, stage="start", days_ago=40, **changes) -> Check:
    return actions.take_check(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=CheckInput(
            stage=stage, taken_on=today() - days_ago * DAY, answers=answers(**changes)
        ),
    )


refused = partial(assert_refused, unchanged=(Check,))


def test_keywork_own_instrument_loads_with_the_catalogue(personas):
    found = Instrument.objects.get()
    assert (found.code, found.version) == ("kw-rc10", "1")
    assert len(found.domains) == 10 and found.top == 4
    assert found.scale[0]["label"] == "Not at all true"


def test_a_check_is_scored_as_its_instrument_says_and_audited(personas):
    check = take(personas, su_2=3, mo_1=0, mo_2=1)
    # "Drink or drugs get in the way" is reversed: answered 3, it scores 1; with 3, a mean of 2.
    assert check.scores["substance-use"] == "2.0" and check.scores["money"] == "0.5"
    assert check.scores["hope-purpose"] == "3.0"
    assert str(check.total) == str(sum(float(s) for s in check.scores.values()))
    weeks = personas.episode.service.care_plan_review_weeks
    assert check.next_due_on == check.taken_on + dt.timedelta(weeks=weeks)
    event = AuditEvent.objects.get(what="take_check")
    assert event.client_id == personas.client.pk and event.detail["instrument"] == "kw-rc10 1"


def test_every_statement_is_answered_on_the_scale(personas):
    def refused_with(given: dict[str, int]) -> str:
        return str(
            refused(
                "INVALID",
                actions.take_check,
                actor=personas.mi_keyworker.user,
                episode=personas.episode,
                given=CheckInput(stage="start", taken_on=today(), answers=given),
            )
        )

    missing = answers()
    del missing["hp-2"]
    assert "hp-2: answer “I know what I want from my life.”" in refused_with(missing)
    assert "hp-2: 5 is not an answer on the scale (0 to 4)" in refused_with(answers(hp_2=5))
    assert "'zz-9' is not a statement of this instrument" in refused_with(answers(zz_9=1))


def test_the_checks_come_in_order_like_outcome_profiles(personas):
    error = refused("R11", take, personas, stage="review")
    assert "take the start check first" in str(error)
    take(personas)
    take(personas, stage="exit", days_ago=5)
    error = refused("R11", take, personas, stage="review", days_ago=1)
    assert "the exit check was taken on" in str(error)


def test_a_check_in_error_stays_and_no_longer_counts(personas):
    wrong = take(personas)
    actions.mark_check_in_error(
        actor=personas.mi_keyworker.user, check=wrong, given=Reason(reason="Another client's")
    )
    wrong.refresh_from_db()
    assert wrong.in_error and Check.objects.count() == 1
    assert due_of(personas.episode, []) == personas.episode.referral_date
    take(personas)  # a new start can be taken


def test_a_service_loads_its_own_instrument_and_a_version_never_changes(tmp_path, personas):
    own = tmp_path / "licensed.toml"
    own.write_text(
        textwrap.dedent(
            """
            code = "licensed-rc"
            version = "2.1"
            name = "A licensed instrument"
            source = "Licensed to Testshire Recovery"
            [scale]
            values = [{ value = 0, label = "No" }, { value = 1, label = "Yes" }]
            [scoring]
            domain = "sum"
            total = "sum"
            low = 1
            [[domain]]
            code = "home"
            name = "Home"
            items = [{ code = "h1", text = "I have a home." }]
            """
        )
    )
    call_command("load_instrument", str(own))
    assert Instrument.objects.filter(code="licensed-rc").count() == 1
    call_command("load_instrument", str(own))  # again, unchanged: nothing new
    assert Instrument.objects.count() == 2
    own.write_text(own.read_text().replace("I have a home.", "I have a settled home."))
    with pytest.raises(
        CommandError, match=r"licensed-rc version 2\.1 is loaded already with other"
    ):
        call_command("load_instrument", str(own))
    own.write_text(own.read_text().replace('goal_domain = ""', "") + 'goal_domain = "moon"\n')
    with pytest.raises(CommandError, match=r"licensed\.toml, domain 1: `goal_domain` 'moon'"):
        call_command("load_instrument", str(own))


def test_a_broken_instrument_file_names_what_is_wrong(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((SHIPPED / "kw-rc10.toml").read_text().replace("low = 2.0", "low = 9"))
    with pytest.raises(InstrumentError, match=r"bad.toml, \[scoring\]: `low` is a domain score"):
        load_instrument(read_instrument(bad))


def page(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_pages_take_a_check_chart_the_change_and_offer_low_domains_as_goals(
    client, personas, django_assert_num_queries
):
    client.force_login(personas.mi_keyworker.user)
    with django_assert_num_queries(TAKE_PAGE_QUERIES):
        form = client.get("/clients/T0001/recovery/new/")
    assert form.status_code == 200 and "Hope and purpose" in page(form)
    data = {"stage": "start", "taken_on": (today() - 30 * DAY).isoformat()}
    data |= {code: "1" for code in answers()} | {"su-2": "3"}
    done = client.post("/clients/T0001/recovery/new/", data | {"hp-1": ""})
    assert done.status_code == 200  # a statement left unanswered: nothing saved
    assert not Check.objects.exists()
    done = client.post("/clients/T0001/recovery/new/", data)
    assert done.status_code == 302 and done.url == "/clients/T0001/recovery/"
    take(personas, stage="review", days_ago=2)
    with django_assert_num_queries(RECOVERY_PAGE_QUERIES):
        shown = page(client.get("/clients/T0001/recovery/"))
    assert 'data-chart="recovery-chart-kw-rc10"' in shown
    assert '<th scope="row">Money</th><td>1.0</td><td>3.0</td>' in shown
    record = page(client.get("/clients/T0001/"))
    assert "Recovery capital over time" in record and "Recovery capital check</strong>" in record

    # The latest check is all 3s: nothing is low. One more, low on money, suggests its goal.
    take(personas, stage="review", days_ago=1, mo_1=0, mo_2=1)
    shown = page(client.get("/clients/T0001/recovery/"))
    assert "Money</strong>: “Get on top of my money: income, bills and any debts”" in shown
    agree = client.get("/clients/T0001/care-plan/new/")
    assert agree.status_code == 200
    assert "Goals suggested by the recovery capital check of" in page(agree)


def test_a_suggested_goal_is_added_only_when_ticked(client, personas):
    from keywork.careplans.forms import CarePlanForm

    take(personas, mo_1=0, mo_2=0, hs_1=1, hs_2=1)
    form = CarePlanForm(episode=personas.episode)
    assert [c[0] for c in form.fields["suggested"].choices] == ["money", "housing-safety"]  # type: ignore[attr-defined]
    data = {
        "agreed_on": today().isoformat(),
        "goal_1_domain": "substance_use",
        "goal_1_description": "Stop using on weekdays",
        "action_1_description": "Book a GP appointment",
        "action_1_owner": "client",
        "action_1_due": (today() + 14 * DAY).isoformat(),
        "suggested": ["money"],
    }
    form = CarePlanForm(data, episode=personas.episode, initial={"version": 0})
    assert form.is_valid(), form.errors
    goals = form.plan().goals
    assert [g.description for g in goals][-1].startswith("Get on top of my money")
    assert [g.domain for g in goals] == ["substance_use", "finance"]
    assert not CarePlan.objects.exists()


def test_what_is_due_shows_on_the_caseload_and_filters_it(client, personas):
    client.force_login(personas.mi_keyworker.user)
    row = re.compile(r"Sam Synthetic.*?</tr>", re.S)
    referred = personas.episode.referral_date
    assert f"Recovery check due {referred:%d/%m/%Y}" in row.search(page(client.get("/"))).group(0)
    assert "Sam Synthetic" in page(client.get("/?show=recovery"))
    take(personas, days_ago=3)
    assert "Recovery check due" not in row.search(page(client.get("/"))).group(0)
    assert "Sam Synthetic" not in page(client.get("/?show=recovery"))


RECOVERY_PAGE_QUERIES = 15
TAKE_PAGE_QUERIES = 15


def test_the_import_takes_checks_and_draws_maps_refusing_in_the_actions_words(
    client, personas, tmp_path
):
    from keywork.core.tests.test_import import lines, run
    from keywork.maps.models import Map

    day = (today() - 10 * DAY).isoformat()
    missing = answers()
    del missing["hp-2"]
    bad = {"action": "take_check", "client": "T0001", "stage": "start", "taken_on": day}
    _, err, failed = run(tmp_path, lines(bad | {"answers": missing}))
    assert failed and err.startswith("line 1: INVALID: answers: hp-2: answer “I know")
    client.force_login(personas.mi_keyworker.user)
    form = {"stage": "start", "taken_on": day} | {k: str(v) for k, v in missing.items()}
    response = client.post("/clients/T0001/recovery/new/", form)
    assert response.status_code == 200 and not Check.objects.exists()
    assert "This field is required" in response.content.decode()  # the form asks first
    changes = lines(
        bad | {"answers": answers()},
        {"action": "mark_check_in_error", "client": "T0001", "taken_on": day, "reason": "Twice"},
        bad | {"answers": answers(mo_1=0)},
        {"action": "start_map", "client": "T0001", "tool": "tool.strengths", "title": "Mine"},
        {
            "action": "save_map",
            "client": "T0001",
            "title": "Mine",
            "based_on": 1,
            "nodes": [
                {"id": "a", "text": "Stubborn", "kind": "strength"},
                {"id": "b", "text": "Kind"},
            ],
            "links": [{"from": "a", "to": "b", "label": "and"}],
        },
        {"action": "save_map", "client": "T0001", "title": "Mine", "based_on": 1},
    )
    _, err, failed = run(tmp_path, changes)
    assert err.startswith("line 6: STALE: the map was saved again (version 2)"), err
    assert Check.objects.get(entered_in_error_at=None).scores["money"] == "1.5"
    latest = Map.objects.get(title="Mine").versions.order_by("-number").first()
    assert latest.number == 2 and latest.links == [{"from": "a", "to": "b", "label": "and"}]

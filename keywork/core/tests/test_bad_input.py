"""Bounded, clean input: what an attacker or a slip of the keyboard sends is refused with a
message naming the field, saves nothing, and never answers 500 or prints a traceback."""

from __future__ import annotations

import datetime as dt
import io
import json
import stat

import pytest
from django.core.management import CommandError, call_command

from keywork.clients import actions as clients
from keywork.clients.models import Client, PhaseChange
from keywork.core.errors import RuleViolation
from keywork.core.tests.test_import import run
from keywork.testing.worker import report_page

pytestmark = pytest.mark.django_db


# Report periods -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [
        ("1976-01-01", "2026-01-01", "at most 5 years"),
        ("2026-01-01", "9999-12-31", "not a date keywork can record"),
        ("9999-12-31", "9999-12-31", "not a date keywork can record"),
    ],
)
def test_a_report_period_beyond_the_bound_is_refused_on_the_page_and_in_the_command(
    personas, client, start, end, says
):
    client.force_login(personas.manager.user)
    page = client.get("/reports/qs6/", {"start": start, "end": end})
    assert page.status_code == 400
    assert says in page.content.decode()
    with pytest.raises(CommandError, match=says):
        call_command("report", "qs6", "--from", start, "--to", end, stdout=io.StringIO())


def test_a_five_year_report_is_still_given(personas, client):
    client.force_login(personas.manager.user)
    page = report_page(client, "/reports/qs6/", {"start": "2021-01-02", "end": "2026-01-01"})
    assert page.status_code == 200


def test_the_national_return_refuses_the_month_of_year_9999(personas):
    with pytest.raises(CommandError, match=r"--month: .*not a date keywork can record"):
        call_command("export", "ndtms", "--month", "9999-12", "--check", stdout=io.StringIO())


# Impossible dates -----------------------------------------------------------------------


def test_a_date_in_the_year_9999_is_a_field_error_on_a_form(personas, client):
    client.force_login(personas.mi_keyworker.user)
    page = client.post(
        f"/clients/{personas.client.local_id}/phase/",
        {"to": "preparation", "on": "9999-12-31", "reason": "Ready"},
    )
    assert page.status_code == 200
    assert "not a date keywork can record" in page.content.decode()
    assert not PhaseChange.objects.filter(episode=personas.episode, reason="Ready").exists()


def test_every_action_refuses_an_impossible_date_whatever_calls_it(personas):
    with pytest.raises(RuleViolation, match="on: 31/12/9999 is not a date keywork can record"):
        clients.move_phase(
            actor=personas.mi_keyworker.user,
            episode=personas.episode,
            given=clients.MovePhaseInput(
                to="preparation", on=dt.date(9999, 12, 31), reason="Ready"
            ),
        )


# NUL characters ---------------------------------------------------------------------------


def test_an_import_line_with_a_nul_is_refused_and_the_rest_applied(tmp_path, personas):
    good = {
        "action": "register_client",
        "local_id": "NUL2",
        "given_name": "Nora",
        "family_name": "Plain",
        "date_of_birth": "1990-01-01",
        "sex": "female",
    }
    bad = {**good, "local_id": "NUL1", "family_name": "Bad\u0000Name"}
    out, err, failed = run(tmp_path, "\n".join(json.dumps(line) for line in (bad, good)) + "\n")
    assert "line 1: INVALID: family_name: contains a NUL character" in err
    assert "1 applied, 1 refused." in out and failed == "1 line refused"
    assert list(Client.objects.filter(local_id__startswith="NUL").values_list("local_id")) == [
        ("NUL2",)
    ]


def test_a_form_post_with_a_nul_is_refused_naming_the_field(personas, client):
    client.force_login(personas.mi_keyworker.user)
    page = client.post(
        f"/clients/{personas.client.local_id}/phase/",
        {"to": "preparation", "on": "2026-01-01", "reason": "Ready\x00"},
    )
    assert page.status_code == 400
    assert "reason: contains a NUL character" in page.content.decode()


def test_an_action_refuses_a_nul_inside_its_typed_input(personas):
    with pytest.raises(RuleViolation, match="reason: contains a NUL character"):
        clients.move_phase(
            actor=personas.mi_keyworker.user,
            episode=personas.episode,
            given=clients.MovePhaseInput(to="preparation", on=dt.date.today(), reason="Ready\x00"),
        )


# Search -----------------------------------------------------------------------------------


def test_a_search_of_50000_characters_is_cut_to_the_cap(personas, client):
    client.force_login(personas.mi_keyworker.user)
    page = client.get("/", {"q": "Synthetic" * 5556, "scope": "team"})
    assert page.status_code == 200
    assert 'maxlength="100"' in page.content.decode()


# Export files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "says"),
    [("folder", "is a folder"), ("missing/out.json", "there is no folder")],
)
def test_an_export_to_a_folder_or_nowhere_ends_in_one_line(personas, tmp_path, target, says):
    path = tmp_path / target
    if target == "folder":
        path.mkdir()
    with pytest.raises(CommandError, match=f"--out: .*{says}"):
        call_command(
            "export", "fhir", "--client", personas.client.local_id, "--out", str(path),
            "--as", personas.mi_keyworker.user.username, stdout=io.StringIO(),
        )  # fmt: skip


def test_export_files_are_readable_by_their_owner_only(personas, tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text("")
    path.chmod(0o644)
    call_command(
        "export", "fhir", "--client", personas.client.local_id, "--out", str(path),
        "--as", personas.mi_keyworker.user.username, stdout=io.StringIO(),
    )  # fmt: skip
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["resourceType"] == "Bundle"

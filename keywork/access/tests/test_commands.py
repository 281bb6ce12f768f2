"""`keywork user` and `keywork org`: the same actions, with one-line refusals."""

import io
import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from keywork.access.models import Worker
from keywork.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def run(*args, stdin=""):
    out = io.StringIO()
    real = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command(*args, stdout=out)
    finally:
        sys.stdin = real
    return out.getvalue()


def test_an_administrator_adds_a_keyworker_from_the_command_line(personas):
    out = run(
        "user",
        "add",
        "new.worker",
        "--role",
        "keyworker",
        "--team",
        "north",
        "--first-name",
        "New",
        "--last-name",
        "Worker",
        "--password-stdin",
        "--as",
        "ada.admin",
        stdin="a-long-passphrase-2026\n",
    )
    assert "Added new.worker (Keyworker)" in out
    worker = Worker.objects.get(user__username="new.worker")
    assert worker.team == personas.team and worker.user.check_password("a-long-passphrase-2026")
    event = AuditEvent.objects.get(what="add_worker", object_id=str(worker.pk))
    assert (event.actor_label, event.channel) == ("ada.admin", "command")


def test_an_unknown_acting_user_is_refused_in_one_line(personas):
    with pytest.raises(CommandError, match="--as: no active user 'nobody'"):
        run("user", "list", "--as", "nobody")


def test_a_keyworker_cannot_add_accounts_and_nothing_is_written(personas):
    with pytest.raises(CommandError, match="ACCESS: only an administrator"):
        run(
            "user",
            "add",
            "sneaky",
            "--role",
            "keyworker",
            "--team",
            "north",
            "--first-name",
            "S",
            "--last-name",
            "N",
            "--password-stdin",
            "--as",
            "kit.plain",
            stdin="a-long-passphrase-2026\n",
        )
    assert not User.objects.filter(username="sneaky").exists()


def test_an_unknown_team_is_refused(personas):
    with pytest.raises(CommandError, match="--team: no team with code 'west'"):
        run(
            "user",
            "add",
            "x.y",
            "--role",
            "keyworker",
            "--team",
            "west",
            "--first-name",
            "X",
            "--last-name",
            "Y",
            "--password-stdin",
            stdin="a-long-passphrase-2026\n",
        )


def test_a_weak_password_is_refused_naming_the_field(personas):
    with pytest.raises(CommandError, match="INVALID: password:"):
        run(
            "user",
            "add",
            "weak.one",
            "--role",
            "keyworker",
            "--team",
            "north",
            "--first-name",
            "W",
            "--last-name",
            "O",
            "--password-stdin",
            stdin="password\n",
        )
    assert not User.objects.filter(username="weak.one").exists()


def test_training_supervision_and_the_competence_question(personas):
    run(
        "user",
        "train",
        "kit.plain",
        "--intervention",
        "kwp.sbnt",
        "--on",
        "01/02/2026",
        "--as",
        "tia.leader",
    )
    out = io.StringIO()
    call_command("user", "competence", "kit.plain", "--intervention", "kwp.sbnt", stdout=out)
    assert out.getvalue().startswith("competent: trained 01/02/2026")
    with pytest.raises(CommandError, match="not competent"):
        call_command(
            "user", "competence", "kit.plain", "--intervention", "kwp.cm-bbv", stdout=io.StringIO()
        )


def test_a_bad_date_names_the_option(personas):
    with pytest.raises(CommandError, match="INVALID: --on: '31/02/2026' is not a date"):
        run("user", "supervise", "kit.plain", "--on", "31/02/2026")


def test_org_adds_services_and_teams(db):
    run("org", "add-service", "east", "--name", "East Recovery")
    run("org", "add-team", "east-a", "--service", "east", "--name", "East A")
    assert "east-a" in run("org", "list")
    with pytest.raises(
        CommandError, match="INVALID: code: a team with code 'east-a' already exists"
    ):
        run("org", "add-team", "east-a", "--service", "east", "--name", "Again")


def test_an_unknown_option_exits_non_zero_without_a_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "keywork.cli", "user", "list", "--colour"],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": "sqlite:///:memory:"},
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["keywork user: error: unrecognized arguments: --colour (see --help)"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["demo", "--clients", "many"], "argument --clients: invalid int value: 'many'"),
        (["user", "add", "x", "--role", "boss"], "argument --role: invalid choice: 'boss'"),
        (["load_catalogue", "--catalogue-verison", "1"], "unrecognized arguments"),
    ],
)
def test_a_bad_option_value_is_one_line(args, says):
    result = subprocess.run(
        [sys.executable, "-m", "keywork.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": "sqlite:///:memory:"},
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1 and says in lines[0], result.stderr


def test_a_database_that_is_not_set_up_is_reported_in_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "keywork.cli", "user", "list", "--team", "north"],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": "sqlite:///:memory:"},
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert "the database failed" in lines[0] and "keywork migrate" in lines[0]

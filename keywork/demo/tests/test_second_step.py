"""The demo's second step, as `make run` prints it for the logins that need one."""

import os
import re
import subprocess

import pytest
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice

from keywork.demo import builder, second_factor
from keywork.testing import production


@pytest.mark.django_db(transaction=True)
def test_the_printed_second_step_runs_as_printed_in_a_new_shell(settings):
    """The logins `make run` prints give the second step as a command that runs from a new
    shell in the project's folder, where neither DEBUG nor SECRET_KEY is set and keywork is
    not on the PATH. Printed as `keywork demo --code tl.carys`, it stopped at "command not
    found", and with the virtual environment's keywork at "SECRET_KEY is not set"."""
    settings.DEBUG = True  # as `make run` builds the demo
    user = User.objects.create_user("tl.carys")
    key = second_factor.demo_key("tl.carys")
    TOTPDevice.objects.create(user=user, name=second_factor.NAME, confirmed=True, key=key)
    printed = re.search(r"second step: `([^`]+)`", dict(builder.logins())["tl.carys"])
    assert printed is not None
    shell = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DEBUG", "SECRET_KEY", "VIRTUAL_ENV")
        and not name.startswith(("DJANGO_", "KEYWORK_", "PYTEST_"))
    }
    shell["PATH"] = "/usr/bin:/bin"
    shell["DATABASE_URL"] = production.database_url()
    ran = subprocess.run(
        ["sh", "-c", printed.group(1)],
        env=shell,
        cwd=production.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert re.fullmatch(r"\d{6}\n", ran.stdout), ran.stdout

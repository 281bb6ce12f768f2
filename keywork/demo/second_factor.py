"""The demo's second factor. A demo account whose role needs one gets an authenticator key
made from its username, so that anyone trying the demo can sign in: `keywork demo --code
USERNAME` prints the code an app would show now, and the key (printed with the logins) can
be typed into a real authenticator app. Only accounts of a synthetic demo service have one:
a real account's key is random and never printed."""

from __future__ import annotations

import hashlib
import os
import sys
from base64 import b32encode
from pathlib import Path

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from keywork.access.models import SECOND_FACTOR_ROLES, Worker
from keywork.access.signin import code_for
from keywork.core.errors import RuleViolation

NAME = "authenticator app (synthetic demo)"


def demo_key(username: str) -> str:
    return hashlib.sha256(f"keywork synthetic demo {username}".encode()).hexdigest()[:40]


def readable_key(username: str) -> str:
    """The key as an authenticator app asks for it (base 32, in fours)."""
    key = b32encode(bytes.fromhex(demo_key(username))).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def code_command(username: str) -> str:
    """The command that prints a demo account's code, as it runs from a new shell in the
    folder the demo was built from: the virtual environment's `keywork`, and DEBUG=1 when
    the demo runs on the development settings (`make run` sets it for its own commands
    only; without it, or a SECRET_KEY, keywork stops at its settings)."""
    script = os.path.relpath(Path(sys.executable).with_name("keywork"))
    return f"{'DEBUG=1 ' if settings.DEBUG else ''}{script} demo --code {username}"


def give(workers: list[Worker]) -> None:
    """Authenticator keys for the demo accounts whose role needs a second factor."""
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=w.user, name=NAME, confirmed=True, key=demo_key(w.user.username))
        for w in workers
        if w.role in SECOND_FACTOR_ROLES
    )


def code(username: str) -> str:
    """The code now, for a demo account; refused for any other."""
    device = TOTPDevice.objects.filter(user__username=username, name=NAME).first()
    if device is None or device.key != demo_key(username):
        raise RuleViolation("DEMO", f"'{username}' is not a demo account with a second factor")
    return code_for(device)

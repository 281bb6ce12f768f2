"""The clients app's part in signing in: the break-glass accesses still running are kept in
the new session, so that every page shows the banner without asking the database."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from keywork.clients import glass, policies


def signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    worker = getattr(user, "worker", None)
    if request is not None and hasattr(request, "session") and worker is not None:
        glass.remember(request, list(policies.break_glass_grants(worker).select_related("client")))

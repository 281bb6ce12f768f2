"""Signing in and out, and every refused attempt, on the audit trail. Django's
authentication announces these with signals; these receivers only audit them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from keywork.access.middleware import start_session_clock
from keywork.audit import trail
from keywork.audit.models import AuditEvent

Verb = AuditEvent.Verb


def signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)
    how = getattr(request, "keywork_second_factor", "")
    trail.record_alone(
        actor=user,
        verb=Verb.LOGIN,
        what="login",
        detail={"second_factor": how} if how else {},
    )


def signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        trail.record_alone(actor=user, verb=Verb.LOGOUT, what="logout", detail={})


def sign_in_refused(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A wrong password, an unknown or disabled account: the account asked for is named
    (when it exists) and the name typed is kept, never the password."""
    typed = str(credentials.get("username", ""))[:150]
    account = User.objects.filter(username__iexact=typed).first() if typed else None
    reason = "unknown account" if account is None else "wrong password or account disabled"
    if credentials.get("second_factor"):
        reason = "wrong second-factor code"
    if getattr(request, "axes_locked_out", False):
        reason = "locked out: too many failed sign-ins from this address"
    trail.record_alone(
        actor=account,
        verb=Verb.REFUSED,
        what="login",
        detail={"reason": reason, "username": typed},
    )


def locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None,
    **kwargs: Any,
) -> None:  # fmt: skip
    """Axes has just locked an account out from an address."""
    typed = str(username or "")[:150]
    trail.record_alone(
        actor=User.objects.filter(username__iexact=typed).first() if typed else None,
        verb=Verb.REFUSED,
        what="lockout",
        detail={"reason": "locked out after repeated failures", "username": typed},
    )

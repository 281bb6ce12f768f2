"""The web's part in the audit trail: everything a request writes is tagged with the web
channel and the person's address, and every page refused to a signed-in user is written
down."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from keywork.audit import trail
from keywork.core.writes import Channel, via


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The address of the person at the browser. Behind the proxies named in TRUSTED_PROXIES
    it is the last address in X-Forwarded-For that is not one of them; from anywhere else
    the header is ignored (anyone can send it)."""
    trusted = set(settings.KEYWORK_TRUSTED_PROXIES)
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None or peer not in trusted:
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            break
        if address not in trusted:
            return address
    return peer


REFUSALS = {403: "forbidden", 404: "not found, or outside what you may see"}


def audit_refusal(request: HttpRequest, response: HttpResponse) -> None:
    """A signed-in user refused a page (403) or an object on a real route (404): write who,
    the client asked for (when the route names one) and why."""
    user = getattr(request, "user", None)
    match = request.resolver_match
    if response.status_code not in REFUSALS or match is None:
        return
    if user is None or not user.is_authenticated:
        return
    asked = str(match.kwargs.get("local_id", ""))
    client = trail.client_of(asked) if asked else None
    reason = REFUSALS[response.status_code]
    if asked and client is None:
        reason = "no client with that id"
    trail.record_refusal(
        actor=user,
        what=match.url_name or match.view_name,
        reason=reason,
        client=client,
        detail={"path": request.path[:200], "status": response.status_code, "asked_for": asked},
    )


class AuditContextMiddleware:
    """Tag everything a request writes to the audit trail with the web channel and the
    client's address; audit every refused page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        with via(Channel(channel, client_address(request))):
            response = self.get_response(request)
            audit_refusal(request, response)
            return response

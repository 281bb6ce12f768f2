from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers

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


class AuditContextMiddleware:
    """Tag everything a request writes to the audit trail with the web channel and the
    client's address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        with via(Channel(channel, client_address(request))):
            return self.get_response(request)


class NoStoreMiddleware:
    """No page keywork draws is kept by the browser or a proxy: they show client data, or
    the forms that lead to it. (Static files are answered before this, by WhiteNoise, and
    keep their long cache.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class RefuseNulMiddleware:
    """A NUL character in a form or a query string is refused, naming the field, before any
    view reads it: PostgreSQL cannot store one, and no one types one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for data in [request.GET] + ([request.POST] if request.method == "POST" else []):
            for name, values in data.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return HttpResponseBadRequest(
                        f"{name.replace(chr(0), '')}: contains a NUL character, which is "
                        "not allowed in text. Nothing was saved.",
                        content_type="text/plain; charset=utf-8",
                    )
        return self.get_response(request)

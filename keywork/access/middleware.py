from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers


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


STARTED, SEEN = "keywork_signed_in_at", "keywork_seen_at"


def start_session_clock(request: HttpRequest) -> None:
    """At sign-in: the session's clock starts (see SessionTimeoutMiddleware)."""
    now = int(time.time())
    request.session[STARTED] = request.session[SEEN] = now


class SessionTimeoutMiddleware:
    """A sign-in ends after KEYWORK_IDLE_MINUTES without a request, and KEYWORK_SESSION_HOURS
    after it began; the person is sent to sign in again, told why, and comes back to the
    page they asked for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = self.expired(request)
            if expired:
                logout(request)
                messages.info(request, expired)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def expired(self, request: HttpRequest) -> str:
        now = int(time.time())
        session = request.session
        started, seen = session.setdefault(STARTED, now), session.setdefault(SEEN, now)
        idle = settings.KEYWORK_IDLE_MINUTES
        if now - seen > idle * 60:
            return f"You were signed out after {idle} minutes without activity."
        hours = settings.KEYWORK_SESSION_HOURS
        if now - started > hours * 3600:
            return f"You were signed out: a sign-in lasts {hours} hours at most."
        if now - seen >= 60:  # write the session at most once a minute
            session[SEEN] = now
        return ""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from keywork.core.writes import Channel, via


class AuditContextMiddleware:
    """Tag everything a request writes to the audit trail with the web channel and the
    client's address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        with via(Channel(channel, request.META.get("REMOTE_ADDR"))):
            return self.get_response(request)

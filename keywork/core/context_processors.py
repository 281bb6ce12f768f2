from typing import Any

from django.http import HttpRequest

from keywork.access import policies
from keywork.access.models import Role, Service


def keywork(request: HttpRequest) -> dict[str, Any]:
    """Say on every page when the database holds synthetic demo data; offer the team view to
    team leaders and service managers."""

    def show_team_view() -> bool:
        worker = policies.worker_of(getattr(request, "user", None))
        return worker is not None and worker.role in (Role.TEAM_LEADER, Role.SERVICE_MANAGER)

    return {
        "synthetic_demo": Service.objects.filter(is_synthetic=True).exists(),
        "show_team_view": show_team_view,
    }

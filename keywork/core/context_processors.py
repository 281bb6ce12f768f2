from typing import Any

from django.http import HttpRequest

from keywork.access import glass, policies
from keywork.access.models import Role, Service


def keywork(request: HttpRequest) -> dict[str, Any]:
    """Say on every page when the database holds synthetic demo data; offer the team view to
    team leaders and service managers, the group sessions to keyworkers in a team, and the
    quality measures and dashboards to those who may see them (with a team to choose for
    those who see more than one)."""

    def show_reviews() -> bool:
        worker = policies.worker_of(getattr(request, "user", None))
        return worker is not None and worker.role == Role.SERVICE_MANAGER

    def show_team_view() -> bool:
        worker = policies.worker_of(getattr(request, "user", None))
        return worker is not None and worker.role in (Role.TEAM_LEADER, Role.SERVICE_MANAGER)

    def show_groups() -> bool:
        worker = policies.worker_of(getattr(request, "user", None))
        return worker is not None and worker.is_practitioner and worker.team_id is not None

    def show_reports() -> bool:
        user = getattr(request, "user", None)
        return policies.worker_of(user) is not None and policies.can_see_reports(user)

    def choose_team() -> bool:
        """The reports' team field, for those who see more than one team."""
        return policies.report_team_of(getattr(request, "user", None)) is None

    return {
        "break_glass": glass.running(request),
        "synthetic_demo": Service.objects.filter(is_synthetic=True).exists(),
        "choose_team": choose_team,
        "show_team_view": show_team_view,
        "show_groups": show_groups,
        "show_reports": show_reports,
        "show_reviews": show_reviews,
    }

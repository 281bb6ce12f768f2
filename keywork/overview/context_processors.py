from typing import Any

from django.http import HttpRequest

from keywork.access.models import Service, Team, Worker
from keywork.access.queries import practitioners_to_choose
from keywork.clients import glass, policies


def _chosen_team(request: HttpRequest, service_id: int) -> Team | None:
    code = request.GET.get("team", "")[:50]
    return Team.objects.filter(service_id=service_id, code=code).first() if code else None


def keywork(request: HttpRequest) -> dict[str, Any]:
    """Say on every page when the database holds synthetic demo data; offer the team view to
    team leaders and service managers, the group sessions to keyworkers in a team, and the
    quality measures and dashboards to those who may see them (with a team to choose for
    those who see more than one)."""

    user = getattr(request, "user", None)

    def show_reports() -> bool:
        return policies.worker_of(user) is not None and policies.can_see_reports(user)

    def choose_team() -> bool:
        """The reports' team field, for those who see more than one team."""
        return policies.report_team_of(user) is None

    def report_teams() -> list[Team]:
        """The teams of the user's service, for the reports' team list."""
        worker = policies.worker_of(user)
        if worker is None or worker.service_id is None:
            return []
        return list(Team.objects.filter(service_id=worker.service_id).order_by("name"))

    def report_keyworkers() -> list[Worker] | None:
        """The practitioners of the user's team (or of the team chosen, or of the service),
        for the keyworker list; None when there are more than a list can hold (the field is
        then typed: a username)."""
        worker = policies.worker_of(user)
        if worker is None or worker.service_id is None:
            return []
        team = policies.report_team_of(user) or _chosen_team(request, worker.service_id)
        return practitioners_to_choose(worker.service_id, team)

    return {
        "report_teams": report_teams,
        "report_keyworkers": report_keyworkers,
        "break_glass": glass.running(request),
        "synthetic_demo": Service.objects.filter(is_synthetic=True).exists(),
        "choose_team": choose_team,
        "show_team_view": lambda: policies.can_see_team_view(user),
        "show_groups": lambda: policies.runs_groups(user),
        "show_reports": show_reports,
        "show_reviews": lambda: policies.reviews_access(user),
        "show_search": lambda: policies.has_caseload(user),
    }

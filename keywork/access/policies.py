"""Who may do what, by their role, team and service: the can_* predicates that need no
client. The scopers and the predicates on clients and episodes build on these in
keywork/clients/policies.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from keywork.access.models import TEAM_ROLES, Role, Team, Worker

if TYPE_CHECKING:
    from keywork.core.actors import Actor


def worker_of(user: Actor) -> Worker | None:
    """The active worker behind a login, or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    worker: Worker | None = getattr(user, "worker", None)
    return worker


def is_system(user: Actor) -> bool:
    """The operator at the server's command line, acting without a named account."""
    return user is None


def has_role(user: Actor, *roles: str) -> bool:
    worker = worker_of(user)
    return worker is not None and worker.role in roles


def can_review_access(user: Actor, service_id: int) -> bool:
    """Break-glass accesses and consent overrides are reviewed by the service's manager."""
    worker = worker_of(user)
    return (
        worker is not None
        and worker.role == Role.SERVICE_MANAGER
        and worker.service_id == service_id
    )


def registers_clients(user: Actor) -> bool:
    """Clients are registered by keyworkers, team leaders and service managers."""
    worker = worker_of(user)
    return worker is not None and worker.role in (
        Role.KEYWORKER,
        Role.TEAM_LEADER,
        Role.SERVICE_MANAGER,
    )


def can_register_client(user: Actor, team: Team) -> bool:
    worker = worker_of(user)
    if worker is None:
        return False
    if worker.role in (Role.KEYWORKER, Role.TEAM_LEADER):
        return worker.team_id == team.pk
    return worker.role == Role.SERVICE_MANAGER and worker.service_id == team.service_id


def can_manage_accounts(user: Actor) -> bool:
    return is_system(user) or has_role(user, Role.ADMINISTRATOR)


def can_manage_competence(user: Actor, worker: Worker) -> bool:
    """Record training, supervision and registrations: administrators, the worker's team
    leader and the service's manager."""
    if can_manage_accounts(user):
        return True
    manager = worker_of(user)
    if manager is None:
        return False
    if manager.role == Role.TEAM_LEADER:
        return manager.team_id is not None and manager.team_id == worker.team_id
    return manager.role == Role.SERVICE_MANAGER and manager.service_id == worker.service_id


REPORT_ROLES = (Role.KEYWORKER, Role.TEAM_LEADER, Role.SERVICE_MANAGER, Role.COMMISSIONER)


def can_see_reports(user: Actor) -> bool:
    """The service's quality measures and dashboards: its practitioners (for their team),
    its manager and its commissioner (numbers only). The operator at the command line too."""
    worker = worker_of(user)
    if worker is None:
        return is_system(user)
    return worker.role in REPORT_ROLES and worker.service_id is not None


def report_team_of(user: Actor) -> Team | None:
    """The one team whose reports a keyworker or team leader sees; None: the whole service."""
    worker = worker_of(user)
    if worker is not None and worker.role in TEAM_ROLES:
        return worker.team
    return None


def sees_identities_in_reports(user: Actor) -> bool:
    """A commissioner sees the numbers and the breakdowns, never who is behind them."""
    return not has_role(user, Role.COMMISSIONER, Role.ADMINISTRATOR)


def can_export_national_return(user: Actor) -> bool:
    """The national return carries the service's client records: its manager sends it, or
    the operator at the command line."""
    worker = worker_of(user)
    if worker is None:
        return is_system(user)
    return worker.role == Role.SERVICE_MANAGER and worker.service_id is not None


# Who each page is for: the menu (keywork/overview/context_processors.py) offers a page to those
# its view lets in, with one predicate for both.


def has_caseload(user: Actor) -> bool:
    """A caseload page: practitioners and managers; not administrators or commissioners."""
    return has_role(user, Role.KEYWORKER, Role.TEAM_LEADER, Role.SERVICE_MANAGER)


def can_see_team_view(user: Actor) -> bool:
    return has_role(user, Role.TEAM_LEADER, Role.SERVICE_MANAGER)


def runs_groups(user: Actor) -> bool:
    """Group sessions are booked and recorded by keyworkers in a team."""
    worker = worker_of(user)
    return worker is not None and worker.is_practitioner and worker.team_id is not None


def reviews_access(user: Actor) -> bool:
    """The access reviews page: the service manager."""
    worker = worker_of(user)
    return has_role(user, Role.SERVICE_MANAGER) and worker is not None and bool(worker.service_id)

"""Who may see and do what, declared in one place: can_* predicates and *_visible_to scopers.

Keyworkers and team leaders see the clients of their team (colleagues cover each other's
clients, run groups together and step in when someone is away); service managers see their
service; administrators and commissioners see no client identities at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from keywork.access.models import TEAM_ROLES, BreakGlass, Role, Team, Worker
from keywork.clients.models import Client, Episode

if TYPE_CHECKING:
    from keywork.access.audit import Actor


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


def episodes_visible_to(user: Actor) -> QuerySet[Episode]:
    worker = worker_of(user)
    if worker is None:
        return Episode.objects.none()
    if worker.role in (Role.KEYWORKER, Role.TEAM_LEADER) and worker.team_id:
        return Episode.objects.filter(team_id=worker.team_id)
    if worker.role == Role.SERVICE_MANAGER and worker.service_id:
        return Episode.objects.filter(service_id=worker.service_id)
    return Episode.objects.none()


def break_glass_grants(worker: Worker) -> QuerySet[BreakGlass]:
    """The worker's break-glass accesses still running."""
    return BreakGlass.objects.filter(worker=worker, ends_at__gt=timezone.now())


def _scope(user: Actor) -> Q | None:
    """The condition on a client for being in the user's scope: an episode in their team (or
    service), or registered by their team (or service) with no episode yet. None: no one."""
    worker = worker_of(user)
    if worker is None:
        return None
    episodes = Exists(episodes_visible_to(user).filter(client=OuterRef("pk")))
    waiting = ~Exists(Episode.objects.filter(client=OuterRef("pk")))
    if worker.role in (Role.KEYWORKER, Role.TEAM_LEADER) and worker.team_id:
        return episodes | (Q(registered_team_id=worker.team_id) & waiting)
    if worker.role == Role.SERVICE_MANAGER and worker.service_id:
        return episodes | (Q(registered_service_id=worker.service_id) & waiting)
    return None


def broken_glass(worker: Worker) -> Exists:
    """On a client: this worker's break-glass access to them is still running."""
    return Exists(break_glass_grants(worker).filter(client=OuterRef("pk")))


def clients_visible_to(user: Actor) -> QuerySet[Client]:
    """Clients whose records this user may open: those in their scope, and those they have
    broken the glass for, while that lasts. Nothing identifiable for a commissioner or an
    administrator."""
    scope, worker = _scope(user), worker_of(user)
    if scope is None or worker is None:
        return Client.objects.none()
    return Client.objects.filter(scope | broken_glass(worker))


def clients_in_scope(user: Actor) -> QuerySet[Client]:
    """Clients in the user's scope, without break-glass access."""
    scope = _scope(user)
    return Client.objects.filter(scope) if scope is not None else Client.objects.none()


def in_service(worker: Worker) -> QuerySet[Client]:
    """The clients of a worker's service: an episode there, or registered there."""
    return Client.objects.filter(
        Q(episodes__service_id=worker.service_id) | Q(registered_service_id=worker.service_id)
    ).distinct()


def can_break_glass(user: Actor, client: Client) -> bool:
    """A practitioner or manager may open, in an emergency, the record of a client of their
    own service that is outside their scope (not of another service)."""
    worker = worker_of(user)
    if worker is None or worker.role not in (*TEAM_ROLES, Role.SERVICE_MANAGER):
        return False
    return in_service(worker).filter(pk=client.pk).exists()


def can_review_access(user: Actor, service_id: int) -> bool:
    """Break-glass accesses and consent overrides are reviewed by the service's manager."""
    worker = worker_of(user)
    return (
        worker is not None
        and worker.role == Role.SERVICE_MANAGER
        and worker.service_id == service_id
    )


def caseload_of(user: Actor) -> QuerySet[Episode]:
    """Open episodes on which this user is the named keyworker."""
    worker = worker_of(user)
    if worker is None:
        return Episode.objects.none()
    return Episode.objects.filter(keyworker=worker, discharged_on__isnull=True)


def can_view_client(user: Actor, client: Client) -> bool:
    return clients_visible_to(user).filter(pk=client.pk).exists()


def can_register_client(user: Actor, team: Team) -> bool:
    worker = worker_of(user)
    if worker is None:
        return False
    if worker.role in (Role.KEYWORKER, Role.TEAM_LEADER):
        return worker.team_id == team.pk
    return worker.role == Role.SERVICE_MANAGER and worker.service_id == team.service_id


def can_work_with(user: Actor, episode: Episode) -> bool:
    """Record work (sessions, phase moves, plans) on this episode."""
    worker = worker_of(user)
    return (
        worker is not None
        and worker.role in (Role.KEYWORKER, Role.TEAM_LEADER)
        and worker.team_id == episode.team_id
    )


def can_allocate(user: Actor, episode: Episode) -> bool:
    """Choose or change the keyworker: the team's leader or the service's manager."""
    worker = worker_of(user)
    if worker is None:
        return False
    if worker.role == Role.TEAM_LEADER:
        return worker.team_id == episode.team_id
    return worker.role == Role.SERVICE_MANAGER and worker.service_id == episode.service_id


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


# Who each page is for: the menu (keywork/core/context_processors.py) offers a page to those
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

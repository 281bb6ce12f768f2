"""Who may see and do what on clients' records: the *_visible_to scopers and the can_*
predicates on clients and episodes. With the access app's predicates (re-exported here),
this is the one policies module of every app above clients.

Keyworkers and team leaders see the clients of their team (colleagues cover each other's
clients, run groups together and step in when someone is away); service managers see their
service; administrators and commissioners see no client identities at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from keywork.access.models import TEAM_ROLES, Role, Worker
from keywork.access.policies import (
    REPORT_ROLES as REPORT_ROLES,
)
from keywork.access.policies import (
    can_export_national_return as can_export_national_return,
)
from keywork.access.policies import (
    can_manage_accounts as can_manage_accounts,
)
from keywork.access.policies import (
    can_manage_competence as can_manage_competence,
)
from keywork.access.policies import (
    can_register_client as can_register_client,
)
from keywork.access.policies import (
    can_review_access as can_review_access,
)
from keywork.access.policies import (
    can_see_reports as can_see_reports,
)
from keywork.access.policies import (
    can_see_team_view as can_see_team_view,
)
from keywork.access.policies import (
    has_caseload as has_caseload,
)
from keywork.access.policies import (
    has_role as has_role,
)
from keywork.access.policies import (
    is_system as is_system,
)
from keywork.access.policies import (
    registers_clients as registers_clients,
)
from keywork.access.policies import (
    report_team_of as report_team_of,
)
from keywork.access.policies import (
    reviews_access as reviews_access,
)
from keywork.access.policies import (
    runs_groups as runs_groups,
)
from keywork.access.policies import (
    sees_identities_in_reports as sees_identities_in_reports,
)
from keywork.access.policies import (
    worker_of as worker_of,
)
from keywork.clients.models import BreakGlass, Client, Episode

if TYPE_CHECKING:
    from keywork.core.actors import Actor


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


def caseload_of(user: Actor) -> QuerySet[Episode]:
    """Open episodes on which this user is the named keyworker."""
    worker = worker_of(user)
    if worker is None:
        return Episode.objects.none()
    return Episode.objects.filter(keyworker=worker, discharged_on__isnull=True)


def can_view_client(user: Actor, client: Client) -> bool:
    return clients_visible_to(user).filter(pk=client.pk).exists()


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


def can_change_details(user: Actor, client: Client) -> bool:
    """A client's details are changed by their team: the team of their open episode (or the
    one discharged last), or before any episode the team that registered them."""
    latest = client.episodes.order_by(
        F("discharged_on").desc(nulls_first=True), "-referral_date", "-pk"
    ).first()
    return can_change_details_of(user, client, latest)


def can_change_details_of(user: Actor, client: Client, latest: Episode | None) -> bool:
    """As `can_change_details`, the client's latest episode known."""
    if latest is not None:
        return can_work_with(user, latest) or can_allocate(user, latest)
    team = client.registered_team
    return team is not None and can_register_client(user, team)

"""The only writers of services, teams, workers and their competence. Each checks access,
runs the rules, saves and audits, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from keywork.access import policies
from keywork.access.models import (
    PRACTITIONER_ROLES,
    Competency,
    Registration,
    Role,
    Service,
    Supervision,
    Team,
    Worker,
)
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.catalogue.models import Entry, Tier
from keywork.core.actors import Actor, user_or_none
from keywork.core.dates import today, uk
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.validation import refuse_invalid
from keywork.core.writes import action

Verb = AuditEvent.Verb


def _require_accounts(actor: Actor) -> None:
    if not policies.can_manage_accounts(actor):
        raise AccessDenied("only an administrator manages services, teams and accounts")


@action
def create_service(
    *,
    actor: Actor,
    code: str,
    name: str,
    phone: str = "",
    email: str = "",
    address: str = "",
    is_synthetic: bool = False,
) -> Service:
    _require_accounts(actor)
    if Service.objects.filter(code=code).exists():
        raise invalid("code", f"a service with code '{code}' already exists")
    service = Service(
        code=code, name=name, phone=phone, email=email, address=address, is_synthetic=is_synthetic
    )
    refuse_invalid(service)
    service.save()
    trail.record(actor=actor, verb=Verb.CREATE, obj=service)
    return service


@action
def create_team(
    *, actor: Actor, service: Service, code: str, name: str, phone: str = "", email: str = ""
) -> Team:
    _require_accounts(actor)
    if Team.objects.filter(code=code).exists():
        raise invalid("code", f"a team with code '{code}' already exists")
    team = Team(service=service, code=code, name=name, phone=phone, email=email)
    refuse_invalid(team)
    team.save()
    trail.record(actor=actor, verb=Verb.CREATE, obj=team)
    return team


def _check_placement(role: str, service: Service | None, team: Team | None) -> None:
    if role in PRACTITIONER_ROLES and team is None:
        raise invalid("team", f"a {Role(role).label.lower()} belongs to a team")
    if role in (Role.SERVICE_MANAGER, Role.COMMISSIONER) and service is None:
        raise invalid("service", f"a {Role(role).label.lower()} belongs to a service")
    if team is not None and service is not None and team.service_id != service.pk:
        raise invalid("team", f"team {team.code} is not part of service {service.code}")


def _admin_rights(user: User, role: str) -> None:
    """Administrators use the Django admin; nobody else does. No one is a Django superuser:
    an administrator manages accounts and reference data, and sees no client."""
    user.is_staff = role == Role.ADMINISTRATOR
    user.is_superuser = False


def _not_yourself(actor: Actor, worker: Worker, what: str) -> None:
    user = user_or_none(actor)
    if user is not None and user.pk == worker.user_id:
        raise AccessDenied(f"no one {what} their own account; ask another administrator")


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise invalid("password", " ".join(error.messages)) from None


@action
def add_worker(
    *,
    actor: Actor,
    username: str,
    first_name: str,
    last_name: str,
    role: str,
    password: str,
    email: str = "",
    service: Service | None = None,
    team: Team | None = None,
    job_title: str = "",
    phone: str = "",
) -> Worker:
    """Create a login account and the worker behind it."""
    _require_accounts(actor)
    if role not in Role.values:
        raise invalid("role", f"'{role}' is not a role; choose one of {', '.join(Role.values)}")
    if team is not None and service is None:
        service = team.service
    _check_placement(role, service, team)
    if User.objects.filter(username__iexact=username).exists():
        raise invalid("username", f"'{username}' is already taken")
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    _admin_rights(user, role)
    refuse_invalid(user, exclude=["password"])
    _check_password(password, user)
    user.set_password(password)
    user.save()
    worker = Worker(
        user=user,
        role=role,
        service=service,
        team=team,
        job_title=job_title,
        phone=phone,
        email=email,
    )
    refuse_invalid(worker)
    worker.save()
    trail.record(actor=actor, verb=Verb.CREATE, obj=worker, detail={"role": role})
    return worker


@action
def change_role(
    *, actor: Actor, worker: Worker, role: str, team: Team | None, service: Service | None = None
) -> Worker:
    _require_accounts(actor)
    _not_yourself(actor, worker, "changes the role or team of")
    if role not in Role.values:
        raise invalid("role", f"'{role}' is not a role; choose one of {', '.join(Role.values)}")
    if team is not None and service is None:
        service = team.service
    _check_placement(role, service, team)
    before = {"role": worker.role, "team": worker.team.code if worker.team else None}
    worker.role, worker.team, worker.service = role, team, service
    worker.save()
    _admin_rights(worker.user, role)
    worker.user.save(update_fields=["is_staff", "is_superuser"])
    after = {"role": role, "team": team.code if team else None}
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        obj=worker,
        detail={"before": before, "after": after},
    )
    return worker


@action
def set_active(*, actor: Actor, worker: Worker, active: bool, reason: str) -> Worker:
    """Disable or re-enable a login. A disabled worker keeps their history."""
    _require_accounts(actor)
    _not_yourself(actor, worker, "disables or enables")
    if not reason.strip():
        raise invalid("reason", "say why the account is being disabled or enabled")
    worker.user.is_active = active
    worker.user.save(update_fields=["is_active"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        obj=worker,
        detail={"active": active, "reason": reason},
    )
    return worker


@action
def set_password(*, actor: Actor, worker: Worker, password: str) -> Worker:
    """An administrator sets a worker's password; every session of the account ends (the
    sessions carry a hash of the password, and no longer match)."""
    _require_accounts(actor)
    _check_password(password, worker.user)
    worker.user.set_password(password)
    worker.user.save(update_fields=["password"])
    trail.record(actor=actor, verb=Verb.CHANGE, obj=worker)
    return worker


@action
def change_own_password(*, actor: Actor, old_password: str, new_password: str) -> User:
    """Anyone signed in changes their own password, knowing the old one; their other
    sessions end."""
    user = user_or_none(actor)
    if user is None or not user.is_active:
        raise AccessDenied("sign in to change your password")
    if not user.check_password(old_password):
        raise invalid("old_password", "that is not your current password")
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    trail.record(actor=actor, verb=Verb.CHANGE, obj=user)
    return user


@action
def update_account(
    *,
    actor: Actor,
    worker: Worker,
    role: str,
    team: Team | None,
    service: Service | None,
    active: bool,
    reason: str = "",
    password: str = "",
    unlock: bool = False,
    remove_second_factor_because: str = "",
) -> Worker:
    """The administrator's one save of an account: its role and place, whether it can sign
    in, a new password, a lockout lifted, a lost second factor removed; each part through
    its own action, all or nothing."""
    service = service or (team.service if team else None)
    placed = (worker.role, worker.team_id, worker.service_id)
    if placed != (role, team.pk if team else None, service.pk if service else None):
        change_role(actor=actor, worker=worker, role=role, team=team, service=service)
    if active != worker.user.is_active:
        set_active(actor=actor, worker=worker, active=active, reason=reason)
    if password:
        set_password(actor=actor, worker=worker, password=password)
    if unlock:
        unlock_sign_in(actor=actor, worker=worker)
    if remove_second_factor_because:
        remove_second_factor(actor=actor, worker=worker, reason=remove_second_factor_because)
    return worker


def _require_competence_manager(actor: Actor, worker: Worker) -> None:
    if not policies.can_manage_competence(actor, worker):
        raise AccessDenied(
            f"only an administrator, {worker.name}'s team leader or the service manager "
            "records training, supervision and registrations"
        )


def _not_future(day: dt.date, field: str) -> None:
    if day > today():
        raise invalid(field, f"{uk(day)} is in the future")


@action
def record_training(
    *,
    actor: Actor,
    worker: Worker,
    intervention: Entry,
    trained_on: dt.date,
    training: str = "",
) -> Competency:
    """Record that a worker is trained in a Keywork+ intervention."""
    _require_competence_manager(actor, worker)
    if intervention.tier is None or intervention.tier.competence != (
        Tier.Competence.TRAINED_AND_SUPERVISED
    ):
        raise RuleViolation(
            "R4",
            f"{intervention.name} is not a Keywork+ intervention: training is recorded for "
            "Keywork+ only; specialist interventions need a registration",
            field="intervention",
        )
    if not worker.is_practitioner:
        raise invalid("worker", f"{worker.name} is not a keyworker")
    _not_future(trained_on, "trained_on")
    competency = Competency.objects.create(
        worker=worker, intervention=intervention, trained_on=trained_on, training=training
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        obj=competency,
        detail={"intervention": intervention.code, "trained_on": trained_on.isoformat()},
    )
    return competency


@action
def withdraw_training(
    *, actor: Actor, competency: Competency, withdrawn_on: dt.date, reason: str
) -> Competency:
    _require_competence_manager(actor, competency.worker)
    if withdrawn_on < competency.trained_on:
        raise invalid("withdrawn_on", "cannot be before the training date")
    if not reason.strip():
        raise invalid("reason", "say why the competency is withdrawn")
    competency.withdrawn_on = withdrawn_on
    competency.save(update_fields=["withdrawn_on"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        obj=competency,
        detail={"withdrawn_on": withdrawn_on.isoformat(), "reason": reason},
    )
    return competency


@action
def record_supervision(
    *,
    actor: Actor,
    worker: Worker,
    held_on: dt.date,
    lapses_on: dt.date | None = None,
    supervisor: str = "",
) -> Supervision:
    """Record a clinical supervision; by default it keeps the worker in date for
    KEYWORK_SUPERVISION_VALID_DAYS days."""
    _require_competence_manager(actor, worker)
    _not_future(held_on, "held_on")
    if lapses_on is None:
        lapses_on = held_on + dt.timedelta(days=settings.KEYWORK_SUPERVISION_VALID_DAYS)
    if lapses_on <= held_on:
        raise invalid("lapses_on", "must be after the day supervision was held")
    supervision = Supervision.objects.create(
        worker=worker, held_on=held_on, lapses_on=lapses_on, supervisor=supervisor
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        obj=supervision,
        detail={"held_on": held_on.isoformat(), "lapses_on": lapses_on.isoformat()},
    )
    return supervision


@action
def record_registration(
    *,
    actor: Actor,
    worker: Worker,
    body: str,
    number: str,
    valid_from: dt.date,
    expires_on: dt.date,
    interventions: Iterable[Entry],
) -> Registration:
    """Record a registration or accreditation and the specialist interventions it covers."""
    _require_competence_manager(actor, worker)
    chosen = list(interventions)
    if not chosen:
        raise invalid("interventions", "name at least one specialist intervention it covers")
    for entry in chosen:
        if entry.tier is None or entry.tier.competence != Tier.Competence.REGISTERED:
            raise RuleViolation(
                "R4",
                f"{entry.name} is not a specialist intervention: a registration covers "
                "high-intensity or specialist interventions only",
                field="interventions",
            )
    if not body.strip() or not number.strip():
        raise invalid("body" if not body.strip() else "number", "is required")
    if expires_on < valid_from:
        raise invalid("expires_on", "cannot be before valid_from")
    registration = Registration.objects.create(
        worker=worker, body=body, number=number, valid_from=valid_from, expires_on=expires_on
    )
    registration.interventions.set(chosen)
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        obj=registration,
        detail={"body": body, "interventions": [e.code for e in chosen]},
    )
    return registration


def _update(actor: Actor, obj: Service | Team, changes: dict[str, object]) -> None:
    before = {name: getattr(obj, name) for name in changes}
    for name, value in changes.items():
        setattr(obj, name, value)
    refuse_invalid(obj)
    obj.save()
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        obj=obj,
        detail={
            "before": {k: str(v) for k, v in before.items()},
            "after": {k: str(v) for k, v in changes.items()},
        },
    )


@action
def update_service(*, actor: Actor, service: Service, **changes: object) -> Service:
    _require_accounts(actor)
    _update(actor, service, changes)
    return service


@action
def update_team(*, actor: Actor, team: Team, **changes: object) -> Team:
    _require_accounts(actor)
    if "service" in changes and changes["service"] != team.service and team.episodes.exists():
        raise invalid("service", "a team with episodes cannot move to another service")
    _update(actor, team, changes)
    return team


# Second factor and lockout ---------------------------------------------------------------

RECOVERY_CODES = 10


def _own_account(actor: Actor, user: User) -> None:
    """A second factor is set up by the person themselves (signed in, or half-way through
    signing in with their password)."""
    if user_or_none(actor) is None or user_or_none(actor) != user or not user.is_active:
        raise AccessDenied("a second factor is set up by the account's own person")


def _recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@action
def start_second_factor(*, actor: Actor, user: User) -> TOTPDevice:
    """A new authenticator key, not in use until a code from it confirms it."""
    _own_account(actor, user)
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
    trail.record(actor=actor, verb=Verb.CHANGE, obj=user)
    return device


@action
def confirm_second_factor(*, actor: Actor, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm an authenticator with a code it shows: it replaces any earlier one, and ten
    new recovery codes are made (returned, to be shown once). None if the code does not
    match (the device's throttling counts the try)."""
    _own_account(actor, device.user)
    if device.confirmed or not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes(device.user)
    trail.record(actor=actor, verb=Verb.CHANGE, obj=device.user)
    return codes


@action
def new_recovery_codes(*, actor: Actor, user: User) -> list[str]:
    _own_account(actor, user)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise invalid("second_factor", "set up an authenticator app first")
    codes = _recovery_codes(user)
    trail.record(actor=actor, verb=Verb.CHANGE, obj=user)
    return codes


@action
def remove_second_factor(*, actor: Actor, worker: Worker, reason: str) -> Worker:
    """An administrator takes away a lost phone's authenticator and the recovery codes; the
    person sets up a new one at their next sign-in (if their role needs one)."""
    _require_accounts(actor)
    _not_yourself(actor, worker, "removes the second factor of")
    if not reason.strip():
        raise invalid("reason", "say why the second factor is removed")
    TOTPDevice.objects.filter(user=worker.user).delete()
    StaticDevice.objects.filter(user=worker.user).delete()
    trail.record(
        actor=actor, verb=Verb.CHANGE, obj=worker,
        detail={"reason": reason},
    )  # fmt: skip
    return worker


@action
def unlock_sign_in(*, actor: Actor, worker: Worker) -> int:
    """An administrator lifts a lockout of the account, from every address."""
    _require_accounts(actor)
    removed = axes_reset(username=worker.user.username)
    trail.record(
        actor=actor, verb=Verb.CHANGE, obj=worker,
        detail={"attempts_cleared": removed},
    )  # fmt: skip
    return int(removed)

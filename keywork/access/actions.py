"""The only writers of services, teams, workers and their competence. Each checks access,
runs the rules, saves and audits, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from keywork.access import policies, rules
from keywork.access.models import (
    PRACTITIONER_ROLES,
    Competency,
    Profession,
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
from keywork.core.inputs import Reason
from keywork.core.validation import refuse_invalid
from keywork.core.writes import action

Verb = AuditEvent.Verb


def _require_accounts(actor: Actor) -> None:
    if not policies.can_manage_accounts(actor):
        raise AccessDenied("only an administrator manages services, teams and accounts")


@dataclass(frozen=True, kw_only=True)
class CreateServiceInput:
    code: str
    name: str
    phone: str = ""
    email: str = ""
    address: str = ""
    is_synthetic: bool = False


@action
def create_service(*, actor: Actor, given: CreateServiceInput) -> Service:
    _require_accounts(actor)
    if Service.objects.filter(code=given.code).exists():
        raise invalid("code", f"a service with code '{given.code}' already exists")
    service = Service(
        code=given.code,
        name=given.name,
        phone=given.phone,
        email=given.email,
        address=given.address,
        is_synthetic=given.is_synthetic,
    )
    refuse_invalid(service)
    service.save()
    trail.record(actor=actor, verb=Verb.CREATE, obj=service)
    return service


@dataclass(frozen=True, kw_only=True)
class CreateTeamInput:
    code: str
    name: str
    phone: str = ""
    email: str = ""


@action
def create_team(*, actor: Actor, service: Service, given: CreateTeamInput) -> Team:
    _require_accounts(actor)
    if Team.objects.filter(code=given.code).exists():
        raise invalid("code", f"a team with code '{given.code}' already exists")
    team = Team(
        service=service, code=given.code, name=given.name, phone=given.phone, email=given.email
    )
    refuse_invalid(team)
    team.save()
    trail.record(actor=actor, verb=Verb.CREATE, obj=team)
    return team


def _placed(role: str, service: Service | None, team: Team | None) -> Service | None:
    """The service a role is placed in (a team's, when only the team is given), checked."""
    if role not in Role.values:
        raise invalid("role", f"'{role}' is not a role; choose one of {', '.join(Role.values)}")
    if team is not None and service is None:
        service = team.service
    _check_placement(role, service, team)
    return service


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


@dataclass(frozen=True, kw_only=True)
class AddWorkerInput:
    username: str
    first_name: str
    last_name: str
    role: str
    password: str
    email: str = ""
    service: Service | None = None
    team: Team | None = None
    job_title: str = ""
    phone: str = ""
    profession: str = ""  # a practitioner's: a drugs worker unless said


@action
def add_worker(*, actor: Actor, given: AddWorkerInput) -> Worker:
    """Create a login account and the worker behind it."""
    _require_accounts(actor)
    service = _placed(given.role, given.service, given.team)
    if User.objects.filter(username__iexact=given.username).exists():
        raise invalid("username", f"'{given.username}' is already taken")
    user = User(
        username=given.username,
        first_name=given.first_name,
        last_name=given.last_name,
        email=given.email,
    )
    _admin_rights(user, given.role)
    refuse_invalid(user, exclude=["password"])
    _check_password(given.password, user)
    user.set_password(given.password)
    user.save()
    worker = Worker(
        user=user,
        role=given.role,
        service=service,
        team=given.team,
        job_title=given.job_title,
        profession=given.profession
        or (Profession.DRUGS_WORKER if given.role in PRACTITIONER_ROLES else ""),
        phone=given.phone,
        email=given.email,
    )
    refuse_invalid(worker)
    worker.save()
    trail.record(actor=actor, verb=Verb.CREATE, obj=worker, detail={"role": given.role})
    return worker


@dataclass(frozen=True, kw_only=True)
class ChangeRoleInput:
    role: str
    team: Team | None
    service: Service | None = None


@action
def change_role(*, actor: Actor, worker: Worker, given: ChangeRoleInput) -> Worker:
    _require_accounts(actor)
    _not_yourself(actor, worker, "changes the role or team of")
    service = _placed(given.role, given.service, given.team)
    before = {"role": worker.role, "team": worker.team.code if worker.team else None}
    worker.role, worker.team, worker.service = given.role, given.team, service
    worker.save()
    _admin_rights(worker.user, given.role)
    worker.user.save(update_fields=["is_staff", "is_superuser"])
    after = {"role": given.role, "team": given.team.code if given.team else None}
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        obj=worker,
        detail={"before": before, "after": after},
    )
    return worker


@dataclass(frozen=True, kw_only=True)
class SetActiveInput:
    active: bool
    reason: str


@action
def set_active(*, actor: Actor, worker: Worker, given: SetActiveInput) -> Worker:
    """Disable or re-enable a login. A disabled worker keeps their history."""
    _require_accounts(actor)
    _not_yourself(actor, worker, "disables or enables")
    if not given.reason.strip():
        raise invalid("reason", "say why the account is being disabled or enabled")
    worker.user.is_active = given.active
    worker.user.save(update_fields=["is_active"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        obj=worker,
        detail={"active": given.active, "reason": given.reason},
    )
    return worker


@dataclass(frozen=True, kw_only=True)
class SetPasswordInput:
    password: str


@action
def set_password(*, actor: Actor, worker: Worker, given: SetPasswordInput) -> Worker:
    """An administrator sets a worker's password; every session of the account ends (the
    sessions carry a hash of the password, and no longer match)."""
    _require_accounts(actor)
    _check_password(given.password, worker.user)
    worker.user.set_password(given.password)
    worker.user.save(update_fields=["password"])
    trail.record(actor=actor, verb=Verb.CHANGE, obj=worker)
    return worker


@dataclass(frozen=True, kw_only=True)
class ChangeOwnPasswordInput:
    old_password: str
    new_password: str


@action
def change_own_password(*, actor: Actor, given: ChangeOwnPasswordInput) -> User:
    """Anyone signed in changes their own password, knowing the old one; their other
    sessions end."""
    user = user_or_none(actor)
    if user is None or not user.is_active:
        raise AccessDenied("sign in to change your password")
    if not user.check_password(given.old_password):
        raise invalid("old_password", "that is not your current password")
    _check_password(given.new_password, user)
    user.set_password(given.new_password)
    user.save(update_fields=["password"])
    trail.record(actor=actor, verb=Verb.CHANGE, obj=user)
    return user


@dataclass(frozen=True, kw_only=True)
class UpdateAccountInput:
    role: str
    team: Team | None
    service: Service | None
    active: bool
    reason: str = ""
    password: str = ""
    unlock: bool = False
    remove_second_factor_because: str = ""


@action
def update_account(*, actor: Actor, worker: Worker, given: UpdateAccountInput) -> Worker:
    """The administrator's one save of an account: its role and place, whether it can sign
    in, a new password, a lockout lifted, a lost second factor removed; each part through
    its own action, all or nothing."""
    service = given.service or (given.team.service if given.team else None)
    placed = (worker.role, worker.team_id, worker.service_id)
    if placed != (
        given.role,
        given.team.pk if given.team else None,
        service.pk if service else None,
    ):
        change_role(
            actor=actor,
            worker=worker,
            given=ChangeRoleInput(role=given.role, team=given.team, service=service),
        )
    if given.active != worker.user.is_active:
        set_active(
            actor=actor,
            worker=worker,
            given=SetActiveInput(active=given.active, reason=given.reason),
        )
    if given.password:
        set_password(actor=actor, worker=worker, given=SetPasswordInput(password=given.password))
    if given.unlock:
        unlock_sign_in(actor=actor, worker=worker)
    if given.remove_second_factor_because:
        remove_second_factor(
            actor=actor, worker=worker, given=Reason(reason=given.remove_second_factor_because)
        )
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


@dataclass(frozen=True, kw_only=True)
class RecordTrainingInput:
    intervention: Entry
    trained_on: dt.date
    training: str = ""


@action
def record_training(*, actor: Actor, worker: Worker, given: RecordTrainingInput) -> Competency:
    """Record that a worker is trained in a Keywork+ intervention."""
    _require_competence_manager(actor, worker)
    if given.intervention.tier is None or given.intervention.tier.competence != (
        Tier.Competence.TRAINED_AND_SUPERVISED
    ):
        raise RuleViolation(
            "R4",
            f"{given.intervention.name} is not a Keywork+ intervention: training is recorded for "
            "Keywork+ only; specialist interventions need a registration",
            field="intervention",
        )
    if not worker.is_practitioner:
        raise invalid("worker", f"{worker.name} is not a keyworker")
    _not_future(given.trained_on, "trained_on")
    competency = Competency.objects.create(
        worker=worker,
        intervention=given.intervention,
        trained_on=given.trained_on,
        training=given.training,
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        obj=competency,
        detail={
            "intervention": given.intervention.code,
            "trained_on": given.trained_on.isoformat(),
        },
    )
    return competency


@dataclass(frozen=True, kw_only=True)
class WithdrawTrainingInput:
    withdrawn_on: dt.date
    reason: str


@action
def withdraw_training(
    *, actor: Actor, competency: Competency, given: WithdrawTrainingInput
) -> Competency:
    _require_competence_manager(actor, competency.worker)
    if given.withdrawn_on < competency.trained_on:
        raise invalid("withdrawn_on", "cannot be before the training date")
    if not given.reason.strip():
        raise invalid("reason", "say why the competency is withdrawn")
    competency.withdrawn_on = given.withdrawn_on
    competency.save(update_fields=["withdrawn_on"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        obj=competency,
        detail={"withdrawn_on": given.withdrawn_on.isoformat(), "reason": given.reason},
    )
    return competency


@dataclass(frozen=True, kw_only=True)
class RecordSupervisionInput:
    held_on: dt.date
    lapses_on: dt.date | None = None
    supervisor: str = ""


@action
def record_supervision(
    *, actor: Actor, worker: Worker, given: RecordSupervisionInput
) -> Supervision:
    """Record a clinical supervision; by default it keeps the worker in date for
    KEYWORK_SUPERVISION_VALID_DAYS days."""
    _require_competence_manager(actor, worker)
    _not_future(given.held_on, "held_on")
    lapses_on = given.lapses_on or given.held_on + dt.timedelta(
        days=settings.KEYWORK_SUPERVISION_VALID_DAYS
    )
    if lapses_on <= given.held_on:
        raise invalid("lapses_on", "must be after the day supervision was held")
    supervision = Supervision.objects.create(
        worker=worker, held_on=given.held_on, lapses_on=lapses_on, supervisor=given.supervisor
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        obj=supervision,
        detail={"held_on": given.held_on.isoformat(), "lapses_on": lapses_on.isoformat()},
    )
    return supervision


@dataclass(frozen=True, kw_only=True)
class RecordRegistrationInput:
    body: str
    number: str
    valid_from: dt.date
    expires_on: dt.date
    interventions: Iterable[Entry]


@action
def record_registration(
    *, actor: Actor, worker: Worker, given: RecordRegistrationInput
) -> Registration:
    """Record a registration or accreditation and the specialist interventions it covers."""
    _require_competence_manager(actor, worker)
    chosen = list(given.interventions)
    if not chosen:
        raise invalid("interventions", "name at least one specialist intervention it covers")
    for entry in chosen:
        if entry.tier is None or entry.tier.competence not in rules.NEEDS_REGISTRATION:
            raise RuleViolation(
                "R4",
                f"{entry.name} is not a specialist intervention: a registration covers "
                "high-intensity or specialist interventions only",
                field="interventions",
            )
    if not given.body.strip() or not given.number.strip():
        raise invalid("body" if not given.body.strip() else "number", "is required")
    if given.expires_on < given.valid_from:
        raise invalid("expires_on", "cannot be before valid_from")
    registration = Registration.objects.create(
        worker=worker,
        body=given.body,
        number=given.number,
        valid_from=given.valid_from,
        expires_on=given.expires_on,
    )
    registration.interventions.set(chosen)
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        obj=registration,
        detail={"body": given.body, "interventions": [e.code for e in chosen]},
    )
    return registration


@dataclass(frozen=True, kw_only=True)
class UpdateServiceInput:
    """The fields that change (None: as it is)."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    care_plan_review_weeks: int | None = None
    outcome_review_months: int | None = None
    is_synthetic: bool | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateTeamInput:
    """The fields that change (None: as it is)."""

    service: Service | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    active: bool | None = None


def _update(actor: Actor, obj: Service | Team, given: UpdateServiceInput | UpdateTeamInput) -> None:
    changes = {k: v for k, v in vars(given).items() if v is not None}
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
def update_service(*, actor: Actor, service: Service, given: UpdateServiceInput) -> Service:
    _require_accounts(actor)
    _update(actor, service, given)
    return service


@action
def update_team(*, actor: Actor, team: Team, given: UpdateTeamInput) -> Team:
    _require_accounts(actor)
    moved = given.service is not None and given.service != team.service
    if moved and team.episodes.exists():
        raise invalid("service", "a team with episodes cannot move to another service")
    _update(actor, team, given)
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


@dataclass(frozen=True, kw_only=True)
class ConfirmSecondFactorInput:
    code: str


@action
def confirm_second_factor(
    *, actor: Actor, device: TOTPDevice, given: ConfirmSecondFactorInput
) -> list[str] | None:
    """Confirm an authenticator with a code it shows: it replaces any earlier one, and ten
    new recovery codes are made (returned, to be shown once). None if the code does not
    match (the device's throttling counts the try)."""
    _own_account(actor, device.user)
    if device.confirmed or not device.verify_token(given.code.strip()):
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
def remove_second_factor(*, actor: Actor, worker: Worker, given: Reason) -> Worker:
    """An administrator takes away a lost phone's authenticator and the recovery codes; the
    person sets up a new one at their next sign-in (if their role needs one)."""
    _require_accounts(actor)
    _not_yourself(actor, worker, "removes the second factor of")
    if not given.reason.strip():
        raise invalid("reason", "say why the second factor is removed")
    TOTPDevice.objects.filter(user=worker.user).delete()
    StaticDevice.objects.filter(user=worker.user).delete()
    trail.record(
        actor=actor, verb=Verb.CHANGE, obj=worker,
        detail={"reason": given.reason},
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

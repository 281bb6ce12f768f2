"""Named test personas, built through the real actions, so no test starts from a state the
rules forbid. Used by the test suite (keywork/conftest.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice

from keywork.access import actions as access
from keywork.access.models import Role, Service, Team, Worker
from keywork.access.signin import code_for
from keywork.catalogue.loader import default_directory, load_catalogue, read_catalogue
from keywork.catalogue.models import Entry, Phase
from keywork.clients import actions as clients
from keywork.clients.actions import SubstanceUse
from keywork.clients.models import Client, Episode
from keywork.core.dates import today

PASSWORD = "persona-password-2026"


def ensure_catalogue() -> None:
    if not Phase.objects.exists():
        load_catalogue(read_catalogue(default_directory()))


@dataclass
class Personas:
    service: Service
    team: Team
    other_team: Team
    mi_keyworker: Worker  # trained in motivational interviewing, supervision in date
    keyworker: Worker  # no Keywork+ training
    lapsed_keyworker: Worker  # trained in motivational interviewing, supervision lapsed
    counsellor: Worker  # BACP registration covering counselling
    team_leader: Worker
    manager: Worker
    administrator: Worker
    commissioner: Worker
    other_keyworker: Worker  # a keyworker in another team
    client: Client  # on mi_keyworker's caseload; heroin and crack
    episode: Episode
    other_client: Client  # in the other team, on other_keyworker's caseload; alcohol only

    def entry(self, code: str) -> Entry:
        return Entry.objects.select_related("tier", "parent").get(code=code)


def worker(username: str, role: str, *, team: Team | None, service: Service | None) -> Worker:
    first, _, last = username.partition(".")
    return access.add_worker(
        actor=None,
        given=access.AddWorkerInput(
            username=username,
            first_name=first.title(),
            last_name=(last or "Persona").title(),
            role=role,
            password=PASSWORD,
            email=f"{username}@example.org",
            team=team,
            service=service,
            phone="07700 900123",
        ),
    )


def registered(
    person: Worker, body: str, number: str, covers: list[Entry], *, since_days: int = 400
) -> Worker:
    """A registration covering specialist interventions since `since_days` ago, and clinical
    supervision every six weeks since then (rule 4 asks for both)."""
    day = today()
    access.record_registration(
        actor=None,
        worker=person,
        given=access.RecordRegistrationInput(
            body=body,
            number=number,
            valid_from=day - dt.timedelta(days=since_days),
            expires_on=day + dt.timedelta(days=300),
            interventions=covers,
        ),
    )
    for back in range(10, since_days + 42, 42):
        access.record_supervision(
            actor=None,
            worker=person,
            given=access.RecordSupervisionInput(held_on=day - dt.timedelta(days=back)),
        )
    return person


def prescriber(username: str, personas: Personas, number: str) -> Worker:
    """A keyworker whose NMC registration covers every medicine, supervised."""
    nurse = worker(username, Role.KEYWORKER, team=personas.team, service=personas.service)
    medicines = list(Entry.objects.filter(kind=Entry.Kind.MEDICATION))
    return registered(nurse, "NMC", number, medicines)


def another_client(
    personas: Personas,
    local_id: str,
    referred_days_ago: int,
    substance: str = "sub.heroin",
    *,
    triaged: bool = True,
    family_name: str = "Synthetic",
) -> Episode:
    """A client of the MI keyworker's in their team, referred (and triaged) that long ago,
    with one problem substance, smoked."""
    day = today() - dt.timedelta(days=referred_days_ago)
    client = clients.register_client(
        actor=personas.mi_keyworker.user,
        given=clients.RegisterClientInput(
            local_id=local_id,
            given_name="Alex",
            family_name=family_name,
            date_of_birth=dt.date(1990, 1, 1),
            sex="not_stated",
            is_synthetic=True,
            not_a_duplicate=True,  # several synthetic Alexes, on purpose
        ),
    )
    return clients.open_episode(
        actor=personas.mi_keyworker.user,
        client=client,
        given=clients.OpenEpisodeInput(
            team=personas.team,
            referral_date=day,
            triage_date=day if triaged else None,
            keyworker=personas.mi_keyworker,
            substances=[SubstanceUse(code=substance, route="smoke")],
            injecting_status="never",
        ),
    )


def set_up_second_factor(user: User) -> list[str]:
    """An authenticator app for `user`, set up as they would (a code read off the app);
    returns their recovery codes."""
    device = access.start_second_factor(actor=user, user=user)
    codes = access.confirm_second_factor(
        actor=user, device=device, given=access.ConfirmSecondFactorInput(code=code_for(device))
    )
    assert codes is not None
    return codes


def second_factor_code(user: User) -> str:
    return code_for(TOTPDevice.objects.get(user=user, confirmed=True))


def build_personas() -> Personas:
    ensure_catalogue()
    day = today()
    service = access.create_service(
        actor=None, given=access.CreateServiceInput(code="testshire", name="Testshire Recovery")
    )
    team = access.create_team(
        actor=None, service=service, given=access.CreateTeamInput(code="north", name="North Team")
    )
    other_team = access.create_team(
        actor=None, service=service, given=access.CreateTeamInput(code="south", name="South Team")
    )
    mi = Entry.objects.get(code="kwp.motivational-interviewing")

    mi_keyworker = worker("mia.trained", Role.KEYWORKER, team=team, service=service)
    access.record_training(
        actor=None,
        worker=mi_keyworker,
        given=access.RecordTrainingInput(intervention=mi, trained_on=day - dt.timedelta(days=300)),
    )
    access.record_supervision(
        actor=None,
        worker=mi_keyworker,
        given=access.RecordSupervisionInput(held_on=day - dt.timedelta(days=10)),
    )

    keyworker = worker("kit.plain", Role.KEYWORKER, team=team, service=service)
    access.record_supervision(
        actor=None,
        worker=keyworker,
        given=access.RecordSupervisionInput(held_on=day - dt.timedelta(days=10)),
    )

    lapsed = worker("lou.lapsed", Role.KEYWORKER, team=team, service=service)
    access.record_training(
        actor=None,
        worker=lapsed,
        given=access.RecordTrainingInput(intervention=mi, trained_on=day - dt.timedelta(days=300)),
    )
    access.record_supervision(
        actor=None,
        worker=lapsed,
        given=access.RecordSupervisionInput(held_on=day - dt.timedelta(days=100)),
    )

    counsellor = worker("cal.counsellor", Role.KEYWORKER, team=team, service=service)
    access.record_registration(
        actor=None,
        worker=counsellor,
        given=access.RecordRegistrationInput(
            body="BACP",
            number="000123",
            valid_from=day - dt.timedelta(days=500),
            expires_on=day + dt.timedelta(days=200),
            interventions=[Entry.objects.get(code="spec.counselling")],
        ),
    )
    access.record_supervision(
        actor=None,
        worker=counsellor,
        given=access.RecordSupervisionInput(held_on=day - dt.timedelta(days=10)),
    )

    team_leader = worker("tia.leader", Role.TEAM_LEADER, team=team, service=service)
    manager = worker("max.manager", Role.SERVICE_MANAGER, team=None, service=service)
    administrator = worker("ada.admin", Role.ADMINISTRATOR, team=None, service=None)
    commissioner = worker("cora.commissioner", Role.COMMISSIONER, team=None, service=service)
    for needs_it in (team_leader, manager, administrator, commissioner):
        set_up_second_factor(needs_it.user)
    other_keyworker = worker("oli.other", Role.KEYWORKER, team=other_team, service=service)

    client = clients.register_client(
        actor=mi_keyworker.user,
        given=clients.RegisterClientInput(
            local_id="T0001",
            given_name="Sam",
            family_name="Synthetic",
            date_of_birth=dt.date(1985, 4, 2),
            sex="not_stated",
            is_synthetic=True,
        ),
    )
    episode = clients.open_episode(
        actor=mi_keyworker.user,
        client=client,
        given=clients.OpenEpisodeInput(
            team=team,
            referral_date=day - dt.timedelta(days=60),
            triage_date=day - dt.timedelta(days=58),
            keyworker=mi_keyworker,
            substances=[
                SubstanceUse(code="sub.heroin", route="inject", age_first_used=19),
                SubstanceUse(code="sub.crack", route="smoke"),
            ],
            injecting_status="currently",
        ),
    )
    other_client = clients.register_client(
        actor=other_keyworker.user,
        given=clients.RegisterClientInput(
            local_id="T0002",
            given_name="Jo",
            family_name="Elsewhere",
            date_of_birth=dt.date(1979, 11, 20),
            sex="female",
            is_synthetic=True,
        ),
    )
    clients.open_episode(
        actor=other_keyworker.user,
        client=other_client,
        given=clients.OpenEpisodeInput(
            team=other_team,
            referral_date=day - dt.timedelta(days=30),
            triage_date=day - dt.timedelta(days=28),
            keyworker=other_keyworker,
            substances=[SubstanceUse(code="sub.alcohol", route="oral", age_first_used=15)],
            injecting_status="never",
        ),
    )
    return Personas(
        service=service,
        team=team,
        other_team=other_team,
        mi_keyworker=mi_keyworker,
        keyworker=keyworker,
        lapsed_keyworker=lapsed,
        counsellor=counsellor,
        team_leader=team_leader,
        manager=manager,
        administrator=administrator,
        commissioner=commissioner,
        other_keyworker=other_keyworker,
        client=client,
        episode=episode,
        other_client=other_client,
    )

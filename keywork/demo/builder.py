"""A synthetic demo service: teams, workers with varied competencies, and clients spread over
the phases, all dated relative to today. No real people: every name is drawn at random from
short lists, every phone number is in Ofcom's range reserved for drama (07700 900xxx), and
the service, each client and every page say "synthetic demo data".

The named demo logins are built through the real actions. The bulk of colleagues and
clients is written with bulk inserts for speed, in one bulk write; tests check that what it
writes keeps the rules (one keyworker per open episode, phases in the line, history in
order)."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from keywork.access import actions as access
from keywork.access.models import (
    SECOND_FACTOR_ROLES,
    Competency,
    Role,
    Service,
    Supervision,
    Team,
    Worker,
)
from keywork.audit import chain
from keywork.audit.models import AuditEvent
from keywork.catalogue.models import Entry, Phase
from keywork.clients.models import (
    Allocation,
    Client,
    Episode,
    InjectingStatus,
    PhaseChange,
    ProblemSubstance,
    Route,
    Sex,
)
from keywork.clients.rules import nhs_check_digit
from keywork.core.dates import today
from keywork.core.errors import RuleViolation
from keywork.core.writes import bulk_write
from keywork.demo import capital as demo_capital
from keywork.demo import chunks, second_factor
from keywork.demo import definitions as demo_definitions
from keywork.demo import groups as demo_groups
from keywork.demo import outcomes as demo_outcomes
from keywork.demo import plans as demo_plans
from keywork.demo import sessions as demo_sessions
from keywork.demo import treatment as demo_treatment
from keywork.demo.chunks import Progress
from keywork.demo.copying import insert, new
from keywork.demo.models import Build as DemoBuild

User = get_user_model()

SERVICE_CODE = "northbrook"
DEMO_PASSWORD = "synthetic-demo-2026"
CLIENTS_PER_KEYWORKER = 35
BATCH = 2000

FIRST = [
    "Alex",
    "Amira",
    "Ben",
    "Bethan",
    "Callum",
    "Carys",
    "Dan",
    "Dev",
    "Ella",
    "Erin",
    "Farid",
    "Freya",
    "Gareth",
    "Grace",
    "Hana",
    "Hugh",
    "Imran",
    "Isla",
    "Jack",
    "Jade",
    "Kai",
    "Keira",
    "Liam",
    "Lena",
    "Marek",
    "Maya",
    "Niall",
    "Nia",
    "Owen",
    "Orla",
    "Priya",
    "Rhys",
    "Rosa",
    "Sam",
    "Sian",
    "Tariq",
    "Tess",
    "Uma",
    "Vic",
    "Will",
    "Yasmin",
    "Zac",
]
LAST = [
    "Abbott",
    "Ahmed",
    "Baines",
    "Carter",
    "Clarke",
    "Davies",
    "Doyle",
    "Evans",
    "Fenwick",
    "Foster",
    "Gill",
    "Hale",
    "Hartley",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kaur",
    "Khan",
    "Lewis",
    "Lloyd",
    "Malik",
    "Morgan",
    "Nash",
    "Novak",
    "Okafor",
    "Owen",
    "Patel",
    "Pritchard",
    "Quinn",
    "Raman",
    "Reid",
    "Shah",
    "Singh",
    "Taylor",
    "Turner",
    "Walsh",
    "Ward",
    "Webb",
    "Wilson",
    "Young",
]
TEAM_NAMES = (
    "North Hub",
    "South Hub",
    "Riverside",
    "Eastgate",
    "Westfield",
    "Criminal Justice",
    "Young Adults",
    "Alcohol Pathway",
    "Outreach",
    "Hospital Liaison",
    "Family Service",
    "Recovery Hub",
)
CLIENTS_PER_TEAM = 2500  # a big community team's caseload


def team_names(clients: int) -> list[str]:
    """A team for about every CLIENTS_PER_TEAM clients (two at least), so that a team stays
    a team's size as the service grows: the names above, then the same again numbered
    ("North Hub 2")."""
    count = max(2, math.ceil(clients / CLIENTS_PER_TEAM))
    return [
        TEAM_NAMES[n % len(TEAM_NAMES)]
        + (f" {n // len(TEAM_NAMES) + 1}" if n >= len(TEAM_NAMES) else "")
        for n in range(count)
    ]


PHASE_CODES = ("engagement", "preparation", "change", "completion")
PHASE_WEIGHTS = (30, 25, 30, 15)
# Typical presentations: (substance codes in order, routes), weighted by how often a
# community service sees them. About one in six is alcohol only.
PRESENTATIONS = (
    ((("sub.heroin", Route.INJECT), ("sub.crack", Route.SMOKE)), 22),
    ((("sub.heroin", Route.SMOKE),), 10),
    ((("sub.crack", Route.SMOKE), ("sub.alcohol", Route.ORAL)), 8),
    ((("sub.cocaine", Route.SNIFF), ("sub.alcohol", Route.ORAL)), 10),
    ((("sub.cannabis", Route.SMOKE),), 12),
    ((("sub.alcohol", Route.ORAL),), 16),
    ((("sub.benzodiazepines", Route.ORAL), ("sub.heroin", Route.INJECT)), 5),
    ((("sub.amphetamines", Route.ORAL), ("sub.cannabis", Route.SMOKE)), 5),
    ((("sub.ketamine", Route.SNIFF),), 4),
    ((("sub.gabapentinoids", Route.ORAL), ("sub.other-opioids", Route.ORAL)), 4),
    ((("sub.ghb-gbl", Route.ORAL), ("sub.mdma", Route.ORAL)), 4),
)
REFERRAL_SOURCES = ("Self", "GP", "Criminal justice", "Hospital", "Social care", "Other service")


@dataclass(frozen=True)
class Persona:
    username: str
    first: str
    last: str
    role: str
    team: int | None  # index into the demo teams
    title: str
    trained_in: tuple[str, ...] = ()
    supervised_days_ago: int | None = None  # None: no supervision recorded
    registration: tuple[str, str, tuple[str, ...]] | None = None  # body, number, codes
    profession: str = ""  # a practitioner's; a drugs worker unless said


# Any practitioner may be a keyworker (seed 000: "a doctor, nurse, or an NHS or voluntary
# sector drugs worker"): one keyworker in ten a doctor, two nurses, the rest drugs workers.
BULK_PROFESSIONS = (
    ("doctor", "Specialty doctor, addictions"),
    ("nurse", "Recovery nurse"),
    ("nurse", "Recovery nurse"),
    *[("drugs_worker", "Recovery worker")] * 7,
)
HISTORY_REACH = 800  # days: before the earliest referral (720 days)
SUPERVISION_EVERY = 42  # days: within KEYWORK_SUPERVISION_VALID_DAYS (56)
PERSONAS = (
    Persona(
        "kw.amira",
        "Amira",
        "Okafor",
        Role.KEYWORKER,
        0,
        "Recovery worker",
        ("kwp.motivational-interviewing", "kwp.cm-attendance"),
        20,
    ),
    Persona("kw.ben", "Ben", "Hartley", Role.KEYWORKER, 0, "Recovery worker", (), 10),
    Persona(
        "kw.dev",
        "Dev",
        "Raman",
        Role.KEYWORKER,
        1,
        "Recovery worker",
        ("kwp.relapse-prevention",),
        90,
    ),
    Persona(
        "nurse.erin",
        "Erin",
        "Walsh",
        Role.KEYWORKER,
        0,
        "Recovery nurse and independent prescriber",
        (),
        30,
        (
            "NMC",
            "12A3456E",
            (
                "spec.bbv-testing-vaccination",
                "spec.physical-health",
                "rx.methadone-oral",
                "rx.buprenorphine",
                "rx.buprenorphine-naloxone",
            ),
        ),
        "nurse",
    ),
    Persona(
        "tl.carys",
        "Carys",
        "Pritchard",
        Role.TEAM_LEADER,
        0,
        "Team leader",
        ("kwp.motivational-interviewing", "kwp.sbnt"),
        14,
    ),
    Persona("sm.farid", "Farid", "Shah", Role.SERVICE_MANAGER, None, "Service manager"),
    Persona("admin.grace", "Grace", "Lloyd", Role.ADMINISTRATOR, None, "Systems administrator"),
    Persona("comm.hugh", "Hugh", "Morgan", Role.COMMISSIONER, None, "Commissioner"),
)


@dataclass
class DemoReport:
    created: bool
    service: Service
    clients: int = 0
    workers: int = 0
    teams: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


def demo_service() -> Service | None:
    return Service.objects.filter(code=SERVICE_CODE, is_synthetic=True).first()


def logins() -> list[tuple[str, str]]:
    """The named demo logins and what each shows, with the second step for those whose role
    needs one."""
    described = {
        "kw.amira": "keyworker, trained in motivational interviewing (Keywork+)",
        "kw.ben": "keyworker, no Keywork+ training",
        "kw.dev": "keyworker in another team, supervision lapsed",
        "nurse.erin": "keyworker and nurse prescriber (NMC registration)",
        "tl.carys": "team leader",
        "sm.farid": "service manager",
        "admin.grace": "administrator",
        "comm.hugh": "commissioner (numbers only, no client identities)",
    }
    return [
        (
            p.username,
            described[p.username]
            + (
                f"; second step: `{second_factor.code_command(p.username)}`, or the key "
                f"{second_factor.readable_key(p.username)} in an authenticator app"
                if p.role in SECOND_FACTOR_ROLES
                else ""
            ),
        )
        for p in PERSONAS
    ]


def build(
    *,
    clients: int,
    seed: int,
    progress: Progress | None = None,
    history_days: int = demo_sessions.HISTORY_DAYS,
) -> DemoReport:
    """Build the demo service with `clients` clients, each with up to `history_days` days of
    session history, in committed chunks; carry on a build that was stopped part-way (with
    the same options); refuse if one is already loaded."""
    if not Phase.objects.exists():
        raise RuleViolation("DEMO", "load the catalogue first (keywork load_catalogue)")
    if not 0 <= clients <= MOST_CLIENTS:
        raise RuleViolation("INVALID", f"--clients: from 0 to {MOST_CLIENTS:,}", field="clients")
    if not 7 <= history_days <= 3650:
        raise RuleViolation("INVALID", "--history-days: from 7 to 3650 days", field="history_days")
    service = demo_service()
    if service is None:
        with bulk_write():
            made = _start(clients=clients, seed=seed, history_days=history_days)
    else:
        made = _unfinished(service)
        if (made.clients, made.seed, made.history_days) != (clients, seed, history_days):
            raise RuleViolation(
                "DEMO",
                f"a demo build ({made.options}) stopped part-way: run it again with the "
                "same options to carry on",
            )
    _carry_on(made, progress or (lambda what, done, total: None))
    refresh_statistics()
    return _report(made.service)


def loaded() -> bool:
    """Whether a demo service is loaded and its build finished."""
    service = demo_service()
    return service is not None and _build_of(service).step == DemoBuild.Step.DONE


def _build_of(service: Service) -> DemoBuild:
    found = DemoBuild.objects.filter(service=service).first()
    if found is None:  # a demo loaded before builds were kept, in one transaction: whole
        return DemoBuild(service=service, step=DemoBuild.Step.DONE)
    return found


def _unfinished(service: Service) -> DemoBuild:
    found = _build_of(service)
    if found.step == DemoBuild.Step.DONE:
        raise RuleViolation("DEMO", "a synthetic demo service is already loaded")
    return found


def refresh_statistics() -> None:
    """After a bulk load, let the database's query planner see the new table sizes (as an
    ANALYZE after any large import); otherwise it plans for empty tables until autovacuum
    catches up, and reads whole history tables to show one client."""
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _start(*, clients: int, seed: int, history_days: int) -> DemoBuild:
    """The service, its teams and colleagues, and the note of how far the build has come."""
    rng = random.Random(seed)
    service = access.create_service(
        actor=None,
        given=access.CreateServiceInput(
            code=SERVICE_CODE,
            name="Northbrook Recovery Service",
            phone="01632 960000",  # Ofcom's range reserved for drama
            email="northbrook@example.org",
            address="1 Example Street, Northbrook (synthetic demo data)",
            is_synthetic=True,
        ),
    )
    teams = [
        access.create_team(
            actor=None,
            service=service,
            given=access.CreateTeamInput(
                code=f"nb-{name.lower().replace(' ', '-')}",
                name=name,
                phone=f"01632 96{index + 1:04d}",
            ),
        )
        for index, name in enumerate(team_names(clients))
    ]
    personas = _personas(service, teams)
    _bulk_keyworkers(rng, teams, clients, len([p for p in personas if p.is_practitioner]))
    return DemoBuild.objects.create(
        service=service, clients=clients, seed=seed, history_days=history_days
    )


@dataclass
class _Service:
    """What every chunk of the build works with, read from the database (so that a build
    carried on works with what the first run wrote)."""

    teams: list[Team]
    by_team: dict[int, list[Worker]]
    waiting: int

    @classmethod
    def read(cls, made: DemoBuild) -> _Service:
        teams = list(Team.objects.filter(service=made.service).order_by("pk"))
        by_team: dict[int, list[Worker]] = {t.pk: [] for t in teams}
        workers = Worker.objects.filter(team__in=teams).select_related("user").order_by("pk")
        for worker in workers:
            if worker.is_practitioner:
                by_team[worker.team_id].append(worker)  # type: ignore[index]
        waiting = min(demo_definitions.WAITING_PER_TEAM * len(teams), made.clients // 20)
        return cls(teams, by_team, waiting)


def _carry_on(made: DemoBuild, progress: Progress) -> None:
    """Write what is left to write, a committed chunk at a time."""
    service = _Service.read(made)
    if made.step == DemoBuild.Step.CLIENTS:
        _clients(made, service, progress)
    if made.step == DemoBuild.Step.TEAMS:
        _each_team(made, service, _team_chunk, "teams' groups, discharges and treatment", progress)
        with bulk_write():
            _step(made, DemoBuild.Step.OUTCOMES)
    if made.step == DemoBuild.Step.OUTCOMES:
        _outcomes(made, progress)
    if made.step == DemoBuild.Step.FINISH:
        _each_team(made, service, _finish_chunk, "teams' check-ups and worked cases", progress)
        with bulk_write():
            made.finished_at = timezone.now()
            _step(made, DemoBuild.Step.DONE, "finished_at")


def _each_team(
    made: DemoBuild,
    service: _Service,
    work: Callable[[DemoBuild, int, _Service], int],
    label: str,
    progress: Progress,
) -> None:
    """A step written a team at a time (each team's work goes through the actions, the rules
    and the audit as a keyworker's would), teams side by side on PostgreSQL."""
    starts = [(n, service) for n in range(len(service.teams))]
    chunks.run(made, made.step, starts, work, total=len(starts), label=label, progress=progress)


def _team_chunk(made: DemoBuild, n: int, service: _Service) -> int:
    """The nth team's groups, discharges and treatment, by its lead (none without one)."""
    team, workers = service.teams[n], service.by_team[service.teams[n].pk]
    lead = demo_groups.lead_of(workers)
    if lead is not None:
        rng = random.Random(f"{made.seed}:teams:{n}")
        demo_groups.write_groups(rng, team, lead, workers)
        demo_groups.write_reintegration(rng, team, lead)
        demo_treatment.write_treatment(rng, team, lead, workers)
    return 1


def _finish_chunk(made: DemoBuild, n: int, service: _Service) -> int:
    """The nth team's recovery check-ups, clients waiting for triage and worked cases, by
    its lead (none without one)."""
    team = service.teams[n]
    lead = demo_groups.lead_of(service.by_team[team.pk])
    if lead is not None:
        rng = random.Random(f"{made.seed}:finish:{n}")
        demo_outcomes.write_checkups(rng, team, lead)
        waiting = range(n, service.waiting, len(service.teams))
        demo_definitions.write_definitions(rng, team, lead, waiting=waiting)
        demo_capital.write_maps(random.Random(f"{made.seed}:maps:{n}"), team, lead)
    return 1


def _step(made: DemoBuild, step: str, *fields: str) -> None:
    made.step = step
    made.save(update_fields=["step", *fields])


def _report(service: Service) -> DemoReport:
    return DemoReport(
        created=True,
        service=service,
        clients=Client.objects.filter(registered_service=service).count(),
        workers=Worker.objects.filter(service=service).count() + 1,  # and the administrator
        teams=Team.objects.filter(service=service).count(),
        logins=logins(),
    )


def _personas(service: Service, teams: list[Team]) -> list[Worker]:
    day = today()
    workers: list[Worker] = []
    for p in PERSONAS:
        team = teams[p.team] if p.team is not None else None
        worker = access.add_worker(
            actor=None,
            given=access.AddWorkerInput(
                username=p.username,
                first_name=p.first,
                last_name=p.last,
                role=p.role,
                password=DEMO_PASSWORD,
                email=f"{p.username}@example.org",
                service=service if p.role != Role.ADMINISTRATOR else None,
                team=team,
                job_title=p.title,
                profession=p.profession,
                phone="07700 900" + f"{len(workers) + 100:03d}",
            ),
        )
        for code in p.trained_in:
            access.record_training(
                actor=None,
                worker=worker,
                given=access.RecordTrainingInput(
                    intervention=Entry.objects.get(code=code),
                    trained_on=day - dt.timedelta(days=400),
                    training="Accredited course (synthetic)",
                ),
            )
        if p.supervised_days_ago is not None:
            # every six weeks through the history, the latest `supervised_days_ago`
            for back in range(p.supervised_days_ago, HISTORY_REACH, SUPERVISION_EVERY):
                access.record_supervision(
                    actor=None,
                    worker=worker,
                    given=access.RecordSupervisionInput(
                        held_on=day - dt.timedelta(days=back), supervisor="Carys Pritchard"
                    ),
                )
        if p.registration:
            body, number, codes = p.registration
            access.record_registration(
                actor=None,
                worker=worker,
                given=access.RecordRegistrationInput(
                    body=body,
                    number=number,
                    valid_from=day - dt.timedelta(days=HISTORY_REACH),
                    expires_on=day + dt.timedelta(days=300),
                    interventions=list(Entry.objects.filter(code__in=codes)),
                ),
            )
        workers.append(worker)
    second_factor.give(workers)
    return workers


def _bulk_keyworkers(
    rng: random.Random, teams: list[Team], clients: int, already: int
) -> list[Worker]:
    """Colleagues who hold the rest of the caseload; they cannot log in."""
    count = max(0, math.ceil(clients / CLIENTS_PER_KEYWORKER) - already)
    users = []
    for n in range(count):
        user = User(
            username=f"demo.kw{n + 1:04d}",
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            email=f"demo.kw{n + 1:04d}@example.org",
        )
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users, batch_size=BATCH)
    workers = Worker.objects.bulk_create(
        [
            Worker(
                user=user,
                role=Role.KEYWORKER,
                service_id=teams[n % len(teams)].service_id,
                team=teams[n % len(teams)],
                job_title=BULK_PROFESSIONS[n % len(BULK_PROFESSIONS)][1],
                profession=BULK_PROFESSIONS[n % len(BULK_PROFESSIONS)][0],
                phone=f"07700 900{(n % 800) + 200:03d}",
                email=user.email,
            )
            for n, user in enumerate(users)
        ],
        batch_size=BATCH,
    )
    for worker, user in zip(workers, users, strict=True):
        worker.user = user
    _bulk_competence(rng, workers)
    return workers


def _bulk_competence(rng: random.Random, workers: list[Worker]) -> None:
    keywork_plus = list(Entry.objects.offered().filter(tier__code="keywork_plus", parent=None))
    day = today()
    trainings, supervisions = [], []
    for worker in workers:
        for entry in rng.sample(keywork_plus, k=rng.choice((0, 0, 1, 1, 2, 3))):
            trainings.append(
                Competency(
                    worker=worker,
                    intervention=entry,
                    trained_on=day - dt.timedelta(days=rng.randint(60, 1500)),
                    training="Accredited course (synthetic)",
                )
            )
        held = day - dt.timedelta(days=rng.choice((7, 21, 35, 49, 70, 120)))
        supervisions.append(
            Supervision(
                worker=worker,
                held_on=held,
                lapses_on=held + dt.timedelta(days=56),
                supervisor="Carys Pritchard",
            )
        )
    Competency.objects.bulk_create(trainings, batch_size=BATCH)
    Supervision.objects.bulk_create(supervisions, batch_size=BATCH)


@dataclass
class _Context:
    """What writing a chunk of clients reads once: the catalogue, who is competent in what,
    and the teams' keyworkers."""

    service: _Service
    phases: dict[str, Phase]
    substances: dict[str, Entry]
    line: list[Phase]
    catalogue: demo_sessions.Catalogue
    competence: demo_sessions.Competence

    @classmethod
    def read(cls, service: _Service) -> _Context:
        phases = {p.code: p for p in Phase.objects.all()}
        return cls(
            service,
            phases,
            {e.code: e for e in Entry.objects.offered().filter(kind=Entry.Kind.SUBSTANCE)},
            [p for p in sorted(phases.values(), key=lambda p: p.order) if p.in_sequence],
            demo_sessions.Catalogue.load(),
            demo_sessions.Competence.load(),
        )


def _clients(made: DemoBuild, service: _Service, progress: Progress) -> None:
    """The clients with their histories, a committed chunk at a time; each chunk draws from
    its own random numbers, so a build carried on writes what one run would have."""
    total = made.clients - service.waiting
    context = _Context.read(service)
    starts = [(start, context) for start in range(0, total, BATCH)]
    chunks.run(
        made,
        DemoBuild.Step.CLIENTS,
        starts,
        _client_chunk,
        total=total,
        label="clients",
        progress=progress,
    )
    with bulk_write():
        _step(made, DemoBuild.Step.TEAMS)


def _client_chunk(made: DemoBuild, start: int, context: _Context) -> int:
    rng = random.Random(f"{made.seed}:clients:{start}")
    size = min(BATCH, made.clients - context.service.waiting - start)
    day, by_team = today(), context.service.by_team
    plans = [
        _plan(rng, start + i, context.service.teams, by_team, context.line, day)
        for i in range(size)
    ]
    episodes, registered = _write_batch(plans, context.phases, context.substances)
    demo_sessions.write_sessions(
        rng,
        plans,
        episodes,
        context.phases,
        by_team,
        context.catalogue,
        context.competence,
        made.history_days,
    )
    demo_plans.write_plans(rng, plans, episodes, day)
    chain.append(registered)  # last: the trail's head is held from here to the commit
    return size
    chain.append(registered)  # kept back, with every row the chunk audits, to its end


def _outcomes(made: DemoBuild, progress: Progress) -> None:
    """Every episode's outcome profiles, a committed chunk of episodes at a time."""
    ids = list(demo_outcomes.episodes_with_outcomes(made.service).values_list("pk", flat=True))
    starts = [(ids[i], ids[i : i + BATCH][-1]) for i in range(0, len(ids), BATCH)]
    chunks.run(
        made,
        DemoBuild.Step.OUTCOMES,
        starts,
        _outcome_chunk,
        total=len(ids),
        label="episodes' outcome profiles and recovery checks",
        progress=progress,
    )
    with bulk_write():
        _step(made, DemoBuild.Step.FINISH)


def _outcome_chunk(made: DemoBuild, first: int, last: int) -> int:
    episodes = demo_outcomes.episodes_with_outcomes(made.service)
    chunk = list(episodes.filter(pk__gte=first, pk__lte=last))
    demo_outcomes.write_outcomes(random.Random(f"{made.seed}:outcomes:{first}"), chunk)
    demo_capital.write_checks(random.Random(f"{made.seed}:capital:{first}"), chunk)
    return len(chunk)


@dataclass
class _ClientPlan:
    client: Client
    team: Team
    referral: dt.date
    source: str
    keyworkers: list[tuple[Worker, dt.date]]  # in order; the last is current
    moves: list[tuple[str, dt.date, str]]  # phase code, date, reason
    substances: tuple[tuple[str, str], ...]  # code, route
    first_use_age: int
    # A few clients in every team: their keyworker away for a long spell, one colleague
    # covering; or sessions that stay on practical matters, with no psychosocial focus.
    covered: bool = False
    practical: bool = False


CONTACTS = ("phone", "text", "text", "letter", "email")


MOST_CLIENTS = 900_000  # synthetic NHS numbers the 999 range holds, as numbered below


def synthetic_nhs_number(n: int) -> str:
    """A valid NHS number from the 999 range, which is never issued to a person (each demo
    client's own, from its number up to MOST_CLIENTS): the numbers come ten at a time
    (999, five digits, one more), of which at most one has no check digit; the client takes
    the (n mod 9)th of the ninth-of-n'th ten that have one."""
    tens, place = divmod(n, 9)
    for last in range(10):
        digits = f"999{tens % 100_000:05d}{last}"
        check = nhs_check_digit(digits)
        if check is not None:
            if place == 0:
                return digits + str(check)
            place -= 1
    raise AssertionError("unreachable: nine of every ten numbers have a check digit")


STREETS = ("Mill Lane", "Station Road", "Church Street", "Victoria Terrace", "Park View")
KIN = ("mother", "sister", "brother", "partner", "friend", "father")


def contact_details(rng: random.Random, n: int, family_name: str) -> dict[str, object]:
    """Where a synthetic client lives and who to call in an emergency: a made-up street in
    the made-up town of Northbrook (postcode area NB, which no real place has)."""
    district = f"NB{rng.randint(1, 9)}"
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return {
        "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}\nNorthbrook",
        "postcode": f"{district} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}",
        "postcode_district": district,
        "next_of_kin": f"{rng.choice(FIRST)} {family_name} ({rng.choice(KIN)})",
        "next_of_kin_phone": f"07700 900{(n * 7) % 1000:03d}",
        "consents_to_sharing": rng.random() < 0.8,
    }


def _plan(
    rng: random.Random,
    n: int,
    teams: list[Team],
    by_team: dict[int, list[Worker]],
    line: list[Phase],
    day: dt.date,
) -> _ClientPlan:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    referral = day - dt.timedelta(days=rng.randint(14, 720))
    age_days = rng.randint(18 * 365 + 30, 68 * 365)  # at referral: an adult service
    client = Client(
        local_id=f"DEMO-{n + 1:06d}",
        given_name=first,
        family_name=last,
        date_of_birth=referral - dt.timedelta(days=age_days),
        sex=rng.choice((Sex.MALE, Sex.MALE, Sex.FEMALE, Sex.NOT_STATED)),
        phone=f"07700 900{rng.randint(0, 999):03d}",
        gp_practice=f"{rng.choice(LAST)} Medical Practice",
        **contact_details(rng, n, last),
        nhs_number=synthetic_nhs_number(n),
        contact_by=CONTACTS[n % len(CONTACTS)],
        consents_to_national_reporting=rng.random() < 0.92,
        is_synthetic=True,
    )
    team = teams[n % len(teams)]
    client.registered_team, client.registered_service_id = team, team.service_id
    client.consent_recorded_on = client.sharing_consent_on = referral
    target = rng.choices(PHASE_CODES, PHASE_WEIGHTS)[0]
    steps = [p.code for p in line[: [p.code for p in line].index(target) + 1]]
    if len(steps) >= 3 and rng.random() < 0.15:  # a relapse: back one phase, then on again
        steps = [*steps[:-1], steps[-3], steps[-2], steps[-1]]
    span = (day - referral).days
    moves = []
    for i, code in enumerate(steps):
        when = referral + dt.timedelta(days=span * i // (len(steps) + 1))
        previous = steps[i - 1] if i else None
        moved_back = previous is not None and [p.code for p in line].index(code) < [
            p.code for p in line
        ].index(previous)
        reason = (
            "Start of treatment"
            if i == 0
            else "Relapse: back to consolidate"
            if moved_back
            else "Review: ready to move on"
        )
        moves.append((code, when, reason))
    pool = by_team[team.pk]
    place = n // len(teams)  # the client's place in their team: caseloads shared in turn
    turn, seat = divmod(place, len(pool))  # the round of sharing, and whose caseload
    keyworkers = [(pool[seat], referral)]
    if len(pool) > 1 and rng.random() < 0.12:
        others = [w for w in pool if w is not keyworkers[0][0]]
        keyworkers.append((rng.choice(others), referral + dt.timedelta(days=max(1, span // 2))))
    presentations, weights = zip(*PRESENTATIONS, strict=True)
    substances = rng.choices(presentations, weights)[0]
    age = age_days // 365
    first_use = rng.randint(13, min(age, 30))
    return _ClientPlan(
        client,
        team,
        referral,
        rng.choice(REFERRAL_SOURCES),
        keyworkers,
        moves,
        substances,
        first_use,
        # One client in 16 covered and one in 12 on practical matters, in each keyworker's
        # caseload alike: by the client's place alone, they fell to the same keyworkers in
        # every round (half of one keyworker's caseload covered, in a team of eight).
        covered=(turn + seat) % 16 == 2,
        practical=(turn + seat) % 12 == 4,
    )


def _write_batch(
    plans: list[_ClientPlan], phases: dict[str, Phase], substances: dict[str, Entry]
) -> tuple[list[Episode], list[AuditEvent]]:
    """The clients and their episodes, with their audit rows (for the caller to append)."""
    insert(Client, [p.client for p in plans])
    episodes = [
        new(
            Episode,
            client=p.client,
            service_id=p.team.service_id,
            team=p.team,
            referral_date=p.referral,
            referral_source=p.source,
            triage_date=p.referral,
            care_plan_start_date=p.moves[0][1] + dt.timedelta(days=7),
            injecting_status=(
                InjectingStatus.CURRENTLY
                if any(route == Route.INJECT for _, route in p.substances)
                else InjectingStatus.NEVER
            ),
            phase=phases[p.moves[-1][0]],
            keyworker=p.keyworkers[-1][0],
        )
        for p in plans
    ]
    insert(Episode, episodes)
    allocations, changes, events, uses = [], [], [], []
    for plan, episode in zip(plans, episodes, strict=True):
        for rank, (code, route) in enumerate(plan.substances, start=1):
            uses.append(
                new(
                    ProblemSubstance,
                    episode=episode,
                    rank=rank,
                    substance=substances[code],
                    route=route,
                    age_first_used=plan.first_use_age if rank == 1 else None,
                )
            )
        for i, (worker, since) in enumerate(plan.keyworkers):
            ended = plan.keyworkers[i + 1][1] if i + 1 < len(plan.keyworkers) else None
            reason = "First keyworker" if i == 0 else "Caseload balancing"
            allocations.append(
                new(
                    Allocation,
                    episode=episode,
                    worker=worker,
                    started_on=since,
                    ended_on=ended,
                    reason=reason,
                )
            )
        previous = None
        for code, when, reason in plan.moves:
            changes.append(
                new(
                    PhaseChange,
                    episode=episode,
                    from_phase=previous,
                    to_phase=phases[code],
                    changed_on=when,
                    reason=reason,
                )
            )
            previous = phases[code]
        events.append(
            new(
                AuditEvent,
                actor_label="system",
                verb=AuditEvent.Verb.CREATE,
                what="demo: register_client",
                client=plan.client,
                object_type="clients.client",
                object_id=str(plan.client.pk),
                channel="command",
                detail={"synthetic": True},
            )
        )
    insert(Allocation, allocations, keys=False)
    insert(PhaseChange, changes, keys=False)
    insert(ProblemSubstance, uses, keys=False)
    return episodes, events

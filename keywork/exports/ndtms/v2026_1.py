"""The national return, dataset version 2026.1: five record types in one CSV file.

- CLT, a client: agency, client id, consent, initials, date of birth, sex, postcode district.
  A client without consent to national reporting contributes this record only, with
  agency, client id and the consent value, and nothing else.
- EPI, an episode open on some day of the month: referral, triage, care-plan start,
  injecting status, up to three problem substances, discharge and exit reason.
- INT, an intervention open on some day of the month: structured psychosocial, other
  structured treatment, a structured setting, recovery support, or a prescription.
- SUB, a sub-intervention: the national psychosocial definition or the recovery-support
  type under its intervention; under a prescription, each dose in force in the month with
  its regime, methadone and buprenorphine daily doses and supervision.
- TOP, an outcome profile taken in the month.

Keys are stable: the client id, then E1, E2... for the client's episodes by referral date,
then I1... (interventions), P1... (prescriptions), T1... (outcome profiles) within the
episode, S1 or D1... within an intervention. Dates are DD/MM/YYYY."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat

from keywork.access.models import Service
from keywork.checkups.models import CheckUp
from keywork.checkups.models import Status as CheckUpStatus
from keywork.clients.models import COMPLETED, Client, Episode, ProblemSubstance
from keywork.core.dates import age_on, uk
from keywork.exports.ndtms.dataset import (
    Dataset,
    Item,
    Month,
    Problem,
    Record,
    Row,
    coded,
    required,
)
from keywork.interventions.models import Intervention
from keywork.outcomes.models import SUBSTANCES, OutcomeProfile
from keywork.prescribing.models import DoseChange, Prescription
from keywork.prescribing.rules import supervision_asked

ADULT = 18
SEX = {"male": "1", "female": "2", "indeterminate": "9", "not_stated": "X"}
REFERRAL_SOURCE = {
    "self": "SE",
    "gp": "GP",
    "criminal justice": "CJ",
    "hospital": "HO",
    "social care": "SC",
    "other service": "OS",
    "recovery check-up": "RC",
}
INJECTING = {"never": "N", "previously": "P", "currently": "C", "declined": "D"}
ROUTE = {"inject": "1", "smoke": "2", "oral": "3", "sniff": "4", "other": "5"}
SUBSTANCE = {
    "sub.heroin": "0101",
    "sub.methadone-illicit": "0102",
    "sub.buprenorphine-illicit": "0103",
    "sub.other-opioids": "0199",
    "sub.crack": "0201",
    "sub.cocaine": "0202",
    "sub.amphetamines": "0203",
    "sub.mdma": "0204",
    "sub.cannabis": "0301",
    "sub.benzodiazepines": "0401",
    "sub.ghb-gbl": "0501",
    "sub.gabapentinoids": "0601",
    "sub.ketamine": "0701",
    "sub.hallucinogens": "0702",
    "sub.new-psychoactive": "0703",
    "sub.solvents": "0704",
    "sub.steroids": "0705",
    "sub.other-drug": "0799",
    "sub.alcohol": "1000",
}
EXIT_REASON = {
    "completed_drug_free": "80",
    "completed_alcohol_free": "81",
    "completed_occasional": "82",
    "transferred": "83",
    "transferred_custody": "84",
    "dropped_out": "85",
    "withdrawn_by_provider": "86",
    "declined": "87",
    "not_appropriate": "88",
    "moved_away": "89",
    "died": "90",
}
# The intervention's national group, or for structured settings its definition. Only these
# groups are returned: what the catalogue holds beyond the national definitions (testing for
# blood-borne viruses, physical health, mutual aid attended) is kept but not returned.
RETURNED_GROUPS = (
    "structured_psychosocial",
    "other_structured",
    "structured_setting",
    "recovery_support",
)
INTERVENTION_TYPE = {
    "structured_psychosocial": "PSY",
    "other_structured": "OTH",
    "nat.structured-day-programme": "SDP",
    "nat.residential-rehabilitation": "RES",
    "nat.inpatient-treatment": "INP",
    "recovery_support": "RS",
    "relapse_prevention_prescribing": "RPP",
    "prescribing": "PHARM",
}
SUB_INTERVENTION = {
    "nat.psy.motivational": "MOT",
    "nat.psy.contingency-management": "CM",
    "nat.psy.family-social-network": "FSN",
    "nat.psy.cbt-relapse-prevention": "CBT",
    "nat.psy.coexisting-mental-health": "CMH",
    "nat.psy.psychodynamic": "PDT",
    "nat.psy.twelve-step": "12S",
    "nat.psy.counselling": "CNS",
    "rs.peer-support": "PEER",
    "rs.mutual-aid": "MAID",
    "rs.family-support": "FAM",
    "rs.parenting-support": "PAR",
    "rs.housing-support": "HOU",
    "rs.employment-support": "EMP",
    "rs.education-training-support": "EDU",
    "rs.supported-work": "SWK",
    "rs.recovery-check-ups": "RCU",
    "rs.relapse-prevention-psychosocial": "RPS",
    "rs.complementary-therapies": "CTH",
    "rs.mental-health": "MHI",
    "rs.smoking-cessation": "SMK",
    "rs.domestic-abuse-support": "DAS",
    # a prescription's regime
    "assessment_stabilisation": "AS",
    "withdrawal": "WD",
    "maintenance": "MN",
    "relapse_prevention": "RP",
    "treatment": "TR",
}
SETTING = {
    "community": "1",
    "residential": "2",
    "inpatient": "3",
    "prison": "4",
    "primary_care": "5",
    "recovery": "6",
}
INTERVENTION_EXIT = {"planned": "1", "unplanned": "2", "withdrawn": "3"}
SUPERVISION = {"supervised": "1", "unsupervised": "2", "not_applicable": "99"}
STAGE = {"start": "S", "review": "R", "exit": "E"}
TOP_SUBSTANCE = {
    "alcohol": "ALC",
    "opiates": "OPI",
    "crack": "CRK",
    "cocaine": "COC",
    "amphetamines": "AMP",
    "cannabis": "CAN",
    "other": "OTH",
}
TOP_ITEMS = (
    ("IVDAYS", "injecting_days", "Days injected"),
    ("SHARING", "shared_equipment", "Shared injecting equipment"),
    ("SHOPDAYS", "shoplifting_days", "Days shoplifting"),
    ("SELLDAYS", "selling_drugs_days", "Days selling drugs"),
    ("THEFT", "other_theft", "Other theft"),
    ("ASSAULT", "assault_or_violence", "Assault or violence"),
    ("PSYCH", "psychological_health", "Psychological health rating"),
    ("PHYS", "physical_health", "Physical health rating"),
    ("QOL", "quality_of_life", "Quality of life rating"),
    ("WORKDAYS", "paid_work_days", "Days of paid work"),
    ("EDUDAYS", "education_days", "Days at college or school"),
    ("HOUSING", "acute_housing_problem", "Acute housing problem"),
    ("EVICTION", "at_risk_of_eviction", "At risk of eviction"),
)

AGENCY = Item("AGNCY", "Agency code", required=True)
CLIENT_ID = Item("CLIENTID", "Client id", required=True)
EPISODE_ID = Item("EPISODID", "Episode id", required=True)
INTERVENTION_ID = Item("INTID", "Intervention id", required=True)

CLIENT = Record(
    "CLT",
    "client",
    "CLIENTID",
    (
        AGENCY,
        CLIENT_ID,
        Item("CONSENT", "Consent to national reporting", required=True),
        Item("FINITIAL", "First initial", required=True),
        Item("SINITIAL", "Surname initial", required=True),
        Item("DOB", "Date of birth", required=True),
        Item("SEX", "Sex", required=True, codes=SEX),
        Item("PC", "Postcode district", required=True),
    ),
)
EPISODE = Record(
    "EPI",
    "episode",
    "EPISODID",
    (
        AGENCY,
        CLIENT_ID,
        EPISODE_ID,
        Item("REFLD", "Referral date", required=True),
        Item("RFLS", "Referral source", required=True, codes=REFERRAL_SOURCE),
        Item("TRIAGED", "Triage date"),
        Item("CPLANDT", "Care-plan start date"),
        Item("INJSTAT", "Injecting status", required=True, codes=INJECTING),
        Item("DRUG1", "First problem substance", required=True, codes=SUBSTANCE),
        Item("ROUTE1", "Route of the first problem substance", required=True, codes=ROUTE),
        Item("AGEFU1", "Age first used the first problem substance"),
        Item("DRUG2", "Second problem substance", codes=SUBSTANCE),
        Item("ROUTE2", "Route of the second problem substance", codes=ROUTE),
        Item("DRUG3", "Third problem substance", codes=SUBSTANCE),
        Item("ROUTE3", "Route of the third problem substance", codes=ROUTE),
        Item("DISD", "Discharge date"),
        Item("DISRSN", "Discharge reason", codes=EXIT_REASON),
    ),
)
INTERVENTION = Record(
    "INT",
    "intervention",
    "INTID",
    (
        AGENCY,
        CLIENT_ID,
        EPISODE_ID,
        INTERVENTION_ID,
        Item("INTTYPE", "Intervention type", required=True, codes=INTERVENTION_TYPE),
        Item("SETTING", "Setting", required=True, codes=SETTING),
        Item("INTSTART", "Intervention start date", required=True),
        Item("INTEND", "Intervention end date"),
        Item("INTEXIT", "Intervention exit", codes=INTERVENTION_EXIT),
        Item("PLANSESS", "Planned sessions"),
        Item("SESSDEL", "Sessions delivered"),
    ),
)
SUB = Record(
    "SUB",
    "sub-intervention",
    "SUBID",
    (
        AGENCY,
        CLIENT_ID,
        EPISODE_ID,
        INTERVENTION_ID,
        Item("SUBID", "Sub-intervention id", required=True),
        Item("SUBTYPE", "Sub-intervention type", required=True, codes=SUB_INTERVENTION),
        Item("SUBSTART", "Sub-intervention start date", required=True),
        Item("METHDOSE", "Daily dose of oral methadone (ml of 1 mg/ml)"),
        Item("BUPDOSE", "Daily dose of oral buprenorphine (mg)"),
        Item("OSTSUP", "Supervised consumption", codes=SUPERVISION),
    ),
)
TOP = Record(
    "TOP",
    "outcome profile",
    "TOPID",
    (
        AGENCY,
        CLIENT_ID,
        EPISODE_ID,
        Item("TOPID", "Outcome profile id", required=True),
        Item("TOPDATE", "Date taken", required=True),
        Item("TOPSTAGE", "Stage", required=True, codes=STAGE),
        *[
            item
            for group, code in TOP_SUBSTANCE.items()
            for item in (
                Item(f"{code}DAYS", f"Days used {SUBSTANCES[group][0].lower()}", required=True),
                Item(f"{code}AMT", f"Amount on a day of use, {SUBSTANCES[group][0].lower()}"),
            )
        ],
        *[Item(code, label, required=True) for code, _, label in TOP_ITEMS],
    ),
)


# The order prescriptions are written in, and their doses read in (the same, to go together).
PRESCRIPTIONS_IN_ORDER = ("episode__client__local_id", "episode__referral_date", "started_on", "pk")


def prescribed_in(month: Month, episodes: QuerySet[Episode]) -> QuerySet[Prescription]:
    """The episodes' prescriptions in force on some day of the month, not in error."""
    return Prescription.objects.filter(
        episode__in=episodes, entered_in_error_at=None, started_on__lte=month.last
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=month.first))


def _sub(base: Row, key: str, definition: str, started: Any) -> tuple[Record, Row]:
    """The one sub-intervention of a psychosocial or recovery-support intervention: its
    national definition."""
    return SUB, base | {
        "INTID": key,
        "SUBID": f"{key}-S1",
        "SUBTYPE": definition,
        "SUBSTART": started,
    }


def _after_completion(month: Month) -> QuerySet[Intervention]:
    """Interventions seed 003 says are delivered following successful completion, open on
    some day of the month."""
    return Intervention.objects.filter(
        entered_in_error_at=None,
        started_on__lte=month.last,
        entry__attributes__after_completion=True,
        episode__exit_reason__in=COMPLETED,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=month.first))


def _post_treatment(month: Month) -> QuerySet[Prescription]:
    """Relapse-prevention prescribing started on or after a successful completion, in force
    on some day of the month."""
    return Prescription.objects.filter(
        entered_in_error_at=None,
        started_on__lte=month.last,
        started_on__gte=F("episode__discharged_on"),
        episode__exit_reason__in=COMPLETED,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=month.first))


def _checkups(month: Month) -> QuerySet[Any, Any]:
    """Each completed episode's check-ups as one agreement running in the month: first due,
    last made, how many still due and how many made (one row an episode)."""
    live = CheckUp.objects.filter(entered_in_error_at=None).exclude(status=CheckUpStatus.CANCELLED)
    return (
        live.order_by()
        .values("episode")
        .annotate(
            first=Min("due_on"),
            last=Max("done_on"),
            pending=Count("pk", filter=Q(status=CheckUpStatus.DUE)),
            made=Count("pk", filter=Q(status=CheckUpStatus.CONTACT_MADE)),
        )
        .filter(first__lte=month.last)
        .filter(Q(pending__gt=0) | Q(last__gte=month.first))
    )


def ordinal(model: type[Model], within: str, by: str, via: str = "") -> Subquery:
    """A stable number for each row within its parent: 1 for the first by (`by`, pk), 2
    for the next, counting rows entered in error too so that no number moves."""
    here = {f: OuterRef(f"{via}{f}") for f in (within, by)}
    earlier = model._default_manager.filter(**{within: here[within]}).filter(
        Q(**{f"{by}__lt": here[by]}) | Q(**{by: here[by], "pk__lte": OuterRef(f"{via}pk")})
    )
    return Subquery(
        earlier.order_by().values(within).annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )


def _key(*parts: Any) -> Concat:
    return Concat(*parts, output_field=CharField())


def episode_key(via: str = "") -> Concat:
    """CLIENTID-E<n>, from any model that reaches the episode through `via`."""
    return _key(
        F(f"{via}client__local_id"),
        Value("-E"),
        ordinal(Episode, "client", "referral_date", via=via),
    )


class Version2026_1(Dataset):
    version = "2026.1"
    date_format = "%d/%m/%Y"
    records: tuple[Record, ...] = (CLIENT, EPISODE, INTERVENTION, SUB, TOP)
    client_record = CLIENT

    def episodes(self, month: Month, service: Service) -> QuerySet[Episode]:
        """Open on some day of the month, or completed before it with support after the
        completion in the month (rule 12: relapse prevention, mental health support,
        relapse-prevention prescribing, recovery check-ups)."""
        after = (
            Exists(_after_completion(month).filter(episode=OuterRef("pk")))
            | Q(pk__in=_checkups(month).values("episode"))
            | Exists(_post_treatment(month).filter(episode=OuterRef("pk")))
        )
        return Episode.objects.filter(service=service, referral_date__lte=month.last).filter(
            Q(discharged_on__isnull=True)
            | Q(discharged_on__gte=month.first)
            | (Q(exit_reason__in=COMPLETED) & after)
        )

    def rows(self, month: Month, service: Service) -> Iterator[tuple[Record, Row]]:
        episodes = self.episodes(month, service)
        consented = episodes.filter(client__consents_to_national_reporting=True)
        yield from self._clients(episodes, service)
        yield from self._episodes(consented, service)
        yield from self._interventions(month, consented, service)
        yield from self._prescriptions(month, consented, service)
        yield from self._checkups(month, consented, service)
        yield from self._profiles(month, consented, service)

    def _clients(
        self, episodes: QuerySet[Episode], service: Service
    ) -> Iterator[tuple[Record, Row]]:
        found = (
            Client.objects.filter(Exists(episodes.filter(client=OuterRef("pk"))))
            .order_by("local_id")
            .values_list(
                "local_id",
                "consents_to_national_reporting",
                "given_name",
                "family_name",
                "date_of_birth",
                "sex",
                "postcode_district",
            )
        )
        for local_id, consent, given, family, born, sex, district in found.iterator(2000):
            row: Row = {"AGNCY": service.code, "CLIENTID": local_id, "CONSENT": consent}
            if consent:
                row |= {
                    "FINITIAL": given[:1].upper(),
                    "SINITIAL": family[:1].upper(),
                    "DOB": born,
                    "SEX": sex,
                    "PC": district,
                }
            yield CLIENT, row

    def _episodes(
        self, episodes: QuerySet[Episode], service: Service
    ) -> Iterator[tuple[Record, Row]]:
        def substance(rank: int, field: str) -> Subquery:
            """One at most (one_substance_per_rank): unordered, where the model's ordering
            would join the episode again to sort what is already one row."""
            return Subquery(
                ProblemSubstance.objects.filter(episode=OuterRef("pk"), rank=rank)
                .order_by()
                .values(field)[:1]
            )

        found = (
            episodes.annotate(
                key=episode_key(),
                drug1=substance(1, "substance__code"),
                route1=substance(1, "route"),
                age1=substance(1, "age_first_used"),
                drug2=substance(2, "substance__code"),
                route2=substance(2, "route"),
                drug3=substance(3, "substance__code"),
                route3=substance(3, "route"),
            )
            .order_by("client__local_id", "referral_date", "pk")
            .values_list(
                "client__local_id",
                "key",
                "referral_date",
                "referral_source",
                "triage_date",
                "care_plan_start_date",
                "injecting_status",
                "drug1",
                "route1",
                "age1",
                "drug2",
                "route2",
                "drug3",
                "route3",
                "discharged_on",
                "exit_reason",
                "client__date_of_birth",
            )
        )
        for row in found.iterator(2000):
            (local_id, key, referred, source, triaged, planned, injecting) = row[:7]
            yield (
                EPISODE,
                {
                    "AGNCY": service.code,
                    "CLIENTID": local_id,
                    "EPISODID": key,
                    "REFLD": referred,
                    "RFLS": source.strip().lower(),
                    "TRIAGED": triaged,
                    "CPLANDT": planned,
                    "INJSTAT": injecting,
                    "DRUG1": row[7],
                    "ROUTE1": row[8],
                    "AGEFU1": row[9],
                    "DRUG2": row[10],
                    "ROUTE2": row[11],
                    "DRUG3": row[12],
                    "ROUTE3": row[13],
                    "DISD": row[14],
                    "DISRSN": row[15],
                    "_born": row[16],
                },
            )

    def _interventions(
        self, month: Month, episodes: QuerySet[Episode], service: Service
    ) -> Iterator[tuple[Record, Row]]:
        found = (
            Intervention.objects.filter(
                episode__in=episodes, entered_in_error_at=None, started_on__lte=month.last
            )
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=month.first))
            .filter(
                Q(entry__reports_as__group__in=RETURNED_GROUPS)
                | Q(entry__reports_as__isnull=True, entry__group__in=RETURNED_GROUPS)
            )
            .annotate(
                episode_key=episode_key("episode__"),
                n=ordinal(Intervention, "episode", "started_on"),
                delivered=Count("sessions"),
            )
            .order_by("episode__client__local_id", "episode__referral_date", "started_on", "pk")
            .values_list(
                "episode__client__local_id",
                "episode_key",
                "n",
                "entry__code",
                "entry__group",
                "entry__reports_as__code",
                "entry__reports_as__group",
                "entry__attributes",
                "setting",
                "started_on",
                "ended_on",
                "exit",
                "planned_sessions",
                "delivered",
            )
        )
        for local_id, episode, n, code, group, national, national_group, *rest in found.iterator(
            2000
        ):
            attributes, setting, started, ended, exit, planned, delivered = rest
            definition, group = national or code, national_group or group
            # residential and community rehabilitation: returned by where it is delivered
            definition = (attributes or {}).get("settings", {}).get(setting, definition)
            kind = definition if group == "structured_setting" else group
            key = f"{episode}-I{n}"
            base = {"AGNCY": service.code, "CLIENTID": local_id, "EPISODID": episode}
            yield (
                INTERVENTION,
                base
                | {
                    "_after": bool((attributes or {}).get("after_completion")),
                    "INTID": key,
                    "INTTYPE": kind,
                    "SETTING": setting,
                    "INTSTART": started,
                    "INTEND": ended,
                    "INTEXIT": exit,
                    "PLANSESS": planned,
                    "SESSDEL": delivered,
                },
            )
            if group in ("structured_psychosocial", "recovery_support"):
                yield _sub(base, key, definition, started)

    def _prescriptions(
        self, month: Month, episodes: QuerySet[Episode], service: Service
    ) -> Iterator[tuple[Record, Row]]:
        prescriptions = prescribed_in(month, episodes)
        found = (
            prescriptions.annotate(
                episode_key=episode_key("episode__"),
                n=ordinal(Prescription, "episode", "started_on"),
                after=Exists(_post_treatment(month).filter(pk=OuterRef("pk"))),
            )
            .order_by(*PRESCRIPTIONS_IN_ORDER)
            .values_list(
                "pk",
                "episode__client__local_id",
                "episode_key",
                "n",
                "where",
                "started_on",
                "ended_on",
                "after",
                "medication__attributes",
            )
        )
        doses = groupby(self._doses(month, prescriptions), key=itemgetter(0))
        waiting = next(doses, None)  # the doses of the next prescription that has any
        for pk, local_id, episode, n, where, started, ended, after, medicine in found.iterator(
            2000
        ):
            key = f"{episode}-P{n}"
            base = {"AGNCY": service.code, "CLIENTID": local_id, "EPISODID": episode}
            yield (
                INTERVENTION,
                base
                | {
                    "_after": after,
                    "INTID": key,
                    # seed 003: "prescribing for relapse prevention (post structured
                    # treatment only)"; during treatment it is pharmacological
                    "INTTYPE": "relapse_prevention_prescribing" if after else "prescribing",
                    "SETTING": where,
                    "INTSTART": started,
                    "INTEND": ended,
                    # written by versions that carry them (2026.2)
                    "MEDICINE": (medicine or {}).get("medicine"),
                    "PURPOSE": (medicine or {}).get("purpose"),
                },
            )
            if waiting is not None and waiting[0] == pk:
                for _, dose in waiting[1]:
                    yield SUB, base | {"INTID": key, "SUBID": f"{key}-D{dose.pop('_n')}"} | dose
                waiting = next(doses, None)
        if waiting is not None:  # read in the prescriptions' order: none is left over
            raise RuntimeError(f"doses of prescription {waiting[0]} out of order")

    def _checkups(
        self, month: Month, episodes: QuerySet[Episode], service: Service
    ) -> Iterator[tuple[Record, Row]]:
        """Recovery check-ups as the recovery support seed 003 defines ("an agreement for
        periodic contact"): one intervention an episode, from the first check-up due to the
        last one made once none is still due, with the contacts made as its sessions."""
        found = (
            _checkups(month)
            .filter(episode__in=episodes)
            .annotate(episode_key=episode_key("episode__"))
            .order_by("episode__client__local_id", "episode__referral_date", "episode")
            .values_list(
                "episode__client__local_id", "episode_key", "first", "last", "pending", "made"
            )
        )
        for local_id, episode, first, last, pending, made in found.iterator(2000):
            key = f"{episode}-C1"
            base = {"AGNCY": service.code, "CLIENTID": local_id, "EPISODID": episode}
            ended = None if pending else last
            yield (
                INTERVENTION,
                base
                | {
                    "_after": True,
                    "INTID": key,
                    "INTTYPE": "recovery_support",
                    "SETTING": "community",
                    "INTSTART": first,
                    "INTEND": ended,
                    "INTEXIT": "planned" if ended else "",
                    "SESSDEL": made,
                },
            )
            yield _sub(base, key, "rs.recovery-check-ups", first)

    def _doses(
        self, month: Month, prescriptions: QuerySet[Prescription]
    ) -> Iterator[tuple[int, Row]]:
        """Each dose in force on some day of the month, with its prescription's id, read as
        it is written, in the order the prescriptions are (so that memory does not grow with
        the month's doses)."""
        in_force_at_start = (
            DoseChange.objects.filter(
                prescription=OuterRef("prescription"), from_date__lte=month.first
            )
            .order_by("-from_date")
            .values("pk")[:1]
        )
        found = (
            DoseChange.objects.filter(prescription__in=prescriptions, from_date__lte=month.last)
            .filter(Q(from_date__gt=month.first) | Q(pk=Subquery(in_force_at_start)))
            .annotate(n=ordinal(DoseChange, "prescription", "from_date"))
            .order_by(*(f"prescription__{f}" for f in PRESCRIPTIONS_IN_ORDER), "from_date")
            .values_list(
                "prescription_id",
                "n",
                "from_date",
                "reported_dose",
                "supervision",
                "prescription__regime",
                "prescription__medication__attributes",
            )
        )
        for prescription, n, since, reported, supervision, regime, medicine in found.iterator(2000):
            dose_item = (medicine or {}).get("dose_item", "")
            yield (
                prescription,
                {
                    "_n": n,
                    "_medicine": medicine or {},
                    "SUBTYPE": regime,
                    "SUBSTART": since,
                    "METHDOSE": _dose(dose_item, "item.methadone-daily-dose", reported),
                    "BUPDOSE": _dose(dose_item, "item.buprenorphine-daily-dose", reported),
                    "OSTSUP": supervision
                    if supervision_asked(medicine or {})
                    else "not_applicable",
                },
            )

    def _profiles(
        self, month: Month, episodes: QuerySet[Episode], service: Service
    ) -> Iterator[tuple[Record, Row]]:
        fields = [field for _, field, _ in TOP_ITEMS]
        found = (
            OutcomeProfile.objects.filter(
                episode__in=episodes,
                entered_in_error_at=None,
                taken_on__gte=month.first,
                taken_on__lte=month.last,
            )
            .annotate(
                episode_key=episode_key("episode__"),
                n=ordinal(OutcomeProfile, "episode", "taken_on"),
            )
            .order_by("episode__client__local_id", "episode__referral_date", "taken_on", "pk")
            .values_list(
                "episode__client__local_id", "episode_key", "n", "taken_on", "stage", "use", *fields
            )
        )
        for local_id, episode, n, taken, stage, use, *values in found.iterator(2000):
            row: Row = {
                "AGNCY": service.code,
                "CLIENTID": local_id,
                "EPISODID": episode,
                "TOPID": f"{episode}-T{n}",
                "TOPDATE": taken,
                "TOPSTAGE": stage,
            }
            for group, code in TOP_SUBSTANCE.items():
                days, amount = (use or {}).get(group) or (0, None)
                row[f"{code}DAYS"], row[f"{code}AMT"] = days, amount
            for (code, _, _), value in zip(TOP_ITEMS, values, strict=True):
                row[code] = value
            yield TOP, row

    def problems(self, rows: Iterable[tuple[Record, Row]]) -> list[Problem]:
        found: list[Problem] = []
        episodes: dict[str, Row] = {}
        for record, row in rows:
            if record.code == "CLT" and not row.get("CONSENT"):
                found += _no_consent(row)
                continue
            found += [*required(record, row), *coded(record, row)]
            if record.code == "EPI":
                episodes[row["EPISODID"]] = row
                found += _episode(row)
            elif record.code == "INT":
                found += _intervention(row, episodes[row["EPISODID"]])
            found += self.more_problems(record, row)
        return list(dict.fromkeys(found))  # a missing triage date is said once an episode

    def more_problems(self, record: Record, row: Row) -> list[Problem]:
        """A version's own checks of one row."""
        if record is SUB and "_medicine" in row:
            return _doses(row)
        return []


def _no_consent(row: Row) -> list[Problem]:
    if row.get("CONSENT") is not None:
        return []  # refused: agency, client id and consent go, and that is right
    return [
        Problem(
            "CLT",
            row["CLIENTID"],
            "CONSENT",
            "consent to national reporting is not recorded; only agency, client id and "
            "consent are sent until it is",
        )
    ]


def _before(
    record: str, key: str, item: str, what: str, day: Any, other: str, than: Any
) -> list[Problem]:
    if day is None or than is None or day >= than:
        return []
    return [Problem(record, key, item, f"{what} {uk(day)} is before the {other} {uk(than)}")]


def _episode(row: Row) -> list[Problem]:
    key, referred = row["EPISODID"], row["REFLD"]
    found: list[Problem] = []
    age = age_on(row["_born"], referred)
    if age < ADULT:
        found.append(
            Problem(
                "EPI",
                key,
                "DOB",
                f"the client was {age} at referral on {uk(referred)}; the return is for "
                f"adults, {ADULT} or over",
            )
        )
    found += _before(
        "EPI", key, "TRIAGED", "triage date", row["TRIAGED"], "referral date", referred
    )
    found += _before("EPI", key, "DISD", "discharge date", row["DISD"], "referral date", referred)
    found += _before(
        "EPI", key, "DISD", "discharge date", row["DISD"], "triage date", row["TRIAGED"]
    )
    if row["DISD"] is not None and not row["DISRSN"]:
        found.append(
            Problem("EPI", key, "DISRSN", "a discharged episode needs its discharge reason")
        )
    return found


def _intervention(row: Row, episode: Row) -> list[Problem]:
    key, started, ended = row["INTID"], row["INTSTART"], row["INTEND"]
    found = _before(
        "INT", key, "INTSTART", "start date", started, "referral date", episode["REFLD"]
    )
    found += _before(
        "INT", key, "INTSTART", "start date", started, "triage date", episode["TRIAGED"]
    )
    found += _before("INT", key, "INTEND", "end date", ended, "start date", started)
    if row.get("_after"):
        found += _after_completion_problems(row, episode)
    else:
        found += _before("INT", key, "INTEND", "discharge date", episode["DISD"], "end date", ended)
    if episode["TRIAGED"] is None:
        found.append(
            Problem(
                "EPI", episode["EPISODID"], "TRIAGED", "required once an intervention has started"
            )
        )
    if ended is not None and not row.get("INTEXIT") and row["INTTYPE"] != "prescribing":
        found.append(Problem("INT", key, "INTEXIT", "an ended intervention needs its exit"))
    if row["INTTYPE"] == "structured_psychosocial" and row.get("PLANSESS") is None:
        found.append(
            Problem(
                "INT",
                key,
                "PLANSESS",
                "a structured psychosocial intervention has planned sessions",
            )
        )
    return found


def _after_completion_problems(row: Row, episode: Row) -> list[Problem]:
    """Rule 12 read back: support after completion follows a successful completion."""
    if episode["DISRSN"] in COMPLETED:
        return _before(
            "INT",
            row["INTID"],
            "INTSTART",
            "support after completion starting",
            row["INTSTART"],
            "discharge date",
            episode["DISD"],
        )
    return [
        Problem(
            "INT",
            row["INTID"],
            "INTTYPE",
            "support after completion follows a successful completion; this episode has none",
        )
    ]


def _doses(row: Row) -> list[Problem]:
    """Rule 7 read back: the dose columns and supervision agree with what is prescribed."""
    medicine, key = row["_medicine"], row["SUBID"]
    found = []
    for item, name in (
        ("item.methadone-daily-dose", "METHDOSE"),
        ("item.buprenorphine-daily-dose", "BUPDOSE"),
    ):
        if medicine.get("dose_item") == item and not row[name]:
            found.append(Problem("SUB", key, name, "prescribed, so its daily dose is more than 0"))
    asked = supervision_asked(medicine)  # seed 003's * and #: oral methadone, buprenorphine
    if asked and row["OSTSUP"] == "not_applicable":
        found.append(
            Problem(
                "SUB",
                key,
                "OSTSUP",
                "oral methadone or buprenorphine is prescribed, so consumption is supervised or "
                "not, never 'not applicable'",
            )
        )
    if not asked and row["OSTSUP"] != "not_applicable":
        found.append(
            Problem(
                "SUB",
                key,
                "OSTSUP",
                "supervision is asked of oral methadone and buprenorphine only (seed 003's * "
                "and #), so here it is 'not applicable'",
            )
        )
    return found


def _dose(dose_item: str, item: str, reported: Decimal | None) -> Decimal | None:
    """The dose in this item's column: the reported dose if the medicine is reported under
    it, 0 otherwise (rule 7: 0 when not prescribed)."""
    if dose_item == item:
        return reported
    return Decimal(0)


DATASET = Version2026_1()

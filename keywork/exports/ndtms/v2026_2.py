"""The national return, dataset version 2026.2: version 2026.1 with the pharmacological
section as seed 003 asks for it.

- INT, for a prescription, names its medicine (MEDICINE) and what it is prescribed for
  (PURPOSE), as seed 003 lists them ("Methadone (oral solution)* - Opioid maintenance").
- SUB, under a prescription, is each dose in force in the month with its regime, and no
  longer carries the daily doses and supervision.
- OST, one a client's episode with a prescription in force in the month: the client's
  current daily dose of oral methadone (ml of 1 mg/ml) and of oral buprenorphine (mg), and
  whether consumption of OST medication is supervised, as on the last day of the month (or
  of the episode, or today, if earlier). Seed 003: "record the client's current daily dose
  ... If client has not been prescribed liquid oral methadone/is no longer being prescribed
  liquid oral methadone record 0"; "If client is not prescribed OST record NA (99)". So a
  client on methadone 60 ml with diazepam alongside reads methadone 60, buprenorphine 0,
  supervised: the figures are the client's, whatever else is prescribed.

Keys as in 2026.1; an OST record is keyed by its episode and the month (T0101-E1-M202603)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from itertools import groupby
from operator import attrgetter
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from keywork.access.models import Service
from keywork.clients.models import Episode
from keywork.core.dates import today
from keywork.exports.ndtms import v2026_1
from keywork.exports.ndtms.dataset import Item, Month, Problem, Record, Row
from keywork.exports.ndtms.v2026_1 import (
    AGENCY,
    CLIENT_ID,
    EPISODE_ID,
    SUPERVISION,
    Version2026_1,
    episode_key,
    prescribed_in,
)
from keywork.prescribing import rules as prescribing
from keywork.prescribing.models import DoseChange, Prescription
from keywork.prescribing.queries import facts

# Local codes, to be mapped: seed 003 names each medicine and purpose but gives no codes.
MEDICINE = {
    "methadone_oral": "METO",
    "buprenorphine": "BUP",
    "buprenorphine_naloxone": "BUPN",
    "buprenorphine_depot": "BUPD",
    "diamorphine_injection": "DIAI",
    "methadone_injection": "METI",
    "benzodiazepine": "BZD",
    "dexamphetamine": "DEX",
    "pregabalin": "PGB",
    "gabapentin": "GBP",
    "naltrexone": "NTX",
    "chlordiazepoxide": "CDP",
    "diazepam": "DZP",
    "carbamazepine": "CBZ",
    "acamprosate": "ACA",
    "disulfiram": "DSF",
    "vitamin_b_c": "VBC",
    "other": "OTH",
}
PURPOSE = {
    "opioid": "OPI",
    "benzodiazepine": "BZD",
    "stimulant": "STM",
    "ghb_gbl": "GHB",
    "gabapentinoid": "GAB",
    "alcohol": "ALC",
    "wernicke": "WER",
    "other": "OTH",
}

INTERVENTION = Record(
    "INT",
    "intervention",
    "INTID",
    (
        *v2026_1.INTERVENTION.items,
        Item("MEDICINE", "Prescribed medicine", codes=MEDICINE),
        Item("PURPOSE", "What it is prescribed for", codes=PURPOSE),
    ),
)
SUB = Record(  # 2026.1's, without the doses: they are the client's, on the OST record
    "SUB",
    "sub-intervention",
    "SUBID",
    tuple(i for i in v2026_1.SUB.items if i.code not in ("METHDOSE", "BUPDOSE", "OSTSUP")),
)
OST = Record(
    "OST",
    "current opioid substitution",
    "OSTID",
    (
        AGENCY,
        CLIENT_ID,
        EPISODE_ID,
        Item("OSTID", "Opioid substitution record id", required=True),
        Item("OSTDATE", "The day the figures are as on", required=True),
        Item("METHDOSE", "Current daily dose of oral methadone (ml of 1 mg/ml)", required=True),
        Item("BUPDOSE", "Current daily dose of oral buprenorphine (mg)", required=True),
        Item("OSTSUP", "Is consumption of OST medication currently supervised", required=True,
             codes=SUPERVISION),
    ),
)  # fmt: skip
BY_CODE = {r.code: r for r in (v2026_1.CLIENT, v2026_1.EPISODE, INTERVENTION, SUB, OST)}


class Version2026_2(Version2026_1):
    version = "2026.2"
    records = (v2026_1.CLIENT, v2026_1.EPISODE, INTERVENTION, SUB, OST, v2026_1.TOP)

    def rows(self, month: Month, service: Service) -> Iterator[tuple[Record, Row]]:
        for record, row in super().rows(month, service):
            yield BY_CODE.get(record.code, record), row

    def _prescriptions(
        self, month: Month, episodes: QuerySet[Episode], service: Service
    ) -> Iterator[tuple[Record, Row]]:
        """As 2026.1 (its dose rows written with the regime only, by this version's SUB), then
        the client-level OST records."""
        yield from super()._prescriptions(month, episodes, service)
        yield from self._current(month, prescribed_in(month, episodes), service)

    def _current(
        self, month: Month, prescriptions: QuerySet[Prescription], service: Service
    ) -> Iterator[tuple[Record, Row]]:
        """One OST record an episode with a prescription in the month: the client's current
        doses and supervision on the month's last day (or the episode's, or today). Read an
        episode's prescriptions at a time, in the return's order, so that memory does not
        grow with the month's prescriptions."""
        with_doses = (
            prescriptions.select_related("medication")
            .prefetch_related(
                Prefetch("doses", queryset=DoseChange.objects.order_by("from_date", "pk"))
            )
            .annotate(
                the_key=episode_key("episode__"),
                the_client=F("episode__client__local_id"),
                the_discharge=F("episode__discharged_on"),
            )
            .order_by(
                "episode__client__local_id",
                "episode__referral_date",
                "episode",
                "started_on",
                "pk",
            )
        )
        # 200 at a time: a prescription read with its medicine and doses is some 10 KB, and
        # a chunk of them is the return's largest holding (5.3 MB at 500, 330,000 clients)
        read = with_doses.iterator(200)
        for _, of_episode in groupby(read, key=attrgetter("episode_id")):
            held = list(of_episode)
            first: Any = held[0]
            day = min(d for d in (month.last, first.the_discharge, today()) if d is not None)
            row = current_row(held, day)
            for prescription in held:  # its doses point back at it: let both go now, not at
                vars(prescription).pop("_prefetched_objects_cache", None)  # the next full GC
            yield (
                OST,
                row
                | {
                    "AGNCY": service.code,
                    "CLIENTID": first.the_client,
                    "EPISODID": first.the_key,
                    "OSTID": f"{first.the_key}-M{month.last:%Y%m}",
                    "OSTDATE": day,
                },
            )

    def more_problems(self, record: Record, row: Row) -> list[Problem]:
        return _ost_problems(row) if record is OST else []


def current_row(held: Sequence[Prescription], day: dt.date) -> Row:
    """Seed 003's three client-level items on `day`, from every prescription the client
    holds (rules.daily_dose: the same figures the prescribing page shows), with what was
    prescribed that day for the check."""
    found = [facts(p) for p in held]
    dose = prescribing.daily_dose(found, day)
    taken = [f for f in found if f.dose_on(day) is not None]
    return {
        "METHDOSE": dose.methadone_ml,
        "BUPDOSE": dose.buprenorphine_mg,
        "OSTSUP": dose.supervision,
        "_methadone": any(f.dose_item == prescribing.METHADONE for f in taken),
        "_buprenorphine": any(f.dose_item == prescribing.BUPRENORPHINE for f in taken),
    }


def _ost_problems(row: Row) -> list[Problem]:
    """Rule 7 read back: the client's figures agree with what was prescribed on the day."""
    key, found = row["OSTID"], []
    for item, held in (("METHDOSE", row["_methadone"]), ("BUPDOSE", row["_buprenorphine"])):
        if held and not row[item]:
            found.append(Problem("OST", key, item, "prescribed, so its daily dose is more than 0"))
    oral = row["_methadone"] or row["_buprenorphine"]
    if oral and row["OSTSUP"] == "not_applicable":
        found.append(
            Problem(
                "OST",
                key,
                "OSTSUP",
                "oral methadone or buprenorphine is prescribed, so consumption is supervised or "
                "not, never 'not applicable'",
            )
        )
    if not oral and row["OSTSUP"] != "not_applicable":
        found.append(
            Problem("OST", key, "OSTSUP", "no OST medication is prescribed, so this is NA (99)")
        )
    return found


DATASET = Version2026_2()

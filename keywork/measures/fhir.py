"""A measure as FHIR R4: the `Measure` that defines it and the `MeasureReport` of a result,
either the summary (numbers and strata) or the subject list (who is in the denominator and
the numerator, each client not counted flagged with the reason).

Every resource is built as plain data and validated through `fhir.resources` (R4B, the
R4-compatible models) before it leaves, so nothing malformed is handed out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B.measure import Measure as FhirMeasure
from fhir.resources.R4B.measurereport import MeasureReport

from keywork.measures import disclosure
from keywork.measures.framework import BREAKDOWNS, Measure, Result, Subject, Tally

SCORING = "http://terminology.hl7.org/CodeSystem/measure-scoring"
POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population"
IMPROVEMENT = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation"
STRATA = ("month", *BREAKDOWNS)


def base() -> str:
    return str(settings.KEYWORK_FHIR_BASE).rstrip("/")


def canonical(measure: Measure) -> str:
    return f"{base()}/Measure/{measure.code}"


def _reason_system(measure: Measure) -> str:
    return f"{base()}/CodeSystem/{measure.code}-not-counted"


def _stratum_system() -> str:
    return f"{base()}/CodeSystem/measure-stratifier"


def _population(code: str) -> dict[str, Any]:
    return {"coding": [{"system": POPULATION, "code": code}]}


def _text(text: str) -> dict[str, Any]:
    return {"language": "text/plain", "expression": text}


def definition(measure: Measure) -> dict[str, Any]:
    """The Measure resource: what is counted, in words, and how it is stratified."""
    populations = [
        ("initial-population", Measure.population.__doc__ or ""),
        ("denominator", "The initial population, less the exclusion."),
        ("denominator-exclusion", measure.excludes),
        ("numerator", measure.counts),
    ]
    resource = {
        "resourceType": "Measure",
        "id": measure.code,
        "url": canonical(measure),
        "name": measure.code.upper(),
        "title": measure.title,
        "status": "active",
        "description": measure.statement,
        "scoring": {"coding": [{"system": SCORING, "code": "proportion"}]},
        "improvementNotation": {"coding": [{"system": IMPROVEMENT, "code": "increase"}]},
        "group": [
            {
                "population": [
                    {"code": _population(code), "criteria": _text(text)}
                    for code, text in populations
                ],
                "stratifier": [
                    {"code": _stratifier(name), "criteria": _text(f"the client's {name}")}
                    for name in STRATA
                ],
            }
        ],
    }
    FhirMeasure.model_validate(resource)
    return resource


def _stratifier(name: str) -> dict[str, Any]:
    return {"coding": [{"system": _stratum_system(), "code": name}], "text": name}


def _score(value: Decimal | None) -> dict[str, Any]:
    return {"measureScore": {"value": float(value)}} if value is not None else {}


MASKED = {
    "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
    "valueCode": "masked",
}


def _count(code: str, n: int) -> dict[str, Any]:
    """A population's count; a count withheld from the viewer (small numbers) is masked."""
    if disclosure.withheld(n):
        return {"extension": [MASKED], "code": _population(code)}
    return {"code": _population(code), "count": n}


def _counts(numerator: int, denominator: int, **more: int) -> list[dict[str, Any]]:
    found = [*more.items(), ("denominator", denominator), ("numerator", numerator)]
    return [_count(code.replace("_", "-"), n) for code, n in found]


def _stratum(tally: Tally) -> dict[str, Any]:
    return {
        "value": {"coding": [{"code": str(tally.key)}], "text": tally.label},
        "population": _counts(tally.numerator, tally.denominator),
        **_score(tally.proportion),
    }


def report(result: Result, subjects: list[Subject] | None = None) -> dict[str, Any]:
    """The MeasureReport: a summary, or with `subjects` (the whole denominator) a subject
    list, whose populations each point at a contained List of patients."""
    group: dict[str, Any] = {
        "population": _counts(
            result.numerator,
            result.denominator,
            initial_population=disclosure.total(result.denominator, result.excluded),
            denominator_exclusion=result.excluded,
        ),
        **_score(result.proportion),
    }
    group["stratifier"] = [
        {"code": [_stratifier(name)], "stratum": [_stratum(t) for t in result.breakdowns[name]]}
        for name in STRATA
        if name in result.breakdowns
    ]
    resource: dict[str, Any] = {
        "resourceType": "MeasureReport",
        "status": "complete",
        "type": "summary" if subjects is None else "subject-list",
        "measure": canonical(result.measure),
        "date": timezone.now().isoformat(timespec="seconds"),
        "reporter": {
            "identifier": {"system": f"{base()}/service", "value": result.scope.service.code},
            "display": result.scope.service.name,
        },
        "period": {"start": result.period.start.isoformat(), "end": result.period.end.isoformat()},
        "improvementNotation": {"coding": [{"system": IMPROVEMENT, "code": "increase"}]},
        "group": [group],
    }
    if result.scope.team is not None or result.scope.keyworker is not None:
        resource["subject"] = _scope(result)
    if subjects is not None:
        resource["contained"] = _lists(result.measure, subjects)
        for population in group["population"]:
            code = population["code"]["coding"][0]["code"]
            if code in ("denominator", "numerator"):
                population["subjectResults"] = {"reference": f"#{code}"}
    MeasureReport.model_validate(resource)
    return resource


def _scope(result: Result) -> dict[str, Any]:
    """A report narrower than the service is about a keyworker, or a team (a Group)."""
    scope = result.scope
    if scope.keyworker is not None:
        kind, system, value = "Practitioner", "worker", scope.keyworker.user.username
    else:
        assert scope.team is not None
        kind, system, value = "Group", "team", scope.team.code
    return {
        "type": kind,
        "identifier": {"system": f"{base()}/{system}", "value": value},
        "display": str(scope),
    }


def _lists(measure: Measure, subjects: list[Subject]) -> list[dict[str, Any]]:
    """The denominator, each client not counted flagged with why, and the numerator."""

    def entry(subject: Subject) -> dict[str, Any]:
        found: dict[str, Any] = {"item": {"reference": f"Patient/{subject.local_id}"}}
        if subject.code:
            found["flag"] = {
                "coding": [{"system": _reason_system(measure), "code": subject.code}],
                "text": subject.reason,
            }
        return found

    def listed(code: str, title: str, rows: list[Subject]) -> dict[str, Any]:
        found: dict[str, Any] = {
            "resourceType": "List",
            "id": code,
            "status": "current",
            "mode": "snapshot",
            "title": title,
        }
        if rows:
            found["entry"] = [entry(s) for s in rows]
        else:
            found["emptyReason"] = {"text": "nobody"}
        return found

    return [
        listed("denominator", "In the denominator", subjects),
        listed("numerator", "Counted", [s for s in subjects if not s.code]),
    ]

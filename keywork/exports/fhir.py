"""One client's record as a FHIR R4 Bundle (a collection): Patient, EpisodeOfCare, CareTeam,
CarePlan with its Goals, Encounters (sessions), Procedures (interventions), ServiceRequests
(referrals), MedicationRequests (prescriptions), Observations (outcome profiles) and Consent
(to national reporting).

Every resource is validated through `fhir.resources` (R4B, the R4-compatible models) before
the bundle is handed out. Records entered in error go as `entered-in-error`, as the record
keeps them. Synthetic clients carry the HTEST tag (test health data)."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Max
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from keywork.access.models import Worker
from keywork.audit import trail
from keywork.careplans.models import CarePlan
from keywork.catalogue.models import Entry
from keywork.clients import policies
from keywork.clients.models import Client, Episode
from keywork.core.actors import Actor
from keywork.core.errors import AccessDenied
from keywork.interventions.models import Intervention
from keywork.maps.models import Map, MapVersion
from keywork.maps.svg import drawing
from keywork.measures.fhir import base
from keywork.outcomes.models import LABELS, SUBSTANCES, OutcomeProfile
from keywork.prescribing.models import Prescription
from keywork.recovery.models import Check, Instrument
from keywork.referrals.models import Referral, Status
from keywork.sessions.models import Attendance, Outcome

Resource = dict[str, Any]
GENDER = {"male": "male", "female": "female", "indeterminate": "other", "not_stated": "unknown"}
ENCOUNTER_STATUS: dict[str, str] = {
    Outcome.SCHEDULED: "planned",
    Outcome.ATTENDED: "finished",
    Outcome.DID_NOT_ATTEND: "cancelled",
    Outcome.CANCELLED_BY_CLIENT: "cancelled",
    Outcome.CANCELLED_BY_SERVICE: "cancelled",
}
REFERRAL_STATUS: dict[str, str] = {
    Status.MADE: "active",
    Status.ACCEPTED: "active",
    Status.FIRST_APPOINTMENT: "active",
    Status.ATTENDED: "completed",
    Status.DECLINED: "revoked",
    Status.CLOSED: "completed",
}
AMBULATORY = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "code": "AMB",
    "display": "ambulatory",
}
TEST_DATA = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
    "code": "HTEST",
    "display": "test health data",
}


def bundle(actor: Actor, client: Client) -> Resource:
    """The client's whole record; refused to anyone who may not see it; audited."""
    if not policies.is_system(actor) and not policies.can_view_client(actor, client):
        raise AccessDenied("you cannot see this client's record")
    resources = list(_resources(client))
    for resource in resources:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    found = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(timespec="seconds"),
        "entry": [
            {"fullUrl": f"{base()}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources
        ],
    }
    Bundle.model_validate(found)
    trail.record_read(actor=actor, what="FHIR export", clients=[client])
    return found


def _status(record: Any, status: str) -> str:
    """The resource's status, or entered-in-error for a record marked so (rule 13)."""
    return "entered-in-error" if record.entered_in_error_at is not None else status


def _ref(kind: str, key: object) -> dict[str, str]:
    return {"reference": f"{kind}/{key}"}


def _worker(worker: Worker | None) -> dict[str, Any]:
    if worker is None:
        return {"display": "another service"}
    return {
        "identifier": {"system": f"{base()}/worker", "value": worker.user.username},
        "display": worker.name,
    }


def _coded(entry: Entry) -> dict[str, Any]:
    return {
        "coding": [{"system": f"{base()}/CodeSystem/catalogue", "code": entry.code}],
        "text": entry.name,
    }


def _period(start: dt.date | dt.datetime, end: dt.date | dt.datetime | None) -> dict[str, str]:
    found = {"start": start.isoformat()}
    if end is not None:
        found["end"] = end.isoformat()
    return found


def _resources(client: Client) -> Iterable[Resource]:
    patient = _ref("Patient", client.local_id)
    yield _patient(client)
    consent = _consent(client, patient)
    if consent is not None:
        yield consent
    episodes = list(
        Episode.objects.filter(client=client)
        .select_related("service", "keyworker__user")
        .prefetch_related("allocations__worker__user")
        .order_by("referral_date", "pk")
    )
    for episode in episodes:
        yield from _episode(episode, patient)
    used = Instrument.objects.filter(checks__episode__client=client).distinct()
    for instrument in used.order_by("code", "pk"):
        yield _questionnaire(instrument)


def _patient(client: Client) -> Resource:
    found: Resource = {
        "resourceType": "Patient",
        "id": client.local_id,
        "identifier": [{"system": f"{base()}/client-id", "value": client.local_id}],
        "name": [{"use": "official", "family": client.family_name, "given": [client.given_name]}],
        "gender": GENDER.get(client.sex, "unknown"),
        "birthDate": client.date_of_birth.isoformat(),
    }
    if client.preferred_name:
        found["name"].append({"use": "usual", "given": [client.preferred_name]})
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", client.phone), ("email", client.email))
        if value
    ]
    if telecom:
        found["telecom"] = telecom
    if client.postcode_district:
        found["address"] = [{"postalCode": client.postcode_district, "country": "GB"}]
    if client.is_synthetic:
        found["meta"] = {"tag": [TEST_DATA]}
    return found


def _consent(client: Client, patient: dict[str, str]) -> Resource | None:
    """Consent to national reporting, as given or refused; nothing when not recorded."""
    if client.consents_to_national_reporting is None:
        return None
    found: Resource = {
        "resourceType": "Consent",
        "id": f"{client.local_id}-national-reporting",
        "status": "active",
        "scope": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "patient-privacy",
                }
            ]
        },
        "category": [{"text": "Consent to national reporting of treatment data"}],
        "patient": patient,
        "policyRule": {"text": "National reporting of drug and alcohol treatment"},
        "provision": {"type": "permit" if client.consents_to_national_reporting else "deny"},
    }
    if client.consent_recorded_on is not None:
        found["dateTime"] = client.consent_recorded_on.isoformat()
    return found


def _episode(episode: Episode, patient: dict[str, str]) -> Iterable[Resource]:
    key = f"episode-{episode.pk}"
    of_care = _ref("EpisodeOfCare", key)
    yield {
        "resourceType": "EpisodeOfCare",
        "id": key,
        "status": "finished" if episode.discharged_on else "active",
        "type": [{"text": "Drug and alcohol treatment"}],
        "patient": patient,
        "managingOrganization": {"display": episode.service.name},
        "period": _period(episode.referral_date, episode.discharged_on),
        "careManager": _worker(episode.keyworker),
        "team": [_ref("CareTeam", key)],
    }
    yield {
        "resourceType": "CareTeam",
        "id": key,
        "status": "inactive" if episode.discharged_on else "active",
        "name": "Keyworker",
        "subject": patient,
        "period": _period(episode.referral_date, episode.discharged_on),
        "participant": [
            {
                "role": [{"text": "keyworker"}],
                "member": _worker(a.worker),
                "period": _period(a.started_on, a.ended_on),
            }
            for a in episode.allocations.all()
        ],
    }
    yield from _care_plans(episode, patient, key)
    yield from _sessions(episode, patient, of_care)
    yield from _interventions(episode, patient)
    yield from _referrals(episode, patient)
    yield from _prescriptions(episode, patient)
    yield from _outcomes(episode, patient)
    yield from _maps(episode, patient)
    yield from _checks(episode, patient)


def _care_plans(episode: Episode, patient: dict[str, str], team: str) -> Iterable[Resource]:
    plans = list(
        CarePlan.objects.filter(episode=episode)
        .prefetch_related("goals__milestones", "actions")
        .order_by("version")
    )
    for plan in plans:
        current = plan is plans[-1]
        goals = []
        for goal in plan.goals.all():
            goals.append(
                {
                    "resourceType": "Goal",
                    "id": f"goal-{goal.pk}",
                    "lifecycleStatus": "active" if current else "completed",
                    "category": [{"text": goal.get_domain_display()}],
                    "description": {"text": goal.description},
                    "subject": patient,
                    "startDate": plan.agreed_on.isoformat(),
                    "note": [{"text": f"Milestone: {m.description}"} for m in goal.milestones.all()]
                    or None,
                }
            )
        found: Resource = {
            "resourceType": "CarePlan",
            "id": f"careplan-{plan.pk}",
            "status": "active" if current and not episode.discharged_on else "revoked",
            "intent": "plan",
            "title": f"Care plan, version {plan.version}",
            "subject": patient,
            "period": _period(plan.agreed_on, None),
            "careTeam": [_ref("CareTeam", team)],
            "goal": [_ref("Goal", g["id"]) for g in goals],
            "activity": [
                {
                    "detail": {
                        "status": "not-started",
                        "description": f"{a.description} ({a.get_owner_display()}"
                        + (f": {a.agency}" if a.agency else "")
                        + f", by {a.due_on:%d/%m/%Y})",
                        "scheduledString": a.due_on.isoformat(),
                    }
                }
                for a in plan.actions.all()
            ],
        }
        if plan.version > 1:
            found["replaces"] = [_ref("CarePlan", f"careplan-{plans[plan.version - 2].pk}")]
        yield from ({k: v for k, v in g.items() if v is not None} for g in goals)
        yield {k: v for k, v in found.items() if v}


def _sessions(
    episode: Episode, patient: dict[str, str], of_care: dict[str, str]
) -> Iterable[Resource]:
    attendances = (
        Attendance.objects.filter(episode=episode)
        .select_related("session")
        .prefetch_related("session__facilitators__user", "interventions")
        .order_by("session__starts_at", "pk")
    )
    for attendance in attendances:
        session = attendance.session
        key = f"session-{attendance.pk}"
        ends = session.starts_at + dt.timedelta(minutes=session.duration_minutes)
        yield {
            "resourceType": "Encounter",
            "id": key,
            "status": _status(attendance, ENCOUNTER_STATUS[attendance.outcome]),
            "class": AMBULATORY,
            "type": [{"text": session.get_kind_display()}],
            "subject": patient,
            "episodeOfCare": [of_care],
            "period": _period(session.starts_at, ends),
            "participant": [{"individual": _worker(w)} for w in session.facilitators.all()],
            **(
                {"location": [{"location": {"display": session.location}}]}
                if session.location
                else {}
            ),
        }
        for entry in attendance.interventions.all():
            yield {
                "resourceType": "Procedure",
                "id": f"{key}-{entry.pk}",
                "status": _status(attendance, "completed"),
                "code": _coded(entry),
                "subject": patient,
                "encounter": _ref("Encounter", key),
                "performedDateTime": session.starts_at.isoformat(),
            }


def _interventions(episode: Episode, patient: dict[str, str]) -> Iterable[Resource]:
    found = Intervention.objects.filter(episode=episode).select_related(
        "entry", "practitioner__user"
    )
    for intervention in found.order_by("started_on", "pk"):
        status = _status(intervention, "completed" if intervention.ended_on else "in-progress")
        resource: Resource = {
            "resourceType": "Procedure",
            "id": f"intervention-{intervention.pk}",
            "status": status,
            "code": _coded(intervention.entry),
            "subject": patient,
            "performedPeriod": _period(intervention.started_on, intervention.ended_on),
            "performer": [
                {
                    "actor": _worker(intervention.practitioner)
                    if intervention.practitioner
                    else {"display": intervention.agency or "another service"}
                }
            ],
        }
        if intervention.exit:
            resource["outcome"] = {"text": intervention.get_exit_display()}
        if intervention.planned_sessions:
            resource["note"] = [{"text": f"{intervention.planned_sessions} sessions planned"}]
        yield resource


def _referrals(episode: Episode, patient: dict[str, str]) -> Iterable[Resource]:
    found = Referral.objects.filter(episode=episode).select_related(
        "destination", "made_by__user", "colleague__user"
    )
    for referral in found.order_by("made_on", "pk"):
        to = referral.destination.name if referral.destination else ""
        to = referral.agency or to or (referral.colleague.name if referral.colleague else "")
        status = _status(referral, REFERRAL_STATUS[referral.status])
        yield {
            "resourceType": "ServiceRequest",
            "id": f"referral-{referral.pk}",
            "status": status,
            "intent": "order",
            "code": {"text": f"Referral to {to}"},
            "subject": patient,
            "authoredOn": referral.made_on.isoformat(),
            "requester": _worker(referral.made_by),
            "reasonCode": [{"text": referral.reason}],
            "note": [{"text": f"{referral.get_how_display()}; {referral.get_status_display()}"}],
        }


def _prescriptions(episode: Episode, patient: dict[str, str]) -> Iterable[Resource]:
    found = (
        Prescription.objects.filter(episode=episode)
        .select_related("medication", "prescriber__user")
        .prefetch_related("doses")
    )
    today = timezone.localdate()
    for prescription in found.order_by("started_on", "pk"):
        ended = prescription.ended_on is not None and prescription.ended_on <= today
        status = _status(prescription, "stopped" if ended else "active")
        yield {
            "resourceType": "MedicationRequest",
            "id": f"prescription-{prescription.pk}",
            "status": status,
            "intent": "order",
            "medicationCodeableConcept": _coded(prescription.medication),
            "subject": patient,
            "authoredOn": prescription.started_on.isoformat(),
            "requester": _worker(prescription.prescriber)
            if prescription.prescriber
            else {"display": prescription.prescriber_elsewhere or "another prescriber"},
            "note": [{"text": prescription.get_regime_display()}],
            "dosageInstruction": [
                {
                    "sequence": n,
                    "text": f"From {d.from_date:%d/%m/%Y}: {d.amount or ''} {d.unit} a day, "
                    f"{d.get_supervision_display().lower()}",
                    "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                    **(
                        {
                            "doseAndRate": [
                                {"doseQuantity": {"value": float(d.amount), "unit": d.unit}}
                            ]
                        }
                        if d.amount
                        else {}
                    ),
                }
                for n, d in enumerate(prescription.doses.all(), start=1)
            ],
            "dispenseRequest": {
                "validityPeriod": _period(prescription.started_on, prescription.ended_on)
            },
        }


def _outcomes(episode: Episode, patient: dict[str, str]) -> Iterable[Resource]:
    found = OutcomeProfile.objects.filter(episode=episode).select_related("taken_by__user")
    for profile in found.order_by("taken_on", "pk"):
        components = []
        for group, (label, unit) in SUBSTANCES.items():
            days, amount = (profile.use or {}).get(group) or (0, None)
            components.append(_component(f"Days used in the past 28: {label}", days))
            if amount is not None:
                components.append(
                    {
                        "code": {"text": f"Amount on a day of use: {label}"},
                        "valueQuantity": {"value": float(amount), "unit": unit},
                    }
                )
        for field, label in LABELS.items():
            components.append(_component(label, getattr(profile, field)))
        yield {
            "resourceType": "Observation",
            "id": f"outcomes-{profile.pk}",
            "status": _status(profile, "final"),
            "code": {"text": f"Treatment outcome profile: {profile.get_stage_display()}"},
            "subject": patient,
            "effectiveDateTime": profile.taken_on.isoformat(),
            "performer": [_worker(profile.taken_by)],
            "component": components,
        }


def _component(label: str, value: int | bool) -> Resource:
    key = "valueBoolean" if isinstance(value, bool) else "valueInteger"
    return {"code": {"text": label}, key: value}


def _maps(episode: Episode, patient: dict[str, str]) -> Iterable[Resource]:
    """Each version of each map as a document holding the server's SVG drawing; the latest
    current, each earlier one superseded by the next (it `replaces` the one before)."""
    versions = (
        MapVersion.objects.filter(map__episode=episode)
        .select_related("map__tool", "saved_by__user")
        .order_by("map_id", "number")
    )
    latest = dict(
        Map.objects.filter(episode=episode)
        .annotate(latest=Max("versions__number"))
        .values_list("pk", "latest")
    )
    for v in versions:
        svg = str(drawing(v.map.title, v.nodes, v.links))
        context: dict[str, Any] = {}
        if v.attendance_id:
            context["encounter"] = [_ref("Encounter", f"session-{v.attendance_id}")]
        yield {
            "resourceType": "DocumentReference",
            "id": f"map-{v.map_id}-{v.number}",
            "status": "current" if v.number == latest[v.map_id] else "superseded",
            "type": {**_coded(v.map.tool), "text": f"Map: {v.map.tool.name}"},
            "subject": patient,
            "date": v.saved_at.isoformat(timespec="seconds"),
            "author": [_worker(v.saved_by)],
            "description": f"{v.map.title}, version {v.number}" + (f": {v.note}" if v.note else ""),
            **(
                {
                    "relatesTo": [
                        {
                            "code": "replaces",
                            "target": _ref("DocumentReference", f"map-{v.map_id}-{v.number - 1}"),
                        }
                    ]
                }
                if v.number > 1
                else {}
            ),
            "content": [
                {
                    "attachment": {
                        "contentType": "image/svg+xml",
                        "data": base64.b64encode(svg.encode()).decode(),
                        "title": v.map.title,
                    }
                }
            ],
            **({"context": context} if context else {}),
        }


def _questionnaire_url(instrument: Instrument) -> str:
    return f"{base()}/Questionnaire/{instrument.code}"


def _answer(instrument: Instrument, value: int) -> dict[str, Any]:
    label = next(v["label"] for v in instrument.scale if v["value"] == value)
    return {
        "system": f"{_questionnaire_url(instrument)}/scale",
        "code": str(value),
        "display": label,
    }


def _questionnaire(instrument: Instrument) -> Resource:
    """The instrument as a Questionnaire: a group per domain, a choice per statement."""
    return {
        "resourceType": "Questionnaire",
        "id": f"{instrument.code}-{instrument.version}",
        "url": _questionnaire_url(instrument),
        "version": instrument.version,
        "name": instrument.code.replace("-", "_"),
        "title": instrument.name,
        "status": "active",
        "description": instrument.source,
        "item": [
            {
                "linkId": domain["code"],
                "text": domain["name"],
                "type": "group",
                "item": [
                    {
                        "linkId": item["code"],
                        "text": item["text"],
                        "type": "choice",
                        "required": True,
                        "answerOption": [
                            {"valueCoding": _answer(instrument, v["value"])}
                            for v in instrument.scale
                        ],
                    }
                    for item in domain["items"]
                ],
            }
            for domain in instrument.domains
        ],
    }


def _checks(episode: Episode, patient: dict[str, str]) -> Iterable[Resource]:
    """Each recovery-capital check as the answers to its instrument's Questionnaire."""
    found = Check.objects.filter(episode=episode).select_related("instrument", "taken_by__user")
    for check in found.order_by("taken_on", "pk"):
        instrument = check.instrument
        yield {
            "resourceType": "QuestionnaireResponse",
            "id": f"recovery-check-{check.pk}",
            "questionnaire": f"{_questionnaire_url(instrument)}|{instrument.version}",
            "status": _status(check, "completed"),
            "subject": patient,
            "authored": check.taken_on.isoformat(),
            "author": _worker(check.taken_by),
            "item": [
                {
                    "linkId": domain["code"],
                    "text": f"{domain['name']} (scored {check.scores[domain['code']]})",
                    "item": [
                        {
                            "linkId": item["code"],
                            "text": item["text"],
                            "answer": [
                                {"valueCoding": _answer(instrument, check.answers[item["code"]])}
                            ],
                        }
                        for item in domain["items"]
                    ],
                }
                for domain in instrument.domains
            ],
        }

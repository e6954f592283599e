"""Draft, keep and file reports: the PPC preliminary and final reports (nine items) and the PIPL notice.

Each draft is a new version of its (authority, stage); the items written by the privacy office carry
over from the previous version unless replaced. Items drafted from the facts (data items, numbers of
persons, the triggers) are taken from the incident at drafting time. The content is stored encrypted
because the free texts may describe people.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.errors import Conflict, NotFound
from mamori.incidents import repository as repo
from mamori.incidents.models import Incident, IncidentReport
from mamori.incidents.rules import Facts
from mamori.incidents.schemas import ReportCreate, ReportItems, ReportRead
from mamori.incidents.service import (
    assessment_of,
    bundle,
    editable_incident,
    facts_of,
    get_incident,
    how_found,
    record,
)
from mamori.policy.schema import LANGUAGES, PolicyBundle
from mamori.security.crypto import cipher_from_settings
from mamori.security.mynumber import scrub

CONTENT_CONTEXT = "incident_reports.content"
WRITTEN = tuple(ReportItems.model_fields)


def _latest(session: Session, incident_id: uuid.UUID, authority: str, stage: str) -> IncidentReport | None:
    same = [r for r in repo.reports(session, incident_id) if (r.authority, r.stage) == (authority, stage)]
    return same[-1] if same else None


def _items_names(facts: Facts, policy: PolicyBundle) -> dict[str, list[str]]:
    names = {item.id: item.name for item in policy.data_items}
    return {lang: [names[i].get(lang) if i in names else i for i in facts.data_items] for lang in LANGUAGES}


def _drafted(facts: Facts, policy: PolicyBundle) -> dict[str, Any]:
    special = {item.id for item in policy.data_items if item.special_care}
    return {
        "data_items": {"ids": list(facts.data_items), "names": _items_names(facts, policy),
                       "special_care": [i for i in facts.data_items if i in special],
                       "advanced_encryption": facts.advanced_encryption},
        "persons": {"known": facts.persons_known, "max": facts.persons_max},
    }  # fmt: skip


def _content(
    incident: Incident,
    policy: PolicyBundle,
    data: ReportCreate,
    written: dict[str, str | None],
    found: str | None,
) -> dict[str, Any]:
    facts = facts_of(incident)
    assessment = assessment_of(facts, policy)
    return {
        "authority": data.authority, "stage": data.stage, "reference": incident.reference,
        "drafted_at": utcnow().isoformat(),
        "incident": {
            "kind": incident.kind, "certainty": incident.certainty, "how_found": found,
            "occurred_at": incident.occurred_at.isoformat() if incident.occurred_at else None,
            "known_at": incident.known_at.isoformat(), "systems": list(facts.systems),
            "unlawful_purpose": str(facts.unlawful_purpose) if facts.unlawful_purpose else None,
            "acquiring_data_affected": facts.acquiring_data_affected,
            "jurisdictions": list(facts.jurisdictions), "triggers": [str(t) for t in assessment.triggers],
        },
        "items": {**written, **_drafted(facts, policy)},
    }  # fmt: skip


def _decrypt(settings: Settings, report: IncidentReport) -> dict[str, Any]:
    text = cipher_from_settings(settings).decrypt(report.content_encrypted, context=CONTENT_CONTEXT)
    content: dict[str, Any] = json.loads(text)
    return content


def draft_report(
    session: Session, settings: Settings, actor: str, incident_id: uuid.UUID, data: ReportCreate
) -> IncidentReport:
    """A new version of the (authority, stage) report, drafted from the facts and the items given.

    Raises:
        NotFound: unknown incident. InvalidTransition: the incident is closed or dismissed.
    """
    incident = editable_incident(session, incident_id)
    previous = _latest(session, incident.id, data.authority, data.stage)
    written: dict[str, str | None] = dict.fromkeys(WRITTEN)
    if previous is not None:
        old = _decrypt(settings, previous)["items"]
        written |= {key: old.get(key) for key in WRITTEN}
    written |= {k: scrub(v, session.info) for k, v in data.items.model_dump(exclude_none=True).items()}
    content = _content(incident, bundle(session), data, written, how_found(settings, incident))
    report = IncidentReport(
        id=uuid.uuid4(), incident_id=incident.id, authority=data.authority, stage=data.stage,
        version=previous.version + 1 if previous else 1, status="draft", created_by=actor,
        content_encrypted=cipher_from_settings(settings).encrypt(
            json.dumps(content, ensure_ascii=False), context=CONTENT_CONTEXT
        ),
    )  # fmt: skip
    session.add(report)
    session.flush()
    label = f"{data.authority}/{data.stage}/v{report.version}"
    record(session, incident, actor, "incident.report_drafted", {"report": [None, label]})
    return report


def get_report(session: Session, incident_id: uuid.UUID, report_id: uuid.UUID) -> IncidentReport:
    report = session.scalars(
        select(IncidentReport).where(
            IncidentReport.id == report_id, IncidentReport.incident_id == incident_id
        )
    ).one_or_none()
    if report is None:
        raise NotFound(f"no report {report_id} for incident {incident_id}")
    return report


def file_report(session: Session, actor: str, incident_id: uuid.UUID, report_id: uuid.UUID) -> IncidentReport:
    """Mark a draft as filed with the authority (now): its clock is done.

    Raises:
        NotFound: unknown report. Conflict: already filed, or a newer version of it exists.
    """
    incident = get_incident(session, incident_id)
    report = get_report(session, incident_id, report_id)
    latest = _latest(session, incident_id, report.authority, report.stage)
    if report.status == "filed":
        raise Conflict(f"report version {report.version} is already filed")
    if latest is not None and latest.version != report.version:
        raise Conflict(f"version {latest.version} of this report is newer; file that one")
    report.status, report.filed_at, report.filed_by = "filed", utcnow(), actor
    label = f"{report.authority}/{report.stage}/v{report.version}"
    record(session, incident, actor, "incident.report_filed", {"report": [None, label]})
    return report


def report_read(settings: Settings, report: IncidentReport) -> ReportRead:
    return ReportRead(
        id=report.id, incident_id=report.incident_id, authority=report.authority, stage=report.stage,
        version=report.version, status=report.status, content=_decrypt(settings, report),
        created_at=report.created_at, created_by=report.created_by, filed_at=report.filed_at,
    )  # fmt: skip


def latest_items(session: Session, settings: Settings, incident_id: uuid.UUID) -> dict[str, Any]:
    """The items of the latest PPC report (final before preliminary), or an empty dict."""
    for stage in ("final", "preliminary"):
        report = _latest(session, incident_id, "ppc", stage)
        if report is not None:
            items: dict[str, Any] = _decrypt(settings, report)["items"]
            return items
    return {}

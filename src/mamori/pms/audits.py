"""Internal audits: plan, checklist derived from the bundle and registers, findings, encrypted evidence."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr.storage import SealedFiles
from mamori.errors import InvalidTransition, NotFound
from mamori.pms import common, risks
from mamori.pms.checklist import CHECKS, CheckItem, derive_checklist
from mamori.pms.models import Audit, Evidence, Finding
from mamori.pms.rules import AuditState, FindingKind, check_audit_transition
from mamori.policy.sections.countries import HOME_COUNTRY
from mamori.provisions import rules as provision_rules
from mamori.provisions.models import Party
from mamori.provisions.parties import measures_of
from mamori.provisions.processors import list_processors, overdue_assessments
from mamori.security.crypto import cipher_from_settings

FINDING = "pms_findings.text"
EVIDENCE_NAME = "pms_evidence.name"
EVIDENCE_DIR = "pms"
MAX_EVIDENCE = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class AuditPlan:
    scope: str
    starts_on: date
    ends_on: date
    auditor: str


def plan_audit(session: Session, *, actor: str, plan: AuditPlan) -> Audit:
    """Plan an audit. Raises ValidationFailed (empty scope or auditor, end before start)."""
    problems = [
        {"field": f, "message": "is empty"}
        for f, v in (("scope", plan.scope), ("auditor", plan.auditor))
        if not v.strip()
    ]
    if plan.ends_on < plan.starts_on:
        problems.append({"field": "ends_on", "message": "is before starts_on"})
    common.refuse(problems, "the audit plan")
    year = plan.starts_on.year
    count = (
        session.scalar(select(func.count()).select_from(Audit).where(Audit.reference.like(f"AUD-{year}-%")))
        or 0
    )
    audit = Audit(
        id=uuid.uuid4(),
        reference=f"AUD-{year}-{count + 1:03d}",
        scope=plan.scope.strip(),
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        auditor=plan.auditor.strip(),
        state=AuditState.PLANNED,
        checklist=[],
        created_by=actor,
    )
    session.add(audit)
    session.flush()
    details = {"reference": audit.reference, "auditor": audit.auditor, "starts_on": str(plan.starts_on)}
    common.audit(session, actor, "pms.audit_planned", "pms_audit", str(audit.id), details)
    return audit


def checklist(session: Session, *, today: date | None = None) -> list[CheckItem]:
    """The checklist as the bundle in force and the registers stand today."""
    today = today or common.today()
    late = {item.processor: item for item in overdue_assessments(session, today=today)}
    processors: dict[str, str | None] = {}
    for party, _ in list_processors(session):
        item = late.get(party.key)
        processors[party.key] = (
            None if item is None else (f"due {item.due_on}" if item.due_on else "never assessed")
        )
    foreign: dict[str, str | None] = {}
    for party in session.scalars(select(Party).where(Party.country != HOME_COUNTRY)):
        verdict = provision_rules.foreign_route(party.country, measures_of(party), today)
        foreign[party.key] = (
            (verdict.problem or "no route: consent of each person") if verdict.per_person_consent else None
        )
    return derive_checklist(
        common.bundle(session),
        processors=processors,
        foreign_parties=foreign,
        assessed=risks.assessed(session),
    )


def get_audit(session: Session, audit_id: uuid.UUID) -> Audit:
    audit = session.get(Audit, audit_id)
    if audit is None:
        raise NotFound(f"no audit {audit_id}")
    return audit


def find_audit(session: Session, ref: str) -> Audit:
    """An audit by reference (``AUD-2026-001``) or id. Raises NotFound."""
    audit = session.scalars(select(Audit).where(Audit.reference == ref)).first()
    if audit is None:
        try:
            return get_audit(session, uuid.UUID(ref))
        except ValueError:
            raise NotFound(f"no audit {ref!r}") from None
    return audit


def start_audit(session: Session, *, actor: str, audit_id: uuid.UUID) -> Audit:
    """Start an audit: its checklist is derived now and kept with it."""
    audit = get_audit(session, audit_id)
    check_audit_transition(AuditState(audit.state), AuditState.IN_PROGRESS)
    items = checklist(session)
    audit.state, audit.checklist = AuditState.IN_PROGRESS, [item.as_dict() for item in items]
    failed = sum(1 for item in items if not item.passed)
    details = {"state": ["planned", "in_progress"], "checks": len(items), "failed": failed}
    common.audit(session, actor, "pms.audit_started", "pms_audit", str(audit.id), details)
    return audit


def complete_audit(session: Session, *, actor: str, audit_id: uuid.UUID) -> Audit:
    audit = get_audit(session, audit_id)
    check_audit_transition(AuditState(audit.state), AuditState.COMPLETED)
    audit.state, audit.completed_at = AuditState.COMPLETED, utcnow()
    common.audit(
        session,
        actor,
        "pms.audit_completed",
        "pms_audit",
        str(audit.id),
        {"state": ["in_progress", "completed"]},
    )
    return audit


def add_finding(  # noqa: PLR0913 - the facts of a finding
    session: Session,
    settings: Settings,
    *,
    actor: str,
    audit_id: uuid.UUID,
    kind: str,
    text: str,
    check_code: str | None = None,
) -> Finding:
    """Record a finding (text encrypted). Raises InvalidTransition unless the audit is in progress."""
    audit = get_audit(session, audit_id)
    if audit.state != AuditState.IN_PROGRESS:
        raise InvalidTransition(f"findings are recorded while an audit is in progress (it is {audit.state})")
    problems = []
    if kind not in set(FindingKind):
        problems.append({"field": "kind", "message": f"must be one of {', '.join(FindingKind)}"})
    if check_code is not None and check_code not in CHECKS:
        problems.append({"field": "check_code", "message": f"no check {check_code!r}"})
    if not text.strip():
        problems.append({"field": "text", "message": "is empty"})
    common.refuse(problems, "the finding")
    finding = Finding(
        id=uuid.uuid4(),
        audit_id=audit.id,
        kind=kind,
        check_code=check_code,
        created_by=actor,
        text_encrypted=common.seal(session, settings, text.strip(), FINDING),
    )
    session.add(finding)
    session.flush()
    details = {"audit": audit.reference, "kind": kind, "check_code": check_code}
    common.audit(session, actor, "pms.finding_added", "pms_finding", str(finding.id), details)
    return finding


def findings(session: Session, audit_id: uuid.UUID) -> list[Finding]:
    return list(
        session.scalars(select(Finding).where(Finding.audit_id == audit_id).order_by(Finding.created_at))
    )


def finding_text(settings: Settings, finding: Finding) -> str:
    return common.unseal(settings, finding.text_encrypted, FINDING)


def evidence_files(settings: Settings) -> SealedFiles:
    """The evidence store: the requests' sealed files (AES-GCM, context-bound), in a folder of its own."""
    from pathlib import Path

    return SealedFiles(
        directory=Path(settings.files_dir) / EVIDENCE_DIR, cipher=cipher_from_settings(settings)
    )


def _context(evidence_id: uuid.UUID) -> str:
    return f"pms.evidence:{evidence_id}"


def attach_evidence(  # noqa: PLR0913
    session: Session, settings: Settings, *, actor: str, finding_id: uuid.UUID, name: str, data: bytes
) -> Evidence:
    """Keep a file as evidence of a finding, encrypted on disk; its name encrypted in the database."""
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound(f"no finding {finding_id}")
    problems = []
    if not data:
        problems.append({"field": "file", "message": "is empty"})
    if len(data) > MAX_EVIDENCE:
        problems.append({"field": "file", "message": f"is larger than {MAX_EVIDENCE // (1024 * 1024)} MiB"})
    common.refuse(problems, "the evidence")
    evidence_id = uuid.uuid4()
    key = evidence_files(settings).put(data, context=_context(evidence_id))
    evidence = Evidence(
        id=evidence_id,
        finding_id=finding.id,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        added_by=actor,
        name_encrypted=common.seal(session, settings, name or "evidence", EVIDENCE_NAME),
    )
    session.add(evidence)
    session.flush()
    details = {"finding": str(finding.id), "size": len(data), "sha256": evidence.sha256}
    common.audit(session, actor, "pms.evidence_added", "pms_evidence", str(evidence.id), details)
    return evidence


def read_evidence(
    session: Session, settings: Settings, *, actor: str, evidence_id: uuid.UUID
) -> tuple[str, bytes]:
    """The name and content of an evidence file (the read is recorded)."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        raise NotFound(f"no evidence {evidence_id}")
    data = evidence_files(settings).get(evidence.storage_key, context=_context(evidence.id))
    common.audit(session, actor, "pms.evidence_read", "pms_evidence", str(evidence.id), {"size": len(data)})
    return common.unseal(settings, evidence.name_encrypted, EVIDENCE_NAME), data


def evidence_of(session: Session, finding_id: uuid.UUID) -> list[Evidence]:
    return list(
        session.scalars(select(Evidence).where(Evidence.finding_id == finding_id).order_by(Evidence.added_at))
    )


def list_audits(session: Session) -> list[Audit]:
    return list(session.scalars(select(Audit).order_by(Audit.starts_on.desc(), Audit.reference)))

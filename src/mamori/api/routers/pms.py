"""The management system: risk register, audit checklist, corrective actions, training, review figures."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from mamori.api.deps import Runtime, SessionDep, get_runtime, require
from mamori.pms import actions, audits, risks, training
from mamori.pms.models import Audit, CorrectiveAction, Finding, Risk
from mamori.pms.review.figures import compute_review
from mamori.pms.rules import Rating
from mamori.security.rules import Scope
from mamori.security.service import Principal

router = APIRouter(prefix="/pms", tags=["pms"])
Reader = Annotated[Principal, Depends(require(Scope.PMS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.PMS_WRITE))]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
OneToFive = Annotated[int, Field(ge=1, le=5)]


class RiskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system: str = Field(examples=["shop"])
    dataset: str = Field(examples=["customer"])
    stage: str = Field(description="acquisition, use, storage, provision or disposal")
    description: str = Field(max_length=2000)
    owner: str = Field(max_length=200)
    likelihood: OneToFive
    impact: OneToFive
    residual_likelihood: OneToFive
    residual_impact: OneToFive
    measures: list[str] = Field(default_factory=list, description="safety-measure ids of the policy")
    review_on: date | None = None


class RatingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    likelihood: OneToFive
    impact: OneToFive
    residual_likelihood: OneToFive
    residual_impact: OneToFive
    measures: list[str] | None = None
    review_on: date | None = None


class RiskRead(BaseModel):
    id: uuid.UUID
    system: str
    dataset: str
    stage: str
    description: str
    owner: str
    score: int
    residual_score: int
    residual_level: str
    measures: list[str]
    review_on: date


class ActionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="audit, complaint, review or other")
    source_ref: str | None = Field(default=None, max_length=80)
    title: str = Field(max_length=2000)
    owner: str = Field(max_length=200)
    due_on: date


class Verification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective: bool
    note: str = Field(max_length=2000)


class ActionRead(BaseModel):
    id: uuid.UUID
    source: str
    source_ref: str | None
    title: str
    owner: str
    due_on: date
    state: str
    overdue: bool = False


class AuditCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: str = Field(max_length=2000, examples=["Shop systems"])
    starts_on: date
    ends_on: date
    auditor: str = Field(max_length=200)


class AuditRead(BaseModel):
    id: uuid.UUID
    reference: str
    scope: str
    starts_on: date
    ends_on: date
    auditor: str
    state: str
    checklist: list[dict[str, Any]]


class FindingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="conformity, observation, minor_nonconformity or major_nonconformity")
    text: str = Field(max_length=4000, description="stored encrypted")
    check_code: str | None = Field(default=None, examples=["dataset.risks"])


class FindingRead(BaseModel):
    id: uuid.UUID
    kind: str
    check_code: str | None
    text: str
    evidence: list[dict[str, Any]] = Field(default_factory=list)


class TrainingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course: str = Field(max_length=80)
    person: str = Field(max_length=200)
    completed_on: date
    result: str = Field(description="passed, failed or attended")
    valid_months: int | None = Field(default=12, ge=1, le=120)


def _risk(risk: Risk) -> RiskRead:
    residual = Rating(risk.residual_likelihood, risk.residual_impact)
    return RiskRead(
        id=risk.id,
        system=risk.system,
        dataset=risk.dataset,
        stage=risk.stage,
        description=risk.description,
        owner=risk.owner,
        score=risk.likelihood * risk.impact,
        residual_score=residual.score,
        residual_level=residual.level,
        measures=risk.measures,
        review_on=risk.review_on,
    )


def _action(runtime: Runtime, action: CorrectiveAction) -> ActionRead:
    return ActionRead(
        id=action.id,
        source=action.source,
        source_ref=action.source_ref,
        title=actions.title(runtime.settings, action),
        owner=action.owner,
        due_on=action.due_on,
        state=action.state,
    )


@router.get("/risks")
def list_risks(session: SessionDep, _: Reader, overdue: bool = False) -> list[RiskRead]:
    """The risk register; with ``overdue``, only risks past their review date."""
    from mamori.pms.common import today

    return [_risk(r) for r in risks.list_risks(session, overdue_on=today() if overdue else None)]


@router.post("/risks", status_code=status.HTTP_201_CREATED)
def register_risk(body: RiskCreate, session: SessionDep, caller: Writer) -> RiskRead:
    """Register a risk of one ledger dataset at one life-cycle stage."""
    return _risk(risks.register_risk(session, actor=caller.actor, data=risks.RiskInput(**body.model_dump())))


@router.post("/risks/{risk_id}/ratings", status_code=status.HTTP_201_CREATED)
def rate_risk(risk_id: uuid.UUID, body: RatingCreate, session: SessionDep, caller: Writer) -> RiskRead:
    """Review a risk: a new rating kept beside the earlier ones."""
    data = risks.RatingInput(**body.model_dump())
    return _risk(risks.rate_risk(session, actor=caller.actor, risk_id=risk_id, data=data))


@router.get("/checklist")
def checklist(session: SessionDep, _: Reader) -> list[dict[str, Any]]:
    """The audit checklist derived from the policy in force and the registers, as they stand today."""
    return [item.as_dict() for item in audits.checklist(session)]


def _audit(audit: Audit) -> AuditRead:
    return AuditRead(
        id=audit.id,
        reference=audit.reference,
        scope=audit.scope,
        starts_on=audit.starts_on,
        ends_on=audit.ends_on,
        auditor=audit.auditor,
        state=audit.state,
        checklist=audit.checklist,
    )


def _finding(session: Session, runtime: Runtime, finding: Finding) -> FindingRead:
    evidence = [
        {"id": str(e.id), "size": e.size, "sha256": e.sha256} for e in audits.evidence_of(session, finding.id)
    ]
    return FindingRead(
        id=finding.id,
        kind=finding.kind,
        check_code=finding.check_code,
        text=audits.finding_text(runtime.settings, finding),
        evidence=evidence,
    )


@router.get("/audits")
def list_audits(session: SessionDep, _: Reader) -> list[AuditRead]:
    """Internal audits, newest first."""
    return [_audit(a) for a in audits.list_audits(session)]


@router.post("/audits", status_code=status.HTTP_201_CREATED)
def plan_audit(body: AuditCreate, session: SessionDep, caller: Writer) -> AuditRead:
    """Plan an internal audit (scope, dates, auditor)."""
    plan = audits.AuditPlan(body.scope, body.starts_on, body.ends_on, body.auditor)
    return _audit(audits.plan_audit(session, actor=caller.actor, plan=plan))


@router.post("/audits/{audit_id}/start")
def start_audit(audit_id: uuid.UUID, session: SessionDep, caller: Writer) -> AuditRead:
    """Start an audit: its checklist is derived now and kept with it."""
    return _audit(audits.start_audit(session, actor=caller.actor, audit_id=audit_id))


@router.post("/audits/{audit_id}/complete")
def complete_audit(audit_id: uuid.UUID, session: SessionDep, caller: Writer) -> AuditRead:
    """Complete an audit in progress."""
    return _audit(audits.complete_audit(session, actor=caller.actor, audit_id=audit_id))


@router.get("/audits/{audit_id}/findings")
def list_findings(
    audit_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep, _: Reader
) -> list[FindingRead]:
    """The findings of an audit with their evidence files (id, size, SHA-256)."""
    audits.get_audit(session, audit_id)
    return [_finding(session, runtime, f) for f in audits.findings(session, audit_id)]


@router.post("/audits/{audit_id}/findings", status_code=status.HTTP_201_CREATED)
def add_finding(
    audit_id: uuid.UUID, body: FindingCreate, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> FindingRead:
    """Record a finding of an audit in progress (the text stored encrypted)."""
    finding = audits.add_finding(
        session,
        runtime.settings,
        actor=caller.actor,
        audit_id=audit_id,
        kind=body.kind,
        text=body.text,
        check_code=body.check_code,
    )
    return _finding(session, runtime, finding)


@router.post("/findings/{finding_id}/evidence", status_code=status.HTTP_201_CREATED)
async def attach_evidence(
    finding_id: uuid.UUID,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: Writer,
    file: Annotated[UploadFile, File(description="kept encrypted on disk")],
) -> dict[str, Any]:
    """Keep a file as evidence of a finding, encrypted on disk."""
    data = await file.read(audits.MAX_EVIDENCE + 1)
    evidence = audits.attach_evidence(
        session,
        runtime.settings,
        actor=caller.actor,
        finding_id=finding_id,
        name=file.filename or "evidence",
        data=data,
    )
    return {"id": str(evidence.id), "size": evidence.size, "sha256": evidence.sha256}


@router.get("/evidence/{evidence_id}")
def read_evidence(
    evidence_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep, caller: Reader
) -> Response:
    """Download an evidence file (decrypted; the read is recorded in the audit log)."""
    _, data = audits.read_evidence(session, runtime.settings, actor=caller.actor, evidence_id=evidence_id)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": 'attachment; filename="evidence"', "Cache-Control": "no-store"},
    )


@router.get("/training")
def list_training(session: SessionDep, _: Reader, course: str | None = None) -> list[dict[str, Any]]:
    """Training records, newest first."""
    return [
        {
            "id": str(r.id),
            "course": r.course,
            "person": r.person,
            "completed_on": r.completed_on,
            "result": r.result,
            "valid_until": r.valid_until,
        }
        for r in training.list_training(session, course=course)
    ]


@router.get("/actions")
def list_actions(
    session: SessionDep, runtime: RuntimeDep, _: Reader, open_only: bool = False
) -> list[ActionRead]:
    """Corrective actions of every source, incidents' included, by due date."""
    found = actions.all_actions(session, runtime.settings, open_only=open_only)
    return [ActionRead(**dataclasses.asdict(view)) for view in found]


@router.post("/actions", status_code=status.HTTP_201_CREATED)
def add_action(body: ActionCreate, session: SessionDep, runtime: RuntimeDep, caller: Writer) -> ActionRead:
    """Record a corrective action (incidents keep theirs in the incident)."""
    data = actions.ActionInput(body.source, body.title, body.owner, body.due_on, body.source_ref)
    return _action(runtime, actions.add_action(session, runtime.settings, actor=caller.actor, data=data))


@router.post("/actions/{action_id}/done")
def complete_action(
    action_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> ActionRead:
    """Mark an action done; it then waits for verification of its effect."""
    return _action(runtime, actions.complete_action(session, actor=caller.actor, action_id=action_id))


@router.post("/actions/{action_id}/verification")
def verify_action(
    action_id: uuid.UUID, body: Verification, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> ActionRead:
    """Verify the effect of a done action (not by its owner); not effective opens it again."""
    found = actions.verify_action(
        session,
        runtime.settings,
        actor=caller.actor,
        action_id=action_id,
        effective=body.effective,
        note=body.note,
    )
    return _action(runtime, found)


@router.post("/training", status_code=status.HTTP_201_CREATED)
def record_training(body: TrainingCreate, session: SessionDep, caller: Writer) -> dict[str, Any]:
    """Record one attendance of a course."""
    record = training.record_training(
        session, actor=caller.actor, data=training.TrainingInput(**body.model_dump())
    )
    return {"id": str(record.id), "valid_until": record.valid_until}


@router.get("/training/overdue")
def overdue_training(session: SessionDep, _: Reader, course: str | None = None) -> list[dict[str, Any]]:
    """Who has no valid pass of a course."""
    return [dataclasses.asdict(d) for d in training.overdue(session, course=course)]


@router.get("/review")
def review(
    session: SessionDep,
    runtime: RuntimeDep,
    _: Reader,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
) -> dict[str, Any]:
    """The figures of the management review for a period (Tokyo dates, both included)."""
    return dataclasses.asdict(compute_review(session, runtime.settings, start, end))

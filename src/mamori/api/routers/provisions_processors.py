"""Processors, their assessments, sub-processors and entrustments (part of the provisions API)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from mamori.api.deps import SessionDep, require
from mamori.consents.decisions.rules import tokyo_date
from mamori.db.base import utcnow
from mamori.provisions import entrustments, processors, subprocessors
from mamori.provisions.models import Entrustment, Party, ProcessorProfile, SubProcessor
from mamori.provisions.parties import PartyInput
from mamori.security.rules import Scope
from mamori.security.service import Principal

router = APIRouter(tags=["processors"])
Reader = Annotated[Principal, Depends(require(Scope.PROCESSORS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.PROCESSORS_WRITE))]


class ProcessorParty(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: dict[str, str] = Field(examples=[{"ja": "株式会社見本データ", "en": "Sample Data Co."}])
    country: str = Field(examples=["JP"])
    address: dict[str, str] | None = None
    measures_basis: str | None = Field(
        default=None, description="equivalent measures, for a processor abroad"
    )
    measures_checked_on: date | None = None
    measures_interval: str | None = Field(default=None, examples=["P1Y"])


class ProcessorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(examples=["sample_mailing_house"])
    duties: list[str] = Field(examples=[["promotional_printing"]])
    in_group: bool = False
    contract_start: date | None = None
    contract_end: date | None = None
    assessment_interval: str = Field(default="P1Y", description="how often it is assessed (ISO 8601 period)")
    party: ProcessorParty | None = Field(
        default=None, description="needed when the policy does not declare it"
    )


class ProcessorRead(BaseModel):
    key: str
    name: dict[str, str]
    country: str
    duties: list[str]
    in_group: bool
    contract_start: date | None
    contract_end: date | None
    assessment_interval: str


class AssessmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="pre_selection or periodic")
    assessed_on: date
    result: str = Field(description="pass, conditional or fail")
    evidence_ref: str = Field(
        description="where the evidence is kept", examples=["audit/2026/mailing-house.pdf"]
    )


class SubProcessorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(examples=["Sample Print Ltd."])
    country: str = Field(examples=["JP"])
    duties: list[str] = Field(
        description="duties of the processor it takes on", examples=[["promotional_printing"]]
    )
    measures_basis: str | None = Field(default=None, description="equivalent measures, for one abroad")
    measures_checked_on: date | None = None
    measures_interval: str | None = Field(default=None, examples=["P1Y"])


class SubProcessorDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decided_by: str = Field(description="user name of the deciding privacy officer or admin")
    evidence_ref: str = Field(
        description="where the evidence is kept", examples=["contracts/sub/print-2026.pdf"]
    )
    decided_on: date | None = Field(default=None, description="day of the decision; default today")


class SubProcessorRead(BaseModel):
    id: uuid.UUID
    processor: str
    name: str
    country: str
    duties: list[str]
    route: str = Field(description="domestic, adequate, equivalent_measures, or consent (no route yet)")
    route_problem: str | None
    status: str = Field(description="pending, approved or refused")
    decided_on: date | None
    decided_by: str | None
    evidence_ref: str | None
    created_at: datetime


class EntrustmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duty: str = Field(examples=["promotional_printing"])
    items: list[str] = Field(examples=[["name", "address"]])
    started_on: date | None = None


class EntrustmentRead(BaseModel):
    id: uuid.UUID
    processor: str
    duty: str
    items: list[str]
    excess_items: list[str] = Field(description="items the duty does not need (flagged)")
    sub_processors: list[uuid.UUID] = Field(description="approved sub-processors of the duty it may reach")
    route: str
    started_on: date


def _processor(party: Party, profile: ProcessorProfile) -> ProcessorRead:
    return ProcessorRead(
        key=party.key,
        name=party.name,
        country=party.country,
        duties=profile.duties,
        in_group=profile.in_group,
        contract_start=profile.contract_start,
        contract_end=profile.contract_end,
        assessment_interval=profile.assessment_interval,
    )


def _entrustment(party: Party, item: Entrustment) -> EntrustmentRead:
    return EntrustmentRead(
        id=item.id, processor=party.key, duty=item.duty, items=item.items, excess_items=item.excess_items,
        sub_processors=item.sub_processors, route=item.route, started_on=item.started_on,
    )  # fmt: skip


def _sub(key: str, sub: SubProcessor) -> SubProcessorRead:
    route = subprocessors.route_of(sub, tokyo_date(utcnow()))
    return SubProcessorRead(
        id=sub.id, processor=key, name=sub.name, country=sub.country, duties=sub.duties, route=route.route,
        route_problem=route.problem, status=sub.status, decided_on=sub.decided_on, decided_by=sub.decided_by,
        evidence_ref=sub.evidence_ref, created_at=sub.created_at,
    )  # fmt: skip


@router.get("/processors")
def list_processors(session: SessionDep, _: Reader) -> list[ProcessorRead]:
    """Every processor (from the policy and registered) with its duties and contract."""
    return [_processor(party, profile) for party, profile in processors.list_processors(session)]


@router.post("/processors", status_code=201)
def register_processor(body: ProcessorCreate, session: SessionDep, caller: Writer) -> ProcessorRead:
    """Register a processor or complete a declared one (a processor abroad needs equivalent measures)."""
    party = None
    if body.party is not None:
        party = PartyInput(key=body.key, kind="processor", **body.party.model_dump())
    data = processors.ProcessorInput(**body.model_dump(exclude={"party"}), party=party)
    profile = processors.register_processor(session, actor=caller.actor, data=data)
    return _processor(session.get_one(Party, profile.party_id), profile)


@router.post("/processors/{key}/assessments", status_code=201)
def record_assessment(
    key: str, body: AssessmentCreate, session: SessionDep, caller: Writer
) -> dict[str, str]:
    """Record an assessment before selection or a periodic one."""
    item = processors.record_assessment(session, actor=caller.actor, processor=key, **body.model_dump())
    return {"id": str(item.id), "processor": key, "result": item.result}


@router.get("/processors/assessments/overdue")
def overdue_assessments(session: SessionDep, _: Reader) -> list[dict[str, object]]:
    """Processors never assessed or whose periodic assessment is past due."""
    return [
        {
            "processor": o.processor,
            "last_assessed_on": o.last_assessed_on,
            "due_on": o.due_on,
            "days_overdue": o.days_overdue,
        }
        for o in processors.overdue_assessments(session)
    ]


@router.post("/processors/{key}/sub-processors", status_code=201)
def register_sub_processor(
    key: str, body: SubProcessorCreate, session: SessionDep, caller: Writer
) -> SubProcessorRead:
    """Register a processor's sub-processor, pending approval (one abroad needs a foreign route)."""
    data = subprocessors.SubProcessorInput(**body.model_dump())
    sub = subprocessors.register_sub_processor(session, actor=caller.actor, processor=key, data=data)
    return _sub(key, sub)


@router.get("/processors/{key}/sub-processors")
def list_sub_processors(key: str, session: SessionDep, _: Reader) -> list[SubProcessorRead]:
    """A processor's sub-processors with their approval status and route."""
    return [_sub(key, sub) for sub in subprocessors.list_sub_processors(session, key)]


@router.post("/processors/{key}/sub-processors/{sub_id}/approve")
def approve_sub_processor(
    key: str, sub_id: uuid.UUID, body: SubProcessorDecision, session: SessionDep, caller: Writer
) -> SubProcessorRead:
    """Approve a pending sub-processor (who, when, evidence); audited."""
    sub = subprocessors.decide_sub_processor(
        session, actor=caller.actor, processor=key, sub_id=sub_id, approve=True, **body.model_dump()
    )
    return _sub(key, sub)


@router.post("/processors/{key}/sub-processors/{sub_id}/refuse")
def refuse_sub_processor(
    key: str, sub_id: uuid.UUID, body: SubProcessorDecision, session: SessionDep, caller: Writer
) -> SubProcessorRead:
    """Refuse a pending sub-processor or withdraw an approval (who, when, evidence); audited."""
    sub = subprocessors.decide_sub_processor(
        session, actor=caller.actor, processor=key, sub_id=sub_id, approve=False, **body.model_dump()
    )
    return _sub(key, sub)


@router.post("/processors/{key}/entrustments", status_code=201)
def entrust(key: str, body: EntrustmentCreate, session: SessionDep, caller: Writer) -> EntrustmentRead:
    """Hand items to a processor for one duty; excess items flagged, pending sub-processors refused."""
    item = entrustments.entrust(session, actor=caller.actor, processor=key, **body.model_dump())
    return _entrustment(session.get_one(Party, item.processor_id), item)


@router.get("/entrustments")
def list_entrustments(session: SessionDep, _: Reader, processor: str | None = None) -> list[EntrustmentRead]:
    """Entrustments, optionally of one processor."""
    return [_entrustment(party, item) for party, item in entrustments.list_entrustments(session, processor)]

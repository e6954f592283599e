"""Third-party provision records, receipts, parties, joint use, processors."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from mamori.api.deps import Runtime, SessionDep, get_runtime, require
from mamori.api.routers import provisions_processors
from mamori.consents.decisions.messages import pick_language
from mamori.errors import PolicyViolation
from mamori.provisions import counters, countries, parties, reading, receipts, service
from mamori.provisions.messages import reason_dict
from mamori.provisions.models import Party
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.validation import MAX_INT64, UtcDateTime

router = APIRouter(tags=["provisions"])
Reader = Annotated[Principal, Depends(require(Scope.PROVISIONS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.PROVISIONS_WRITE))]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Purpose = Annotated[
    str, Query(min_length=1, max_length=80, description="purpose id declared for the persons concerned")
]


class ProvisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient: str = Field(description="party key", examples=["sample_credit_bureau"])
    subjects: list[uuid.UUID] = Field(description="the persons whose data is to be provided")
    items: list[str] = Field(examples=[["name", "address"]])
    basis: str = Field(
        description="consent, joint_use or an exception code of the policy", examples=["consent"]
    )
    justification: str | None = Field(default=None, description="required for an exception; no personal data")
    approved_by: str | None = Field(default=None, description="user name of the approving privacy officer")
    purpose: str | None = Field(default=None, description="a purpose that names third-party provision")
    contract_ref: str | None = None
    lang: str | None = Field(
        default=None, description="language of the refusal messages (ja, en, zh-Hans, zh-Hant)"
    )


class RefusalRead(BaseModel):
    subject_id: uuid.UUID
    reasons: list[dict[str, Any]]


class ProvisionRead(BaseModel):
    provision_id: uuid.UUID
    recipient: str
    basis: str
    art29_record: bool
    country: str
    route: str
    provided_at: datetime
    provided_count: int
    refused_count: int
    provided: list[uuid.UUID]
    refused: list[RefusalRead]


class ProvisionPersonRead(BaseModel):
    record_id: uuid.UUID
    subject_id: uuid.UUID
    consent_event_id: uuid.UUID | None
    retention_end: datetime


class ProvisionDetailRead(BaseModel):
    provision_id: uuid.UUID
    recipient: dict[str, Any] = Field(description="the recipient as it was when the data went to it")
    basis: str
    art29_record: bool = Field(description="False for exceptions and joint use (no APPI Art. 29 record)")
    items: list[str]
    purpose_id: str | None
    country: str
    route: str
    justification: str | None
    approved_by: str | None
    contract_ref: str | None
    policy_version_id: uuid.UUID
    provided_at: datetime
    requested_by: str
    requested_count: int
    provided_count: int
    refused_count: int
    retention_end: datetime | None = Field(description="the latest retention end of its persons' records")
    persons_total: int
    persons: list[ProvisionPersonRead]


class RecordRead(BaseModel):
    kind: str
    record_id: uuid.UUID
    parent_id: uuid.UUID
    at: datetime
    party: dict[str, Any]
    items: list[str]
    retention_end: datetime
    basis: str | None
    art29_record: bool
    consent_event_id: uuid.UUID | None
    country: str | None
    route: str | None
    acquisition: str | None


class ReceiptCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str = Field(description="party key of the business the data came from")
    subjects: list[uuid.UUID]
    items: list[str]
    acquisition: str = Field(description="how the provider had acquired the data", max_length=500)
    contract_ref: str | None = None
    received_at: UtcDateTime | None = None


class ReceiptRead(BaseModel):
    receipt_id: uuid.UUID
    provider: str
    items: list[str]
    subjects: int
    received_at: datetime


class PartyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(examples=["acme_analytics"])
    kind: str = Field(description="recipient, group_company, processor or provider")
    name: dict[str, str] = Field(examples=[{"ja": "株式会社サンプル", "en": "Sample Co., Ltd."}])
    country: str = Field(examples=["JP"])
    address: dict[str, str] | None = None
    representative: dict[str, Any] | None = Field(
        default=None, examples=[{"title": {"ja": "代表取締役"}, "name": {"ja": "見本 太郎"}}]
    )
    contract_document: bool = False
    measures_basis: str | None = Field(default=None, description="equivalent measures (foreign parties)")
    measures_checked_on: date | None = None
    measures_interval: str | None = Field(default=None, examples=["P1Y"])


class PartyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    kind: str
    name: dict[str, str]
    address: dict[str, str] | None
    representative: dict[str, Any] | None
    country: str
    source: str
    contract_document: bool
    measures_basis: str | None
    measures_checked_on: date | None
    measures_interval: str | None


class CountryMeasuresRead(BaseModel):
    party: str = Field(description="party key")
    name: str
    text: str


class CountryNoticeRead(BaseModel):
    code: str = Field(examples=["SG"])
    language: str
    scope: str = Field(
        description="the consent scope this information is shown for", examples=["cross_border:SG"]
    )
    policy_version: int = Field(description="number of the policy version in force it comes from")
    sample: bool = Field(description="sample wording the organisation has yet to review")
    name: str = Field(description="the country's name")
    system: str = Field(description="summary of its personal-information protection system")
    measures: list[CountryMeasuresRead] = Field(description="the measures each recipient there takes")
    text: str = Field(description="the whole text to show, exactly; notice_hash is its SHA-256")
    notice_hash: str = Field(description="the notice_hash a cross_border consent given after it must carry")


@router.post("/provisions", status_code=201)
def create_provision(
    body: ProvisionCreate, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> ProvisionRead:
    """Provide data to a recipient: each allowed person gets a record, the others are refused with reasons."""
    lang = pick_language(body.lang)
    request = service.ProvisionRequest(**body.model_dump(exclude={"lang"}))
    outcome = service.provide(session, runtime.settings, actor=caller.actor, request=request)
    provision = outcome.provision
    return ProvisionRead(
        provision_id=provision.id,
        recipient=provision.recipient_snapshot["key"],
        basis=provision.basis,
        art29_record=provision.art29_record,
        country=provision.country,
        route=provision.route,
        provided_at=provision.provided_at,
        provided_count=provision.provided,
        refused_count=provision.refused,
        provided=outcome.provided,
        refused=[
            RefusalRead(subject_id=r.subject_id, reasons=[reason_dict(x, lang) for x in r.reasons])
            for r in outcome.refused
        ],
    )


@router.get("/subjects/{subject_id}/provision-records")
def subject_records(
    subject_id: uuid.UUID, purpose: Purpose, session: SessionDep, caller: Reader
) -> list[RecordRead]:
    """A person's provision and receipt records (merged subjects included), oldest first; audited."""
    try:
        found = reading.read_records_for_subject(
            session, actor=caller.actor, subject_id=subject_id, purpose=purpose
        )
    except PolicyViolation:
        session.commit()  # keep the audited refusal; the error response follows
        raise
    return [RecordRead(**r.as_dict()) for r in found]


@router.post("/receipts", status_code=201)
def create_receipt(body: ReceiptCreate, session: SessionDep, caller: Writer) -> ReceiptRead:
    """Record data received from another business (APPI Art. 30)."""
    receipt = receipts.record_receipt(
        session, actor=caller.actor, request=receipts.ReceiptRequest(**body.model_dump())
    )
    return ReceiptRead(
        receipt_id=receipt.id,
        provider=receipt.provider_snapshot["key"],
        items=receipt.items,
        subjects=receipt.subjects,
        received_at=receipt.received_at,
    )


@router.get("/parties")
def list_parties(session: SessionDep, _: Reader, kind: str | None = None) -> list[PartyRead]:
    """Recipients, group companies, processors and providers (from the policy and registered)."""
    return [PartyRead.model_validate(p) for p in parties.list_parties(session, kind=kind)]


@router.post("/parties", status_code=201)
def register_party(body: PartyCreate, session: SessionDep, caller: Writer) -> PartyRead:
    """Register a party that the policy bundle does not declare."""
    party: Party = parties.register_party(
        session, actor=caller.actor, data=parties.PartyInput(**body.model_dump())
    )
    return PartyRead.model_validate(party)


@router.post("/provisions/sweep")
def sweep(session: SessionDep, caller: Writer) -> dict[str, int]:
    """Delete provision and receipt records past their retention end (audited)."""
    result = service.sweep_expired_records(session, actor=caller.actor)
    return {
        "provision_records": result.provision_records,
        "receipt_records": result.receipt_records,
        "provisions": result.provisions,
        "receipts": result.receipts,
    }


@router.get("/provisions/pipl-counters")
def pipl_counters(
    session: SessionDep, _: Reader, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> dict[str, Any]:
    """Persons of PIPL jurisdiction whose data went abroad in a calendar year, with the CAC thresholds."""
    return counters.pipl_counters(session, year=year).as_dict()


@router.get("/provisions/countries")
def list_countries(session: SessionDep, _: Reader) -> list[str]:
    """The foreign countries the policy in force holds information about (for cross_border consents)."""
    return countries.country_codes(session)


@router.get("/provisions/countries/{code}")
def show_country(
    code: Annotated[str, PathParam(pattern=r"^[A-Za-z]{2}$")],
    session: SessionDep,
    _: Reader,
    lang: Annotated[str, Query(description="ja, en, zh-Hans or zh-Hant")] = "ja",
) -> CountryNoticeRead:
    """What to show before a cross_border:<code> consent (APPI Art. 28(2)) and the notice_hash it carries."""
    notice = countries.country_notice(session, code, lang)
    return CountryNoticeRead(
        code=notice.code, language=notice.language, scope=notice.scope, policy_version=notice.policy_version,
        sample=notice.sample, name=notice.name, system=notice.system,
        measures=[CountryMeasuresRead(**asdict(m)) for m in notice.measures], text=notice.text,
        notice_hash=notice.notice_hash,
    )  # fmt: skip


@router.get("/provisions/{provision_id}")
def show_provision(  # noqa: PLR0913 - the read and its page
    provision_id: uuid.UUID,
    purpose: Purpose,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: Reader,
    limit: Annotated[int, Query(ge=1, le=reading.MAX_PERSONS)] = 1_000,
    offset: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
) -> ProvisionDetailRead:
    """One provision: recipient as it was, basis, items, route, retention end and its persons; audited."""
    try:
        view = reading.read_provision(
            session, runtime.settings, actor=caller.actor, provision_id=provision_id, purpose=purpose,
            limit=limit, offset=offset,
        )  # fmt: skip
    except PolicyViolation:
        session.commit()  # keep the audited refusal; the error response follows
        raise
    p = view.provision
    return ProvisionDetailRead(
        provision_id=p.id, recipient=p.recipient_snapshot, basis=p.basis, art29_record=p.art29_record,
        items=p.items, purpose_id=p.purpose_id, country=p.country, route=p.route,
        justification=view.justification, approved_by=p.approved_by, contract_ref=p.contract_ref,
        policy_version_id=p.policy_version_id, provided_at=p.provided_at, requested_by=p.requested_by,
        requested_count=p.requested, provided_count=p.provided, refused_count=p.refused,
        retention_end=view.retention_end, persons_total=view.persons_total,
        persons=[ProvisionPersonRead(**asdict(person)) for person in view.persons],
    )  # fmt: skip


router.include_router(provisions_processors.router)

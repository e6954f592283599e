"""API for the consent ledger and usage suspensions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mamori.api.deps import SessionDep, require
from mamori.consents import export, service, suspensions
from mamori.consents.models import ConsentEvent, UsageSuspension
from mamori.consents.rules import State
from mamori.notices.receipt import receipt_for_subject
from mamori.policy.schema import LANGUAGES
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.validation import Instant

router = APIRouter(tags=["consents"])
Reader = Annotated[Principal, Depends(require(Scope.CONSENTS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.CONSENTS_WRITE))]


class ConsentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_id: uuid.UUID
    scope: str = Field(max_length=200, examples=["purpose:customer.mailings", "cross_border:CN"])
    action: str = Field(description="given, withdrawn or expired", examples=["given"])
    language: str = Field(description="ja, en, zh-Hans or zh-Hant", examples=["ja"])
    channel: str = Field(description="web, paper, phone, shop or api", examples=["web"])
    occurred_at: Instant | None = Field(default=None, description="default: now")
    notice_hash: str | None = Field(
        default=None,
        description=(
            "SHA-256 of the notice shown; default: of the purpose text in that language. Required for a "
            "given cross_border:<XX> consent: the notice_hash of GET /provisions/countries/<XX>?lang=..."
        ),
    )
    separate: bool = False
    on_behalf_by_id: uuid.UUID | None = None
    evidence_ref: str | None = None
    expires_at: Instant | None = None


class ConsentEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subject_id: uuid.UUID
    scope: str
    action: str
    occurred_at: datetime
    recorded_at: datetime
    expires_at: datetime | None
    separate: bool
    policy_version_id: uuid.UUID | None
    notice_hash: str | None
    language: str
    channel: str
    collected_by: str
    on_behalf_by_id: uuid.UUID | None
    evidence_ref: str | None


class ConsentStateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    scope: str
    action: str
    occurred_at: datetime
    expires_at: datetime | None
    separate: bool
    on_behalf_by_id: uuid.UUID | None
    event_id: uuid.UUID


class SubjectConsents(BaseModel):
    subject_id: uuid.UUID
    at: datetime
    states: list[ConsentStateRead]
    events: list[ConsentEventRead]


class SuspensionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_id: uuid.UUID
    scope: str = Field(max_length=200, examples=["all", "purpose:customer.mailings", "third_party_provision"])
    reason: str
    source: str = Field(description="request or manual", examples=["manual"])
    source_ref: str | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None


class SuspensionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subject_id: uuid.UUID
    scope: str
    reason: str
    source: str
    source_ref: str | None
    starts_at: datetime
    ends_at: datetime | None
    lifted_at: datetime | None
    created_by: str
    created_at: datetime
    active: bool = False


class Utf8JSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        import json

        return json.dumps(content, ensure_ascii=False, indent=2).encode()


def _states(states: dict[str, State]) -> list[ConsentStateRead]:
    return [ConsentStateRead.model_validate(states[scope], from_attributes=True) for scope in sorted(states)]


def _suspension(item: UsageSuspension, active: set[uuid.UUID]) -> SuspensionRead:
    read = SuspensionRead.model_validate(item)
    read.active = item.id in active
    return read


@router.post("/consents", status_code=201)
def record_consent(body: ConsentCreate, session: SessionDep, principal: Writer) -> ConsentEventRead:
    """Record a consent event (given, withdrawn or expired) under the policy in force."""
    event: ConsentEvent = service.record_consent(session, actor=principal.actor, **body.model_dump())
    return ConsentEventRead.model_validate(event)


@router.get("/subjects/{subject_id}/consents")
def subject_consents(
    subject_id: uuid.UUID, session: SessionDep, _: Reader, at: Instant | None = None
) -> SubjectConsents:
    """A subject's consent states (at a moment, default now) and every event, merged subjects included."""
    from mamori.db.base import utcnow

    when = at or utcnow()
    events = service.list_events(session, subject_id)
    return SubjectConsents(
        subject_id=subject_id,
        at=when,
        states=_states(service.current_states(session, subject_id, at=when)),
        events=[ConsentEventRead.model_validate(event) for event in events],
    )


@router.get("/subjects/{subject_id}/consents/export", response_class=Utf8JSONResponse)
def export_consents(subject_id: uuid.UUID, session: SessionDep, principal: Reader) -> Utf8JSONResponse:
    """The subject's consent records in the ISO/IEC TS 27560:2023 field structure."""
    return Utf8JSONResponse(export.export_consents(session, subject_id, actor=principal.actor))


@router.get(
    "/subjects/{subject_id}/consents/receipt",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def consent_receipt(
    subject_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    output: Annotated[Literal["html", "pdf"], Query(alias="format")] = "html",
    lang: Annotated[
        str | None, Query(description="ja, en, zh-Hans or zh-Hant; default: the subject's")
    ] = None,
) -> Response:
    """A consent receipt the person can keep, as an HTML page or a PDF, in their language."""
    from mamori.web.receipts import receipt_html, receipt_pdf

    chosen = next((code for code in LANGUAGES if lang and code.lower() == lang.strip().lower()), lang)
    receipt = receipt_for_subject(session, subject_id, chosen, actor=principal.actor)
    headers = {"Content-Language": receipt.lang}
    if output == "pdf":
        headers["Content-Disposition"] = f'inline; filename="consent-receipt-{subject_id}.pdf"'
        return Response(receipt_pdf(receipt), media_type="application/pdf", headers=headers)
    return HTMLResponse(receipt_html(receipt), headers=headers)


@router.post("/suspensions", status_code=201)
def create_suspension(body: SuspensionCreate, session: SessionDep, principal: Writer) -> SuspensionRead:
    """Suspend all use, one purpose or third-party provision for a subject."""
    item = suspensions.suspend(session, actor=principal.actor, **body.model_dump())
    active = {s.id for s in suspensions.active_suspensions(session, [item.subject_id])}
    return _suspension(item, active)


@router.post("/suspensions/{suspension_id}/lift")
def lift_suspension(suspension_id: uuid.UUID, session: SessionDep, principal: Writer) -> SuspensionRead:
    """End a suspension now."""
    return _suspension(suspensions.lift(session, actor=principal.actor, suspension_id=suspension_id), set())


@router.get("/subjects/{subject_id}/suspensions")
def subject_suspensions(subject_id: uuid.UUID, session: SessionDep, _: Reader) -> list[SuspensionRead]:
    """Every suspension of a subject, with whether it is in force now."""
    items = suspensions.list_suspensions(session, subject_id)
    active = {s.id for s in suspensions.active_suspensions(session, subject_id)}
    return [_suspension(item, active) for item in items]

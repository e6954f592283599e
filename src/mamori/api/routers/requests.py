"""Requests from people about their data (dsr room): intake, identity, decision, letters, delivery."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from mamori.api.deps import Runtime, SessionDep, get_runtime, require
from mamori.api.openapi import PDF
from mamori.api.refs import CaseKey
from mamori.dsr import service
from mamori.dsr.schemas import CaseRead, CaseSummary, RequesterIn, RequesterRead, RevealIn
from mamori.dsr.service import delivery, reading, sweeps, views
from mamori.errors import Forbidden, PolicyViolation
from mamori.notify.service import outbox_from_settings
from mamori.security.rules import Scope
from mamori.security.service import Principal

router = APIRouter(prefix="/requests", tags=["requests"])
Reader = Annotated[Principal, Depends(require(Scope.REQUESTS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.REQUESTS_WRITE))]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseCreate(_In):
    request_type: str = Field(description="a request type id of the policy, e.g. disclosure")
    channel: Literal["post", "api", "inquiry"] = "api"
    language: str = "ja"
    subject_id: uuid.UUID | None = None
    requester: RequesterIn
    inquiry_id: uuid.UUID | None = None
    response_method: str = "post"
    ground: str | None = None
    erasure: bool = False
    details: str | None = None
    jurisdiction: str | None = None


class TransitionIn(_In):
    to: str = Field(description="identity_check, in_progress, withdrawn or closed")
    reason: str


class RejectIn(_In):
    reason_code: str
    explanation: str


class CheckIn(_In):
    whose: Literal["person", "requester"]
    document_type: str
    matched: list[str] = Field(default_factory=list)
    outcome: str
    reasons: str = ""
    document_id: uuid.UUID | None = None


class DecisionIn(_In):
    outcome: str = Field(description="full, partial or refused")
    reasons: list[str] = Field(default_factory=list)
    explanation: str = ""
    changes: dict[str, str] | None = Field(default=None, description="for a correction: field → new value")


class PaymentIn(_In):
    amount_yen: int
    method: str


class DeliveryIn(_In):
    method: Literal["post", "electronic"]


class MailingIn(_In):
    tracking_number: str


class LinkIn(_In):
    subject_id: uuid.UUID


class DeliveryRead(BaseModel):
    id: uuid.UUID
    method: str
    status: str
    tracking_number: str | None


class DueRead(BaseModel):
    reference: str
    request_type: str
    state: str
    target_on: str
    overdue: bool
    art39_on: str


def _view(session: SessionDep, case_id: uuid.UUID) -> CaseRead:
    return views.case_view(session, service.get_case(session, case_id))


@router.post("", status_code=status.HTTP_201_CREATED)
def open_case(body: CaseCreate, session: SessionDep, runtime: RuntimeDep, caller: Writer) -> CaseRead:
    """Register a request (a postal form typed in by an agent, or a request made through the API)."""
    case = service.open_case(
        session,
        actor=caller.actor,
        settings=runtime.settings,
        **body.model_dump(exclude={"requester"}),
        requester=body.requester,
    )
    return views.case_view(session, case)


@router.get("")
def list_cases(session: SessionDep, _: Reader, state: str | None = None) -> list[CaseSummary]:
    """Cases, newest first (optionally in one state): references and dates, no requester's details."""
    return [reading.case_summary(c) for c in views.list_cases(session, state=state)]


@router.get("/due")
def due_cases(session: SessionDep, _: Reader, overdue: Annotated[bool, Query()] = False) -> list[DueRead]:
    """Open cases by the earlier of target and Art. 39 date; ``overdue=true``: only those past target."""
    return [
        DueRead(
            reference=d.reference,
            request_type=d.request_type,
            state=d.state,
            target_on=d.target_on.isoformat(),
            overdue=d.overdue,
            art39_on=d.art39_on.isoformat(),
        )
        for d in sweeps.list_open(session, overdue_only=overdue)
    ]


@router.get("/{case_id}")
def get_case(case_id: CaseKey, session: SessionDep, _: Reader) -> CaseRead:
    """One case: requester, deadlines (target, Art. 39 date, PIPL cap), state, allowed moves, history."""
    return _view(session, case_id)


@router.post("/{case_id}/reveal")
def reveal_requester(
    case_id: CaseKey, body: RevealIn, session: SessionDep, runtime: RuntimeDep, caller: Reader
) -> RequesterRead:
    """The requester's name, e-mail and address, for a purpose among the caller's duties; audited."""
    case = service.get_case(session, case_id)
    try:
        return reading.reveal_requester(
            session,
            case,
            actor=caller.actor,
            role=caller.role.value,
            purpose=body.purpose,
            settings=runtime.settings,
        )
    except (PolicyViolation, Forbidden):
        session.commit()  # keep the audited refusal; the error response follows
        raise


@router.post("/{case_id}/transitions")
def transition(case_id: CaseKey, body: TransitionIn, session: SessionDep, caller: Writer) -> CaseRead:
    """Move a case (409 when the state machine does not allow it; the case stays as it was)."""
    service.transition_case(session, actor=caller.actor, case_id=case_id, to=body.to, reason=body.reason)
    return _view(session, case_id)


@router.post("/{case_id}/reject")
def reject(
    case_id: CaseKey, body: RejectIn, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> CaseRead:
    """End a case that does not meet the conditions (e.g. an agent without power of attorney)."""
    service.reject_case(
        session, actor=caller.actor, case_id=case_id, settings=runtime.settings, **body.model_dump()
    )
    return _view(session, case_id)


@router.post("/{case_id}/subject")
def link_subject(case_id: CaseKey, body: LinkIn, session: SessionDep, caller: Writer) -> CaseRead:
    """Say whom the case is about once the person is found."""
    service.link_subject(session, actor=caller.actor, case_id=case_id, subject_id=body.subject_id)
    return _view(session, case_id)


@router.post("/{case_id}/documents", status_code=status.HTTP_201_CREATED)
async def upload_document(  # noqa: PLR0913 - a multipart form
    case_id: CaseKey,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: Writer,
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG")],
    kind: Annotated[str, Form()],
    whose: Annotated[str, Form()] = "person",
    document_type: Annotated[str | None, Form()] = None,
    side: Annotated[str | None, Form()] = None,
) -> dict[str, str | int]:
    """Attach an ID document, power of attorney or proof of relation; stored encrypted."""
    limit = 100 * 1024 * 1024  # the bundle's own limit is checked by the service
    data = await file.read(limit + 1)
    document = service.upload_document(
        session,
        actor=caller.actor,
        case_id=case_id,
        kind=kind,
        whose=whose,
        data=data,
        document_type=document_type,
        side=side,
        settings=runtime.settings,
    )
    return {"id": str(document.id), "content_type": document.content_type, "size": document.size}


@router.post("/{case_id}/identity-checks", status_code=status.HTTP_201_CREATED)
def record_check(
    case_id: CaseKey, body: CheckIn, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> CaseRead:
    """Record an ID check: document type, what matched, outcome and reasons."""
    service.record_identity_check(
        session, actor=caller.actor, case_id=case_id, settings=runtime.settings, **body.model_dump()
    )
    return _view(session, case_id)


@router.post("/{case_id}/decision")
def decide(
    case_id: CaseKey, body: DecisionIn, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> CaseRead:
    """Decide: full, partial or refused with legal reasons; accepted cease requests suspend use at once."""
    service.decide(
        session, actor=caller.actor, case_id=case_id, settings=runtime.settings, **body.model_dump()
    )
    return _view(session, case_id)


class StatementIn(_In):
    reason: str = Field(description="why the data is held nowhere but in Mamori (10-1000 characters)")


@router.post("/{case_id}/held-nowhere-else")
def record_held_nowhere_else(
    case_id: CaseKey,
    body: StatementIn,
    session: SessionDep,
    caller: Writer,
    _: Annotated[Principal, Depends(require(Scope.POLICY_WRITE))],
) -> CaseRead:
    """The privacy officer records that the person's data is held nowhere else (a disclosure may then go)."""
    service.record_held_nowhere_else(session, actor=caller.actor, case_id=case_id, reason=body.reason)
    return _view(session, case_id)


@router.post("/{case_id}/payment")
def record_payment(case_id: CaseKey, body: PaymentIn, session: SessionDep, caller: Writer) -> CaseRead:
    """Record the fee paid (purpose notification and disclosure only)."""
    service.record_payment(session, actor=caller.actor, case_id=case_id, **body.model_dump())
    return _view(session, case_id)


@router.post("/{case_id}/letter", status_code=status.HTTP_201_CREATED)
def generate_letter(
    case_id: CaseKey, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> dict[str, str]:
    """Render the response letter (PDF in the requester's language) and store it encrypted."""
    letter = service.generate_letter(session, actor=caller.actor, case_id=case_id, settings=runtime.settings)
    return {"id": str(letter.id), "language": letter.language, "sha256": letter.sha256}


@router.get("/{case_id}/letter.pdf", response_class=Response, responses=PDF)
def letter_pdf(case_id: CaseKey, session: SessionDep, runtime: RuntimeDep, _: Reader) -> Response:
    """The newest response letter of the case, as PDF."""
    letter = service.latest_letter(session, case_id)
    return Response(service.letter_bytes(letter, runtime.settings), media_type="application/pdf")


@router.post("/{case_id}/deliveries", status_code=status.HTTP_201_CREATED)
def deliver(
    case_id: CaseKey,
    body: DeliveryIn,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: Writer,
) -> DeliveryRead:
    """Send the answer: into the next print batch (post) or as a download link with a one-time code."""
    if body.method == "post":
        row = delivery.send_by_post(session, actor=caller.actor, case_id=case_id, settings=runtime.settings)
    else:
        outbox = outbox_from_settings(runtime.settings, runtime.session_factory)
        row = delivery.send_electronically(
            session,
            actor=caller.actor,
            case_id=case_id,
            outbox=outbox,
            settings=runtime.settings,
        )
    return DeliveryRead(id=row.id, method=row.method, status=row.status, tracking_number=row.tracking_number)


@router.post("/deliveries/{delivery_id}/mailed")
def record_mailing(
    delivery_id: uuid.UUID, body: MailingIn, session: SessionDep, caller: Writer
) -> DeliveryRead:
    """Record the registered-mail number of a printed letter; the case becomes responded."""
    row = delivery.record_mailing(
        session, actor=caller.actor, delivery_id=delivery_id, tracking_number=body.tracking_number
    )
    return DeliveryRead(id=row.id, method=row.method, status=row.status, tracking_number=row.tracking_number)

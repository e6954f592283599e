"""Contact-centre inquiries and complaints: log, assign, answer by e-mail, close, report."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from mamori.api.deps import Runtime, SessionDep, get_runtime, require
from mamori.api.refs import InquiryKey
from mamori.inquiries import replies, service
from mamori.inquiries.escalation import convert_to_request
from mamori.inquiries.intake import NewInquiry, open_inquiry
from mamori.inquiries.reports import complaints_report
from mamori.inquiries.schemas import (
    AnswerRecordIn,
    AssignIn,
    ComplaintReport,
    ConvertIn,
    InboundIn,
    InquiryCreate,
    InquiryRead,
    InquiryThread,
    LinkIn,
    ReplyIn,
)
from mamori.inquiries.views import inquiry_view, open_views, read_thread
from mamori.notify.service import outbox_from_settings
from mamori.security.rules import Scope
from mamori.security.service import Principal

router = APIRouter(prefix="/inquiries", tags=["inquiries"])
Reader = Annotated[Principal, Depends(require(Scope.INQUIRIES_READ))]
Writer = Annotated[Principal, Depends(require(Scope.INQUIRIES_WRITE))]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_inquiry(
    body: InquiryCreate, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> InquiryRead:
    """Log an inquiry that came by phone, letter or e-mail; its clock starts at ``received_at``."""
    inquiry = open_inquiry(session, runtime.settings, caller.actor, NewInquiry(**body.model_dump()))
    return inquiry_view(session, inquiry)


@router.get("")
def list_open_inquiries(session: SessionDep, _: Reader) -> list[InquiryRead]:
    """Open inquiries, least business time left first (those waiting for the person last)."""
    return open_views(session)


@router.get("/reports/complaints")
def complaints(
    session: SessionDep,
    _: Reader,
    start: Annotated[date, Query(description="first day (Tokyo), YYYY-MM-DD")],
    end: Annotated[date, Query(description="last day (Tokyo), YYYY-MM-DD")],
) -> ComplaintReport:
    """Complaints of a period counted apart from other inquiries, for the management review."""
    return complaints_report(session, start, end)


@router.get("/by-reference/{reference}")
def get_by_reference(reference: str, session: SessionDep, _: Reader) -> InquiryRead:
    """An inquiry found by the reference the person was given."""
    return inquiry_view(session, service.find_by_reference(session, reference))


@router.get("/{inquiry_id}")
def get_inquiry(inquiry_id: InquiryKey, session: SessionDep, _: Reader) -> InquiryRead:
    """One inquiry with its clock, without personal data."""
    return inquiry_view(session, service.get_inquiry(session, inquiry_id))


@router.get("/{inquiry_id}/thread")
def get_thread(
    inquiry_id: InquiryKey, session: SessionDep, runtime: RuntimeDep, caller: Reader
) -> InquiryThread:
    """The inquiry with contact data and every message; each read is audited."""
    return read_thread(session, runtime.settings, caller.actor, inquiry_id)


@router.post("/{inquiry_id}/assign")
def assign(inquiry_id: InquiryKey, body: AssignIn, session: SessionDep, caller: Writer) -> InquiryRead:
    """Give the inquiry to a staff user (again, to hand it over)."""
    return inquiry_view(session, service.assign(session, caller.actor, inquiry_id, body.assignee))


@router.post("/{inquiry_id}/messages", status_code=status.HTTP_201_CREATED)
def add_inbound(
    inquiry_id: InquiryKey, body: InboundIn, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> InquiryRead:
    """Record what the person wrote or said again; a wait ends, an answered inquiry reopens."""
    inquiry = service.record_inbound(
        session, runtime.settings, caller.actor, inquiry_id, text=body.text, channel=body.channel
    )
    return inquiry_view(session, inquiry)


@router.post("/{inquiry_id}/replies", status_code=status.HTTP_201_CREATED)
def send_reply(
    inquiry_id: InquiryKey, body: ReplyIn, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> InquiryRead:
    """E-mail an answer in the inquiry's language (the category's template around the text)."""
    outbox = outbox_from_settings(runtime.settings, runtime.session_factory)
    inquiry = replies.reply(
        session, runtime.settings, outbox, caller.actor, inquiry_id,
        answer=body.answer, wait_for_customer=body.wait_for_customer,
    )  # fmt: skip
    return inquiry_view(session, inquiry)


@router.post("/{inquiry_id}/answers", status_code=status.HTTP_201_CREATED)
def record_answer(
    inquiry_id: InquiryKey, body: AnswerRecordIn, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> InquiryRead:
    """Record an answer given by phone or letter (nothing is sent)."""
    inquiry = replies.record_answer(
        session, runtime.settings, caller.actor, inquiry_id,
        answer=body.answer, channel=body.channel, wait_for_customer=body.wait_for_customer,
    )  # fmt: skip
    return inquiry_view(session, inquiry)


@router.post("/{inquiry_id}/close")
def close(inquiry_id: InquiryKey, session: SessionDep, caller: Writer) -> InquiryRead:
    """Close the inquiry."""
    return inquiry_view(session, service.close(session, caller.actor, inquiry_id))


@router.post("/{inquiry_id}/reopen")
def reopen(inquiry_id: InquiryKey, session: SessionDep, caller: Writer) -> InquiryRead:
    """Reopen an answered or closed inquiry."""
    return inquiry_view(session, service.reopen(session, caller.actor, inquiry_id))


@router.post("/{inquiry_id}/subject")
def link_subject(inquiry_id: InquiryKey, body: LinkIn, session: SessionDep, caller: Writer) -> InquiryRead:
    """Link the inquiry to the subject the inquirer was identified as."""
    return inquiry_view(session, service.link_subject(session, caller.actor, inquiry_id, body.subject_id))


@router.post("/{inquiry_id}/convert")
def convert(
    inquiry_id: InquiryKey, body: ConvertIn, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> InquiryRead:
    """Turn the inquiry into a request case (disclosure, correction, ...); both keep the link."""
    inquiry = convert_to_request(
        session, runtime.settings, caller.actor, inquiry_id, request_type=body.request_type,
        requester_name=body.requester_name, requester_address=body.requester_address,
        response_method=body.response_method,
    )  # fmt: skip
    return inquiry_view(session, inquiry)

"""Reading inquiries: the clock view for lists, and the whole thread (personal data, audited)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.inquiries.intake import BODY_CONTEXT, EMAIL_CONTEXT, NAME_CONTEXT, PHONE_CONTEXT
from mamori.inquiries.models import Inquiry, InquiryMessage
from mamori.inquiries.rules import OPEN_STATES, PURPOSE
from mamori.inquiries.schemas import InquiryRead, InquiryThread, MessageRead
from mamori.inquiries.service import get_inquiry, marked_for_review
from mamori.inquiries.timing import centre_calendar
from mamori.security.crypto import FieldCipher, cipher_from_settings
from mamori.subjects.validation import current_bundle


def inquiry_view(session: Session, inquiry: Inquiry, *, now: datetime | None = None) -> InquiryRead:
    cal = centre_calendar(current_bundle(session))
    return InquiryRead.of(cal, inquiry, now or utcnow())


def open_views(session: Session, *, now: datetime | None = None) -> list[InquiryRead]:
    """Open inquiries, least business time left first; those waiting for the person come last.

    No personal data is decrypted. Each inquiry's remaining time is computed once, from its stored
    due instants, with the contact centre's calendar.
    """
    now = now or utcnow()
    stmt = select(Inquiry).where(Inquiry.state.in_([str(s) for s in OPEN_STATES]))
    rows = list(session.scalars(stmt))
    if not rows:
        return []
    cal = centre_calendar(current_bundle(session))
    views = [InquiryRead.of(cal, row, now) for row in rows]
    return sorted(
        views, key=lambda v: (v.waiting_since is not None, v.remaining_business_minutes, v.reference)
    )


def review_views(session: Session, *, now: datetime | None = None) -> list[InquiryRead]:
    """Complaints marked for the management review (open or not), newest mark first; nothing decrypted."""
    rows = marked_for_review(session)
    if not rows:
        return []
    cal = centre_calendar(current_bundle(session))
    return [InquiryRead.of(cal, row, now or utcnow()) for row in rows]


def read_thread(session: Session, settings: Settings, actor: str, inquiry_id: uuid.UUID) -> InquiryThread:
    """The inquiry with contact data and messages decrypted; the read is recorded in the audit log.

    Raises:
        NotFound: no such inquiry.
    """
    inquiry = get_inquiry(session, inquiry_id)
    cipher = cipher_from_settings(settings)
    base = inquiry_view(session, inquiry)
    record_event(
        session, actor=actor, action="inquiry.read", target_type="inquiry", target_id=str(inquiry.id),
        details={"purpose": PURPOSE},
    )  # fmt: skip
    return InquiryThread(
        **base.model_dump(),
        name=_open(cipher, inquiry.name_encrypted, NAME_CONTEXT),
        email=_open(cipher, inquiry.email_encrypted, EMAIL_CONTEXT),
        phone=_open(cipher, inquiry.phone_encrypted, PHONE_CONTEXT),
        messages=[_message_read(cipher, m) for m in inquiry.messages],
    )


def _open(cipher: FieldCipher, token: str | None, context: str) -> str | None:
    return cipher.decrypt(token, context=context) if token else None


def _message_read(cipher: FieldCipher, message: InquiryMessage) -> MessageRead:
    return MessageRead(
        direction=message.direction,
        channel=message.channel,
        author=message.author,
        created_at=message.created_at,
        text=cipher.decrypt(message.body_encrypted, context=BODY_CONTEXT),
        outbound_message_id=message.outbound_message_id,
    )

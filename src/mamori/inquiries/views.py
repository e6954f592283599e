"""Reading inquiries: the clock view for lists, and the whole thread (personal data, audited)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.calendar.rules import last_open_end
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


@dataclass(frozen=True, slots=True)
class OpenSummary:
    """The dashboard's inquiry block: the first open inquiries in inbox order, and the counts."""

    due: list[InquiryRead]  # as ``open_views(...)[:size]``
    open: int  # as ``len(open_views(...))``
    late: int  # open inquiries with less than no business time left


def _next_due() -> Any:
    """The due instant the clock runs to: the first response until there is one, then resolution."""
    return case((Inquiry.first_responded_at.is_(None), Inquiry.first_response_due_at),
                else_=Inquiry.resolution_due_at)  # fmt: skip


def open_summary(session: Session, *, now: datetime | None = None, size: int = 8) -> OpenSummary:
    """What :func:`open_views` gives the dashboard, without a clock per open inquiry.

    Counts are SQL; an inquiry is late when business time passed since its due instant, which for
    a running clock is ``due < last_open_end(now)``. Business time left only grows with the due
    instant, so the first ``size`` are read in due order until the next one has more time left than
    the ``size``-th (ties are ordered by reference as in :func:`open_views`). Waiting inquiries
    (clock stopped, listed last) are read one by one; they are few.
    """
    now = now or utcnow()
    is_open = Inquiry.state.in_([str(s) for s in OPEN_STATES])
    running = Inquiry.paused_since.is_(None)
    total = int(session.scalar(select(func.count()).select_from(Inquiry).where(is_open)) or 0)
    if not total:
        return OpenSummary([], 0, 0)
    cal = centre_calendar(current_bundle(session))
    late = int(session.scalar(select(func.count()).select_from(Inquiry).where(
        is_open, running, _next_due() < last_open_end(cal, now))) or 0)  # fmt: skip
    waiting = session.execute(select(_next_due(), Inquiry.paused_since).where(is_open, ~running)).all()
    late += sum(1 for due, since in waiting if due < last_open_end(cal, since))
    due = _first_running(session, cal, now, is_open, size)
    if len(due) < size and waiting:
        rows = session.scalars(select(Inquiry).where(is_open, ~running))
        views = sorted((InquiryRead.of(cal, r, now) for r in rows),
                       key=lambda v: (v.remaining_business_minutes, v.reference))  # fmt: skip
        due += views[: size - len(due)]
    return OpenSummary(due, total, late)


def _first_running(session: Session, cal: Any, now: datetime, is_open: Any, size: int) -> list[InquiryRead]:
    stmt = select(Inquiry).where(is_open, Inquiry.paused_since.is_(None)).order_by(_next_due(), Inquiry.id)
    views: list[InquiryRead] = []
    offset, batch = 0, max(size, 16)
    while True:
        rows = list(session.scalars(stmt.offset(offset).limit(batch)))
        views += [InquiryRead.of(cal, row, now) for row in rows]
        offset += batch
        kept = sorted(v.remaining_business_minutes for v in views)[:size]
        if len(rows) < batch or (len(kept) == size and views[-1].remaining_business_minutes > kept[-1]):
            break
    return sorted(views, key=lambda v: (v.remaining_business_minutes, v.reference))[:size]


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

"""The life of an inquiry: assign, hear from the person, close, reopen, link, list and read.

Services flush, never commit; each change writes its audit event in the same transaction. Audit
details carry ids, states and kinds, never names, addresses or message texts.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.errors import NotFound
from mamori.inquiries.intake import check_message, message_row
from mamori.inquiries.models import Inquiry
from mamori.inquiries.rules import Channel, Direction, State, check_transition
from mamori.inquiries.timing import centre_calendar, pause, resume
from mamori.security.crypto import cipher_from_settings
from mamori.security.mynumber import scrub
from mamori.security.service import get_user_by_username
from mamori.subjects.repository import get_subject
from mamori.subjects.validation import FieldError, current_bundle, refuse


def get_inquiry(session: Session, inquiry_id: uuid.UUID) -> Inquiry:
    """Raises NotFound for an unknown id."""
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise NotFound(f"no inquiry {inquiry_id}")
    return inquiry


def find_by_reference(session: Session, reference: str) -> Inquiry:
    """Raises NotFound for an unknown reference."""
    inquiry = session.scalars(select(Inquiry).where(Inquiry.reference == reference.strip().upper())).first()
    if inquiry is None:
        raise NotFound(f"no inquiry with reference {reference!r}")
    return inquiry


def move(
    session: Session, actor: str, inquiry: Inquiry, wanted: State, *, now: datetime, **details: object
) -> None:
    """Change the state through the table (InvalidTransition otherwise); pause or resume the clock."""
    current = State(inquiry.state)
    if not (current == wanted == State.WAITING_FOR_CUSTOMER):
        check_transition(current, wanted)
    cal = centre_calendar(current_bundle(session))
    if wanted == State.WAITING_FOR_CUSTOMER:
        pause(inquiry, now)
    else:
        resume(cal, inquiry, now)
    inquiry.state = wanted
    inquiry.updated_at = now
    if wanted == State.CLOSED:
        inquiry.closed_at = now
    record_event(
        session, actor=actor, action=f"inquiry.{_ACTIONS[wanted]}", target_type="inquiry",
        target_id=str(inquiry.id), details={"from": str(current), "to": str(wanted), **details},
    )  # fmt: skip


_ACTIONS = {
    State.ASSIGNED: "assigned",
    State.WAITING_FOR_CUSTOMER: "waiting",
    State.ANSWERED: "answered",
    State.CLOSED: "closed",
    State.REOPENED: "reopened",
    State.CONVERTED: "converted",
    State.NEW: "opened",
}


def assign(session: Session, actor: str, inquiry_id: uuid.UUID, assignee: str) -> Inquiry:
    """Give the inquiry to an active staff user (again, to hand it over); a wait ends.

    Raises:
        ValidationFailed: ``assignee`` is not an active staff user.
        InvalidTransition: the inquiry is answered, closed or converted.
    """
    user = get_user_by_username(session, assignee)
    if user is None or not user.active:
        refuse([FieldError("assignee", "not an active staff user")], "the assignment")
    inquiry = get_inquiry(session, inquiry_id)
    move(session, actor, inquiry, State.ASSIGNED, now=utcnow(), assignee=assignee)
    inquiry.assignee = assignee
    return inquiry


def record_inbound(  # noqa: PLR0913 - a message is this many facts
    session: Session, settings: Settings, actor: str, inquiry_id: uuid.UUID, *, text: str, channel: str
) -> Inquiry:
    """The person wrote or called again: a wait ends (assigned), an answered or closed one reopens.

    Raises:
        ValidationFailed: the text is empty or too long, or the channel is unknown.
        InvalidTransition: the inquiry became a request case (the case handles it now).
    """
    bundle = current_bundle(session)
    errors = check_message(text, bundle.inquiries.form.max_message_length, "text")
    if channel not in set(Channel):
        errors.append(FieldError("channel", f"must be one of {', '.join(Channel)}"))
    if errors:
        refuse(errors, "the message")
    inquiry = get_inquiry(session, inquiry_id)
    wanted = _after_inbound(State(inquiry.state))
    if wanted is not None:
        move(session, actor, inquiry, wanted, now=utcnow(), trigger="inbound_message")
    cipher = cipher_from_settings(settings)
    inquiry.messages.append(
        message_row(
            cipher, direction=Direction.INBOUND, channel=channel, text=scrub(text, session.info), author=actor
        )
    )
    session.flush()
    record_event(
        session, actor=actor, action="inquiry.message_received", target_type="inquiry",
        target_id=str(inquiry.id), details={"channel": channel},
    )  # fmt: skip
    return inquiry


def _after_inbound(state: State) -> State | None:
    if state == State.WAITING_FOR_CUSTOMER:
        return State.ASSIGNED
    if state in {State.ANSWERED, State.CLOSED}:
        return State.REOPENED
    if state == State.CONVERTED:
        check_transition(state, State.REOPENED)  # raises: the request case carries on
    return None


def close(session: Session, actor: str, inquiry_id: uuid.UUID) -> Inquiry:
    """Close the inquiry (from new only for spam or duplicates). Raises InvalidTransition."""
    inquiry = get_inquiry(session, inquiry_id)
    move(session, actor, inquiry, State.CLOSED, now=utcnow())
    return inquiry


def reopen(session: Session, actor: str, inquiry_id: uuid.UUID) -> Inquiry:
    """Reopen an answered or closed inquiry. Raises InvalidTransition."""
    inquiry = get_inquiry(session, inquiry_id)
    move(session, actor, inquiry, State.REOPENED, now=utcnow())
    inquiry.closed_at = None
    return inquiry


def link_subject(session: Session, actor: str, inquiry_id: uuid.UUID, subject_id: uuid.UUID) -> Inquiry:
    """Record that the inquirer is a known person (after staff identified them)."""
    if get_subject(session, subject_id) is None:
        refuse([FieldError("subject_id", "no such subject")], "the link")
    inquiry = get_inquiry(session, inquiry_id)
    inquiry.subject_id = subject_id
    inquiry.updated_at = utcnow()
    record_event(
        session, actor=actor, action="inquiry.subject_linked", target_type="inquiry",
        target_id=str(inquiry.id), details={"subject_id": str(subject_id)},
    )  # fmt: skip
    return inquiry


REVIEW_NOTE_MAX = 1000


def mark_for_review(session: Session, actor: str, inquiry_id: uuid.UUID, note: str) -> Inquiry:
    """Mark a complaint for the management review, with a note of why (audited); marking again updates it.

    Raises:
        NotFound: no such inquiry.
        ValidationFailed: not a complaint, or no note (1-1000 characters); nothing is written.
    """
    inquiry = get_inquiry(session, inquiry_id)
    errors: list[FieldError] = []
    if inquiry.category != "complaint":
        errors.append(FieldError("category", "only a complaint is marked for the management review"))
    if not note.strip() or len(note) > REVIEW_NOTE_MAX:
        errors.append(FieldError("note", f"why it matters for the review, 1-{REVIEW_NOTE_MAX} characters"))
    if errors:
        refuse(errors, "the mark")
    now = utcnow()
    inquiry.review_marked_at, inquiry.review_marked_by, inquiry.review_note = now, actor, note.strip()
    inquiry.updated_at = now
    record_event(
        session, actor=actor, action="inquiry.marked_for_review", target_type="inquiry",
        target_id=str(inquiry.id), details={"note_length": len(note.strip())},
    )  # fmt: skip
    return inquiry


def marked_for_review(session: Session, *, since: datetime | None = None, limit: int = 200) -> list[Inquiry]:
    """Complaints marked for the management review (optionally since an instant), newest mark first."""
    stmt = select(Inquiry).where(Inquiry.review_marked_at.is_not(None))
    if since is not None:
        stmt = stmt.where(Inquiry.review_marked_at >= since)
    return list(session.scalars(stmt.order_by(Inquiry.review_marked_at.desc()).limit(limit)))

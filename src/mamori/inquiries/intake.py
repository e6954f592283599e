"""Open inquiries: check what arrived, encrypt the person's data, start the clock, audit.

Names, contact data and message texts are encrypted (contexts below); the e-mail address also gets
the subjects' blind index, so staff can find the inquiries of a person. The public form is limited
per client address: only a keyed hash of the address is stored, never the address.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.inquiries.models import Inquiry, InquiryMessage
from mamori.inquiries.rules import CATEGORIES, Channel, Direction, State
from mamori.inquiries.timing import centre_calendar, set_due
from mamori.policy.schema import PolicyBundle
from mamori.security.crypto import FieldCipher, blind_index, cipher_from_settings
from mamori.security.mynumber import scrub
from mamori.security.ratelimit import RateLimited
from mamori.subjects.repository import get_subject
from mamori.subjects.rules import InvalidIdentifier, normalise
from mamori.subjects.validation import CLOCK_SKEW, FieldError, current_bundle, refuse

NAME_CONTEXT = "inquiries.name"
EMAIL_CONTEXT = "inquiries.email"
PHONE_CONTEXT = "inquiries.phone"
BODY_CONTEXT = "inquiry_messages.body"
CLIENT_KIND = "inquiry_client"
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


@dataclass(frozen=True, slots=True)
class NewInquiry:
    """What arrived. ``client_address`` is only for the public form's rate limit."""

    channel: str
    language: str
    category: str
    message: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    subject_id: uuid.UUID | None = None
    received_at: datetime | None = None
    client_address: str | None = None


def clean_text(text: str) -> str:
    """Line ends made uniform and NUL characters dropped; the text is otherwise kept as typed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def open_inquiry(session: Session, settings: Settings, actor: str, new: NewInquiry) -> Inquiry:
    """Open an inquiry in state ``new`` with its first inbound message and its due instants.

    Raises:
        ValidationFailed: a field is wrong (each is named: ``message``, ``email``, ``language``, ...).
        RateLimited: the client address sent too many forms within the bundle's window.
        NotFound: no policy is published.
    """
    bundle = current_bundle(session)
    now = utcnow()
    errors = check_new(session, bundle, new, now)
    if errors:
        refuse(errors, "the inquiry")
    client_key = blind_index(settings, CLIENT_KIND, new.client_address) if new.client_address else None
    if client_key is not None:
        check_rate(session, bundle, client_key, now)
    new = dataclasses.replace(new, message=scrub(new.message, session.info))
    inquiry = _build(cipher_from_settings(settings), bundle, new, actor, now)
    inquiry.email_index = blind_index(settings, "email", normalise("email", new.email)) if new.email else None
    inquiry.client_key = client_key
    set_due(centre_calendar(bundle), inquiry)
    session.add(inquiry)
    session.flush()
    record_event(
        session, actor=actor, action="inquiry.opened", target_type="inquiry", target_id=str(inquiry.id),
        details={"reference": inquiry.reference, "channel": inquiry.channel, "language": inquiry.language,
                 "category": inquiry.category, "subject_id": str(new.subject_id) if new.subject_id else None},
    )  # fmt: skip
    return inquiry


def _build(cipher: FieldCipher, bundle: PolicyBundle, new: NewInquiry, actor: str, now: datetime) -> Inquiry:
    target = bundle.inquiries.target_for(new.category)
    received = new.received_at or now
    inquiry = Inquiry(
        id=uuid.uuid4(),
        reference=new_reference(received),
        channel=new.channel,
        language=new.language,
        category=new.category,
        state=State.NEW,
        subject_id=new.subject_id,
        name_encrypted=_seal(cipher, new.name, NAME_CONTEXT),
        email_encrypted=_seal(cipher, new.email and normalise("email", new.email), EMAIL_CONTEXT),
        phone_encrypted=_seal(cipher, new.phone and new.phone.strip(), PHONE_CONTEXT),
        received_at=received,
        first_response_hours=target.first_response_hours,
        resolution_hours=target.resolution_hours,
        paused_seconds=0.0,
        created_by=actor,
        updated_at=now,
    )
    inquiry.messages.append(
        message_row(
            cipher,
            direction=Direction.INBOUND,
            channel=new.channel,
            text=new.message,
            author=actor,
        )
    )
    return inquiry


def message_row(
    cipher: FieldCipher, *, direction: Direction, channel: str, text: str, author: str
) -> InquiryMessage:
    return InquiryMessage(
        direction=direction,
        channel=channel,
        body_encrypted=cipher.encrypt(clean_text(text), context=BODY_CONTEXT),
        author=author,
        created_at=utcnow(),
    )


def _seal(cipher: FieldCipher, value: str | None, context: str) -> str | None:
    return cipher.encrypt(value.strip(), context=context) if value and value.strip() else None


def new_reference(received: datetime) -> str:
    """``Q-261201-7KX3PA``: the receipt date (UTC) and six random characters, easy to read out."""
    tail = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"Q-{received:%y%m%d}-{tail}"


def check_new(session: Session, bundle: PolicyBundle, new: NewInquiry, now: datetime) -> list[FieldError]:
    """Every problem of an arriving inquiry, each naming its field (never quoting the value)."""
    form = bundle.inquiries.form
    errors = check_message(new.message, form.max_message_length)
    if new.channel not in set(Channel):
        errors.append(FieldError("channel", f"must be one of {', '.join(Channel)}"))
    languages = bundle.contact_centre.languages
    if new.language not in languages:
        errors.append(FieldError("language", f"must be one of {', '.join(languages)}"))
    if new.category not in CATEGORIES:
        errors.append(FieldError("category", f"must be one of {', '.join(CATEGORIES)}"))
    if new.name is not None and len(new.name.strip()) > form.max_name_length:
        errors.append(FieldError("name", f"must have at most {form.max_name_length} characters"))
    errors += _check_contact(new)
    if new.subject_id is not None and get_subject(session, new.subject_id) is None:
        errors.append(FieldError("subject_id", "no such subject"))
    if new.received_at is not None and new.received_at > now + CLOCK_SKEW:
        errors.append(FieldError("received_at", "is in the future"))
    return errors


def check_message(text: str, limit: int, field: str = "message") -> list[FieldError]:
    if not clean_text(text).strip():
        return [FieldError(field, "must not be empty")]
    if len(clean_text(text)) > limit:
        return [FieldError(field, f"must have at most {limit} characters (it has {len(clean_text(text))})")]
    return []


def _check_contact(new: NewInquiry) -> list[FieldError]:
    errors = []
    for kind, value in (("email", new.email), ("phone", new.phone)):
        if value is None or not value.strip():
            continue
        try:
            normalise(kind, value)
        except InvalidIdentifier:
            errors.append(
                FieldError(kind, "not an e-mail address" if kind == "email" else "not a phone number")
            )
    if new.channel == Channel.WEB_FORM and not (new.email and new.email.strip()):
        errors.append(FieldError("email", "is required: the answer is sent by e-mail"))
    return errors


def check_rate(session: Session, bundle: PolicyBundle, client_key: str, now: datetime) -> None:
    """Raises RateLimited when this client already sent the bundle's maximum within the window."""
    limit = bundle.inquiries.form.rate_limit
    since = now - timedelta(minutes=limit.window_minutes)
    stmt = select(func.count(), func.min(Inquiry.received_at)).where(
        Inquiry.client_key == client_key, Inquiry.received_at > since
    )
    count, oldest = session.execute(stmt).one()
    if count >= limit.submissions:
        retry = max(1, int((oldest + timedelta(minutes=limit.window_minutes) - now).total_seconds()))
        raise RateLimited(
            f"too many inquiries from this address; try again in {retry // 60 + 1} minutes",
            retry_after=retry,
        )

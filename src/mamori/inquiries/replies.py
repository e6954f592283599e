"""Answers: a template per category and language filled with the case, sent by e-mail and recorded.

The e-mail goes through :mod:`mamori.notify` (SMTP, console or null backend): it is queued in the
caller's transaction and sent after commit. The outbound message of the thread keeps the full text
(encrypted) and points at the queued e-mail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.inquiries import texts
from mamori.inquiries.intake import EMAIL_CONTEXT, NAME_CONTEXT, check_message, message_row
from mamori.inquiries.models import Inquiry, InquiryMessage
from mamori.inquiries.rules import PURPOSE, Channel, Direction, State
from mamori.inquiries.service import get_inquiry, move
from mamori.notices.messages import hours, join
from mamori.notices.privacy import closed_days
from mamori.notify.service import Outbox, queue_email
from mamori.policy.schema import PolicyBundle
from mamori.security.crypto import FieldCipher, cipher_from_settings
from mamori.security.mynumber import scrub
from mamori.subjects.validation import FieldError, current_bundle, refuse


@dataclass(frozen=True, slots=True)
class Reply:
    subject: str
    body: str


def render_reply(  # noqa: PLR0913 - the facts a letter is made of
    bundle: PolicyBundle, *, category: str, language: str, reference: str, name: str | None, answer: str,
    ask_back: bool = False,
) -> Reply:  # fmt: skip
    """The e-mail for one answer: greeting, the category's opening, the agent's text, how to reach us."""
    centre = bundle.contact_centre
    centre_name = centre.name.get(language)
    open_hours = hours(centre.opens, centre.closes, language)
    parts = [texts.greeting(name, language), texts.intro(category, language), answer.strip()]
    if ask_back:
        parts.append(texts.ask_back(language))
    parts.append(texts.closing(reference, language))
    closed = join(closed_days(centre, language), language)
    footer = f"{centre_name}\n{texts.hours_line(open_hours, closed, language)}"
    body = "\n\n".join([*parts, footer]) + "\n"
    return Reply(subject=texts.subject_line(centre_name, category, reference, language), body=body)


def reply_for(
    bundle: PolicyBundle, cipher: FieldCipher, inquiry: Inquiry, answer: str, *, ask_back: bool
) -> Reply:
    name = cipher.decrypt(inquiry.name_encrypted, context=NAME_CONTEXT) if inquiry.name_encrypted else None
    return render_reply(
        bundle, category=inquiry.category, language=inquiry.language, reference=inquiry.reference,
        name=name, answer=answer, ask_back=ask_back,
    )  # fmt: skip


def reply(  # noqa: PLR0913 - the answer and how it goes
    session: Session, settings: Settings, outbox: Outbox, actor: str, inquiry_id: uuid.UUID, *,
    answer: str, wait_for_customer: bool = False,
) -> Inquiry:  # fmt: skip
    """E-mail an answer in the inquiry's language and record it; the inquiry becomes answered.

    With ``wait_for_customer`` the answer asks the person for more and the clock stops until they reply.

    Raises:
        ValidationFailed: the answer is empty or too long, or the inquiry has no e-mail address.
        InvalidTransition: the inquiry is closed or converted.
    """
    bundle = current_bundle(session)
    inquiry = get_inquiry(session, inquiry_id)
    errors = check_message(answer, bundle.inquiries.form.max_message_length, "answer")
    if inquiry.email_encrypted is None:
        errors.append(
            FieldError("email", "the inquiry has no e-mail address; record a phone or letter answer")
        )
    if errors:
        refuse(errors, "the answer")
    now = utcnow()
    _take_if_new(session, actor, inquiry, now)
    wanted = State.WAITING_FOR_CUSTOMER if wait_for_customer else State.ANSWERED
    move(session, actor, inquiry, wanted, now=now, channel="email")
    cipher = cipher_from_settings(settings)
    answer = scrub(answer, session.info)
    letter = reply_for(bundle, cipher, inquiry, answer, ask_back=wait_for_customer)
    to = cipher.decrypt(inquiry.email_encrypted or "", context=EMAIL_CONTEXT)
    queued = queue_email(
        session, outbox=outbox, actor=actor, to=to, subject=letter.subject, body=letter.body,
        language=inquiry.language, purpose=PURPOSE,
    )  # fmt: skip
    row = message_row(
        cipher, direction=Direction.OUTBOUND, channel=Channel.EMAIL, text=letter.body, author=actor
    )
    row.outbound_message_id = queued.id
    _answered(session, actor, inquiry, row, final=not wait_for_customer)
    return inquiry


def record_answer(  # noqa: PLR0913
    session: Session, settings: Settings, actor: str, inquiry_id: uuid.UUID, *,
    answer: str, channel: str, wait_for_customer: bool = False,
) -> Inquiry:  # fmt: skip
    """Record an answer given by phone or letter (nothing is sent); the clock is treated as for e-mail.

    Raises:
        ValidationFailed: the answer is empty or too long, or the channel is not phone or letter.
        InvalidTransition: as for :func:`reply`.
    """
    bundle = current_bundle(session)
    errors = check_message(answer, bundle.inquiries.form.max_message_length, "answer")
    if channel not in {Channel.PHONE, Channel.LETTER}:
        errors.append(FieldError("channel", "must be phone or letter (e-mail answers are sent with reply)"))
    if errors:
        refuse(errors, "the answer")
    inquiry = get_inquiry(session, inquiry_id)
    _take_if_new(session, actor, inquiry, utcnow())
    wanted = State.WAITING_FOR_CUSTOMER if wait_for_customer else State.ANSWERED
    move(session, actor, inquiry, wanted, now=utcnow(), channel=channel)
    cipher = cipher_from_settings(settings)
    answer = scrub(answer, session.info)
    row = message_row(cipher, direction=Direction.OUTBOUND, channel=channel, text=answer, author=actor)
    _answered(session, actor, inquiry, row, final=not wait_for_customer)
    return inquiry


def _take_if_new(session: Session, actor: str, inquiry: Inquiry, now: datetime) -> None:
    """Whoever answers a new inquiry takes it: it is assigned to them first (audited as such)."""
    if inquiry.state != State.NEW:
        return
    assignee = actor.removeprefix("user:")
    move(session, actor, inquiry, State.ASSIGNED, now=now, assignee=assignee, trigger="answer")
    inquiry.assignee = assignee


def _answered(session: Session, actor: str, inquiry: Inquiry, row: InquiryMessage, *, final: bool) -> None:
    now = utcnow()
    inquiry.messages.append(row)
    if inquiry.first_responded_at is None:
        inquiry.first_responded_at = now
    if final:
        inquiry.answered_at = now
    session.flush()
    record_event(
        session, actor=actor, action="inquiry.message_sent", target_type="inquiry",
        target_id=str(inquiry.id), details={"channel": row.channel, "final": final},
    )  # fmt: skip

"""Queue outbound e-mail inside the caller's transaction; send it after commit or from a later sweep.

Recipient and body are stored encrypted. A queued message is delivered right after the caller's unit
of work commits and is never sent if it rolls back. Pending messages stay in the database, so a crash
loses nothing: :func:`dispatch_pending` sends whatever is left. Each delivery runs in its own short
transaction that locks the row, so two dispatchers never send the same message twice.
"""

from __future__ import annotations

import base64
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.db.session import after_commit, unit_of_work
from mamori.errors import ValidationFailed
from mamori.notify.backends import Attachment, DeliveryFailed, Email, MailBackend, backend_from_settings
from mamori.notify.models import OutboundMessage
from mamori.notify.rules import (
    MAX_ATTEMPTS,
    MessageStatus,
    clip_error,
    message_problems,
    status_after_failure,
)
from mamori.security.crypto import FieldCipher, cipher_from_settings

RECIPIENT_CONTEXT = "outbound_messages.recipient"
BODY_CONTEXT = "outbound_messages.body"
ATTACHMENT_CONTEXT = "outbound_messages.attachment"
SYSTEM_ACTOR = "system:notify"
TARGET_TYPE = "outbound_message"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outbox:
    """What sending needs. ``dispatch_on_commit=False`` leaves delivery to a worker's sweep."""

    session_factory: sessionmaker[Session]
    backend: MailBackend
    cipher: FieldCipher
    sender: str
    max_attempts: int = MAX_ATTEMPTS
    dispatch_on_commit: bool = True


@dataclass(frozen=True)
class DispatchResult:
    sent: int = 0
    failed: int = 0


def outbox_from_settings(settings: Settings, session_factory: sessionmaker[Session]) -> Outbox:
    return Outbox(
        session_factory=session_factory,
        backend=backend_from_settings(settings),
        cipher=cipher_from_settings(settings),
        sender=settings.mail_from,
    )


def queue_email(  # noqa: PLR0913 - a message is this many things
    session: Session,
    *,
    outbox: Outbox,
    actor: str,
    to: str,
    subject: str,
    body: str,
    language: str,
    purpose: str,
    attachment: Attachment | None = None,
) -> OutboundMessage:
    """Store an e-mail in the caller's transaction and send it once that transaction commits.

    The subject is stored in clear (it is shown in the outbox), so it must not carry personal data.
    An ``attachment`` (a PDF) is stored encrypted like the body; its file name is kept in clear.

    Raises:
        ValidationFailed: the address, subject, language or purpose cannot be used.
    """
    problems = message_problems(to=to, subject=subject, language=language, purpose=purpose)
    if problems:
        raise ValidationFailed("the message cannot be queued", details={"errors": problems})
    message = _new_message(outbox.cipher, to=to, subject=subject, body=body)
    message.language, message.purpose = language, purpose
    if attachment is not None:
        message.attachment_name = f"{attachment.content_type};{attachment.filename}"
        encoded = base64.b64encode(attachment.data).decode("ascii")
        message.attachment_encrypted = outbox.cipher.encrypt(encoded, context=ATTACHMENT_CONTEXT)
    session.add(message)
    _audit(session, actor, "message.queued", message, purpose=purpose, language=language)
    if outbox.dispatch_on_commit:
        message_id = message.id
        after_commit(session, lambda: _deliver_after_commit(outbox, message_id))
    return message


def dispatch_pending(outbox: Outbox, *, limit: int = 100) -> DispatchResult:
    """Send up to ``limit`` pending messages, oldest first, each in its own transaction."""
    with unit_of_work(outbox.session_factory) as session:
        ids = list(
            session.scalars(
                select(OutboundMessage.id)
                .where(OutboundMessage.status == MessageStatus.PENDING)
                .order_by(OutboundMessage.created_at, OutboundMessage.id)
                .limit(limit)
            )
        )
    outcomes = [deliver(outbox, message_id) for message_id in ids]
    return DispatchResult(sent=outcomes.count(True), failed=outcomes.count(False))


def deliver(outbox: Outbox, message_id: uuid.UUID) -> bool | None:
    """Try one message: True if sent, False if the attempt failed, None if it was not pending."""
    with unit_of_work(outbox.session_factory) as session:
        return deliver_in(session, outbox, message_id)


def deliver_in(session: Session, outbox: Outbox, message_id: uuid.UUID) -> bool | None:
    """:func:`deliver` inside the caller's transaction (a worker's job): the outcome commits with it."""
    message = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.status == MessageStatus.PENDING)
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if message is None:
        return None
    failure = _try_send(outbox, message)
    if failure is None:
        _mark_sent(session, message)
        return True
    _mark_failed(session, outbox, message, failure)
    return False


def _new_message(cipher: FieldCipher, *, to: str, subject: str, body: str) -> OutboundMessage:
    return OutboundMessage(
        id=uuid.uuid4(),
        channel="email",
        recipient_encrypted=cipher.encrypt(to, context=RECIPIENT_CONTEXT),
        subject=subject,
        body_encrypted=cipher.encrypt(body, context=BODY_CONTEXT),
        status=MessageStatus.PENDING,
        attempts=0,
        created_at=utcnow(),
    )


def _deliver_after_commit(outbox: Outbox, message_id: uuid.UUID) -> None:
    # The caller's work is already committed: a failure here must not reach it. The row stays
    # pending (or records the failed attempt) and dispatch_pending picks it up later.
    try:
        deliver(outbox, message_id)
    except Exception:
        logger.exception("outbound message %s left pending for the next dispatch", message_id)


def _try_send(outbox: Outbox, message: OutboundMessage) -> DeliveryFailed | None:
    try:
        outbox.backend.send(_compose(outbox, message))
    except DeliveryFailed as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - any backend or key error is a failed attempt
        # Its text may quote the address or body, so only the kind of error is kept.
        return DeliveryFailed(f"delivery error ({type(exc).__name__})")
    return None


def _compose(outbox: Outbox, message: OutboundMessage) -> Email:
    attachments: tuple[Attachment, ...] = ()
    if message.attachment_encrypted is not None and message.attachment_name:
        content_type, _, filename = message.attachment_name.partition(";")
        encoded = outbox.cipher.decrypt(message.attachment_encrypted, context=ATTACHMENT_CONTEXT)
        attachments = (Attachment(filename, content_type, base64.b64decode(encoded)),)
    return Email(
        to=outbox.cipher.decrypt(message.recipient_encrypted, context=RECIPIENT_CONTEXT),
        subject=message.subject,
        body=outbox.cipher.decrypt(message.body_encrypted, context=BODY_CONTEXT),
        sender=outbox.sender,
        attachments=attachments,
    )


def _mark_sent(session: Session, message: OutboundMessage) -> None:
    message.attempts += 1
    message.status, message.sent_at, message.last_error = MessageStatus.SENT, utcnow(), None
    _audit(session, SYSTEM_ACTOR, "message.sent", message, attempts=message.attempts)


def _mark_failed(session: Session, outbox: Outbox, message: OutboundMessage, failure: DeliveryFailed) -> None:
    message.attempts += 1
    message.last_error = clip_error(failure.message)
    message.status = status_after_failure(
        message.attempts, max_attempts=outbox.max_attempts, permanent=failure.permanent
    )
    logger.warning("outbound message %s: attempt %d failed: %s", message.id, message.attempts, failure)
    _audit(
        session, SYSTEM_ACTOR, "message.failed", message,
        attempts=message.attempts, status=str(message.status), error=message.last_error,
    )  # fmt: skip


def _audit(session: Session, actor: str, action: str, message: OutboundMessage, **details: object) -> None:
    record_event(
        session,
        actor=actor,
        action=action,
        target_type=TARGET_TYPE,
        target_id=str(message.id),
        details={"message_id": str(message.id), **details},
    )

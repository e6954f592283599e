"""Delivering the answer: registered mail in print batches, or a download link opened with a one-time code.

The link and the code go out in two separate e-mails through :mod:`mamori.notify`; only their
keyed hashes are stored. A link expires after the bundle's ``download_link_days``, a code is used
once and locks after ``download_code_attempts`` wrong tries.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr import messages
from mamori.dsr.models import Case, CaseLetter, Delivery, PrintBatch
from mamori.dsr.rules import CaseState
from mamori.dsr.service import common, letters
from mamori.errors import Conflict, NotFound
from mamori.notices import messages as m
from mamori.notify.service import Outbox, queue_email
from mamori.security.crypto import blind_index
from mamori.subjects.validation import FieldError, refuse

QUEUED, MAILED, SENT, OPENED, LOCKED = "queued", "mailed", "sent", "opened", "locked"
MAX_TRACKING = 40
CODE_DIGITS = 6


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One envelope of a print batch: the letter and where it goes."""

    delivery: Delivery
    reference: str
    addressee: str
    address: str
    pdf: bytes


def _ready_letter(session: Session, case: Case, *, actor: str, settings: Settings | None) -> CaseLetter:
    if case.state not in {CaseState.DECIDED, CaseState.REJECTED}:
        refuse(
            [FieldError("state", f"the case is {case.state}; only a decided or rejected case is answered")],
            "the delivery",
        )
    if case.fee_yen and case.fee_paid_at is None and case.state == CaseState.DECIDED:
        refuse([FieldError("fee", f"the fee of {case.fee_yen} yen is not paid yet")], "the delivery")
    try:
        return letters.latest_letter(session, case.id)
    except NotFound:
        return letters.generate_letter(session, actor=actor, case_id=case.id, settings=settings)


def send_by_post(
    session: Session, *, actor: str, case_id: uuid.UUID, settings: Settings | None = None
) -> Delivery:
    """Put the letter in the next print batch, for registered mail to the address on the ID.

    Raises:
        NotFound: no such case. ValidationFailed: not answerable yet, fee unpaid, or no address.
    """
    case = common.get_case(session, case_id, for_update=True)
    if case.requester_address_encrypted is None:
        refuse([FieldError("requester.address", "no postal address on the case")], "the delivery")
    letter = _ready_letter(session, case, actor=actor, settings=settings)
    delivery = Delivery(case_id=case.id, letter_id=letter.id, method="post", status=QUEUED, created_by=actor)
    session.add(delivery)
    session.flush()
    common.audit(
        session,
        case,
        actor=actor,
        action="request.delivery_queued",
        delivery_id=str(delivery.id),
        method="post",
    )
    return delivery


def create_print_batch(
    session: Session, *, actor: str, settings: Settings | None = None
) -> tuple[PrintBatch, list[BatchItem]]:
    """Collect every queued postal letter into a batch to print; each item carries the decrypted address.

    Raises:
        Conflict: nothing is waiting to be printed.
    """
    queued = list(
        session.scalars(
            select(Delivery)
            .where(Delivery.method == "post", Delivery.status == QUEUED, Delivery.batch_id.is_(None))
            .order_by(Delivery.created_at)
            .with_for_update()
        )
    )
    if not queued:
        raise Conflict("no letter is waiting to be printed")
    batch = PrintBatch(id=uuid.uuid4(), created_by=actor, count=len(queued))
    session.add(batch)
    session.flush()
    cipher, items = common.cipher(settings), []
    for delivery in queued:
        delivery.batch_id = batch.id
        case = common.get_case(session, delivery.case_id)
        letter = session.get_one(CaseLetter, delivery.letter_id)
        items.append(
            BatchItem(
                delivery=delivery,
                reference=case.reference,
                addressee=cipher.decrypt(case.requester_name_encrypted, context=common.NAME_CONTEXT),
                address=cipher.decrypt(
                    case.requester_address_encrypted or "", context=common.ADDRESS_CONTEXT
                ),
                pdf=letters.letter_bytes(letter, settings),
            )
        )
        common.audit(session, case, actor=actor, action="request.letter_printed", batch_id=str(batch.id))
    session.flush()
    return batch, items


def record_mailing(
    session: Session,
    *,
    actor: str,
    delivery_id: uuid.UUID,
    tracking_number: str,
    mailed_at: datetime | None = None,
) -> Delivery:
    """Record the registered-mail number of a printed letter; the case is then ``responded``.

    Raises:
        NotFound: no such delivery. ValidationFailed: not printed yet, or a bad tracking number.
        InvalidTransition: the case cannot be responded any more.
    """
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.method != "post":
        raise NotFound(f"no postal delivery {delivery_id}")
    errors = []
    if delivery.batch_id is None or delivery.status != QUEUED:
        errors.append(FieldError("delivery", "print the letter in a batch first; it is mailed once"))
    if not tracking_number.strip() or len(tracking_number) > MAX_TRACKING:
        errors.append(FieldError("tracking_number", f"1 to {MAX_TRACKING} characters"))
    if errors:
        refuse(errors, "the mailing record")
    case = common.get_case(session, delivery.case_id, for_update=True)
    _responded(session, case, actor=actor, how=f"registered mail {tracking_number.strip()}")
    delivery.status, delivery.tracking_number = MAILED, tracking_number.strip()
    delivery.mailed_at = mailed_at or utcnow()
    session.flush()
    return delivery


def _responded(session: Session, case: Case, *, actor: str, how: str) -> None:
    if case.state == CaseState.DECIDED:
        common.move(session, case, CaseState.RESPONDED, actor=actor, reason=how)
        case.responded_at = utcnow()
    else:  # a rejected case is already final: the letter is its answer
        common.audit(session, case, actor=actor, action="request.answer_sent", how=how)


def _code_hash(settings: Settings, delivery_id: uuid.UUID, code: str) -> str:
    return blind_index(settings, "dsr.download_code", f"{delivery_id}:{code}")


def send_electronically(
    session: Session,
    *,
    actor: str,
    case_id: uuid.UUID,
    outbox: Outbox,
    settings: Settings | None = None,
) -> Delivery:
    """Mail a download link and, separately, its one-time code; the case is then ``responded``.

    Raises:
        NotFound: no such case. ValidationFailed: not answerable yet, fee unpaid, or no e-mail address.
    """
    settings = common.settings_or_default(settings)
    case = common.get_case(session, case_id, for_update=True)
    if case.requester_email_encrypted is None:
        refuse([FieldError("requester.email", "no e-mail address on the case")], "the delivery")
    letter = _ready_letter(session, case, actor=actor, settings=settings)
    handling = common.policy(session).request_handling
    token, code = secrets.token_urlsafe(32), f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    delivery = Delivery(
        id=uuid.uuid4(),
        case_id=case.id,
        letter_id=letter.id,
        method="electronic",
        status=SENT,
        token_index=blind_index(settings, "dsr.download", token),
        created_by=actor,
        expires_at=utcnow() + timedelta(days=handling.download_link_days),
    )
    delivery.code_hash = _code_hash(settings, delivery.id, code)
    session.add(delivery)
    session.flush()
    to = common.cipher(settings).decrypt(case.requester_email_encrypted, context=common.EMAIL_CONTEXT)
    link = settings.public_url(f"/requests/download/{token}?lang={case.language}")  # never a Host header
    until = m.long_date(common.tokyo_date(delivery.expires_at or utcnow()), case.language)
    for subject_key, body in (
        ("mail.link_subject", _link_body(case, link, until)),
        ("mail.code_subject", _code_body(case, code)),
    ):
        queue_email(
            session,
            outbox=outbox,
            actor=actor,
            to=to,
            language=case.language,
            purpose="dsr.response",
            subject=f"{messages.text(subject_key, case.language)} [{case.reference}]",
            body=body,
        )
    _responded(session, case, actor=actor, how="download link sent")
    common.audit(
        session,
        case,
        actor=actor,
        action="request.delivery_sent",
        delivery_id=str(delivery.id),
        method="electronic",
    )
    return delivery


def _link_body(case: Case, link: str, until: str) -> str:
    return messages.text("mail.link_body", case.language).format(
        reference=case.reference, link=link, until=until
    )


def _code_body(case: Case, code: str) -> str:
    return messages.text("mail.code_body", case.language).format(reference=case.reference, code=code)


def delivery_by_token(
    session: Session, token: str, settings: Settings | None = None, *, lock: bool = False
) -> Delivery:
    """The electronic delivery of a download link. Raises NotFound (also for an expired link).

    ``lock`` takes the row lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write
    transaction already serialises) and reloads the row, so a check and a count that follow
    see every try committed before them.
    """
    settings = common.settings_or_default(settings)
    stmt = select(Delivery).where(Delivery.token_index == blind_index(settings, "dsr.download", token))
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    delivery = session.scalars(stmt).first()
    if delivery is None or delivery.expires_at is None or delivery.expires_at <= utcnow():
        raise NotFound("this download link does not exist or has expired")
    return delivery


@dataclass(frozen=True, slots=True)
class DownloadAttempt:
    """The outcome of entering a code: the PDF when it was right, else how many tries are left."""

    pdf: bytes | None
    attempts_left: int
    locked: bool


def open_download(
    session: Session, *, token: str, code: str, settings: Settings | None = None
) -> DownloadAttempt:
    """The letter behind a download link, for the right one-time code; a wrong code is counted.

    The caller commits in both cases (a wrong try must stay counted). The check and the count
    happen under the delivery's row lock, so concurrent wrong tries cannot race past the limit.

    Raises:
        NotFound: unknown or expired link.
    """
    settings = common.settings_or_default(settings)
    delivery = delivery_by_token(session, token, settings, lock=True)
    case = common.get_case(session, delivery.case_id)
    limit = common.policy(session).request_handling.download_code_attempts
    if delivery.status != SENT or delivery.code_hash is None:
        return DownloadAttempt(pdf=None, attempts_left=0, locked=True)
    if not hmac.compare_digest(delivery.code_hash, _code_hash(settings, delivery.id, code.strip())):
        delivery.attempts += 1
        if delivery.attempts >= limit:
            delivery.status, delivery.code_hash = LOCKED, None
        session.flush()
        common.audit(
            session,
            case,
            actor="public",
            action="request.download_refused",
            delivery_id=str(delivery.id),
            attempts=delivery.attempts,
        )
        return DownloadAttempt(
            pdf=None, attempts_left=max(limit - delivery.attempts, 0), locked=delivery.status == LOCKED
        )
    delivery.status, delivery.code_hash, delivery.opened_at = OPENED, None, utcnow()
    session.flush()
    common.audit(
        session, case, actor="public", action="request.letter_downloaded", delivery_id=str(delivery.id)
    )
    pdf = letters.letter_bytes(session.get_one(CaseLetter, delivery.letter_id), settings)
    return DownloadAttempt(pdf=pdf, attempts_left=0, locked=False)

"""Request status with a one-time code: issue the code, open a short visit with it, show the case.

A code is bound to one case (its hash covers the case id), used once, counted per wrong guess and
short-lived: minutes when e-mailed, weeks when printed on the postal acknowledgement. A good code
opens a *visit* (a random token the browser keeps in a cookie, hashed here) for a few minutes, in
which the person sees the case, uploads what is missing and downloads the answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.centre import messages
from mamori.centre.models import StatusCode
from mamori.centre.secrets import keyed, new_code, new_token, normalise_code, same
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr.models import Case, CaseLetter
from mamori.dsr.rules import FINAL_STATES, CaseState
from mamori.dsr.service import common
from mamori.dsr.service.lifecycle import proof_missing
from mamori.errors import NotFound
from mamori.notify.service import Outbox, queue_email
from mamori.security.crypto import blind_index
from mamori.subjects.rules import InvalidIdentifier, normalise

EMAIL_MINUTES = 30
LETTER_DAYS = 45
VISIT_MINUTES = 20
MAX_ATTEMPTS = 5
ACTOR = "public:status"
_CODE_KIND, _VISIT_KIND = "centre.status_code", "centre.status_visit"


class CodeRefused(NotFound):
    """The status visit is unknown or over (one error for every reason)."""


def _code_hash(settings: Settings, case_id: uuid.UUID, code: str) -> str:
    return keyed(settings, _CODE_KIND, f"{case_id}:{code}")


def _issue(session: Session, case: Case, *, actor: str, sent_by: str, settings: Settings) -> str:
    code = new_code()
    valid = timedelta(minutes=EMAIL_MINUTES) if sent_by == "email" else timedelta(days=LETTER_DAYS)
    session.add(
        StatusCode(
            case_id=case.id,
            sent_by=sent_by,
            code_hash=_code_hash(settings, case.id, code),
            expires_at=utcnow() + valid,
            created_by=actor,
        )
    )
    session.flush()
    common.audit(session, case, actor=actor, action="request.status_code_issued", sent_by=sent_by)
    return code


def issue_letter_code(
    session: Session, *, actor: str, case_id: uuid.UUID, settings: Settings | None = None
) -> str:
    """A code to print on the postal acknowledgement letter (valid for weeks; returned once, kept hashed)."""
    case = common.get_case(session, case_id)
    return _issue(session, case, actor=actor, sent_by="letter", settings=common.settings_or_default(settings))


def send_status_code(  # noqa: PLR0913 - what the person typed and where mail goes
    session: Session,
    *,
    reference: str,
    email: str,
    language: str,
    outbox: Outbox,
    settings: Settings | None = None,
) -> bool:
    """E-mail a code when ``email`` is the address the request was made with; say nothing otherwise.

    Returns whether a code was sent (the page shows the same words either way).
    """
    settings = common.settings_or_default(settings)
    case = _case_by_reference(session, reference)
    try:
        index = blind_index(settings, "email", normalise("email", email))
    except InvalidIdentifier:
        return False
    if case is None or case.requester_email_index is None or not same(case.requester_email_index, index):
        return False
    code = _issue(session, case, actor=ACTOR, sent_by="email", settings=settings)
    body = messages.text("status.body", language).format(
        reference=case.reference, code=code, minutes=EMAIL_MINUTES
    )
    subject = messages.text("status.subject", language)
    queue_email(session, outbox=outbox, actor=ACTOR, to=normalise("email", email), subject=subject,
                body=body, language=language, purpose="dsr.status_code")  # fmt: skip
    return True


def _case_by_reference(session: Session, reference: str) -> Case | None:
    return session.scalars(select(Case).where(Case.reference == reference.strip().upper())).first()


def open_status(
    session: Session, *, reference: str, code: str, settings: Settings | None = None
) -> str | None:
    """Spend a code on a visit; returns the visit token for the browser's cookie, or None.

    None for every reason (unknown reference, wrong, used or expired code), so that a guesser learns
    nothing. It returns rather than raises because a wrong try is written and must be committed: it
    counts against every live code of the case, and the fifth wrong try ends them all.
    """
    settings = common.settings_or_default(settings)
    case = _case_by_reference(session, reference)
    if case is None:
        return None
    now = utcnow()
    live = list(
        session.scalars(
            select(StatusCode)
            .where(StatusCode.case_id == case.id, StatusCode.used_at.is_(None), StatusCode.expires_at > now)
            .with_for_update()
        )
    )
    wanted = _code_hash(settings, case.id, normalise_code(code))
    hit = next((c for c in live if c.attempts < MAX_ATTEMPTS and same(c.code_hash, wanted)), None)
    if hit is None:
        for row in live:
            row.attempts += 1
        session.flush()
        common.audit(session, case, actor=ACTOR, action="request.status_code_refused")
        return None
    token = new_token()
    hit.used_at, hit.visit_index = now, keyed(settings, _VISIT_KIND, token)
    hit.visit_expires_at = now + timedelta(minutes=VISIT_MINUTES)
    session.flush()
    common.audit(session, case, actor=ACTOR, action="request.status_opened", sent_by=hit.sent_by)
    return token


def visit_case(session: Session, *, token: str | None, settings: Settings | None = None) -> Case:
    """The case a visit token opened. Raises CodeRefused when the visit is unknown or over."""
    if not token:
        raise CodeRefused("no status visit")
    index = keyed(common.settings_or_default(settings), _VISIT_KIND, token)
    row = session.scalars(select(StatusCode).where(StatusCode.visit_index == index)).first()
    if row is None or row.visit_expires_at is None or row.visit_expires_at <= utcnow():
        raise CodeRefused("the status visit is over")
    return common.get_case(session, row.case_id)


@dataclass(frozen=True, slots=True)
class StatusView:
    """What a status page shows: the case as the person knows it, nothing they did not give."""

    reference: str
    request_type: str
    state: str
    received_on: date
    target_on: date
    art39_on: date
    cap_on: date | None
    missing: tuple[str, ...]
    may_upload: bool
    answer_ready: bool
    closed: bool


def status_view(session: Session, case: Case) -> StatusView:
    """The status of ``case`` (state codes; the page puts them in the reader's language)."""
    state = CaseState(case.state)
    missing = (
        tuple(proof_missing(session, case)) if state in {CaseState.RECEIVED, CaseState.IDENTITY_CHECK} else ()
    )
    return StatusView(
        reference=case.reference,
        request_type=case.request_type,
        state=case.state,
        received_on=common.tokyo_date(case.received_at),
        target_on=case.target_on,
        art39_on=case.art39_on,
        cap_on=case.cap_on,
        missing=missing,
        may_upload=bool(missing) and state not in FINAL_STATES,
        answer_ready=_answer_ready(session, case),
        closed=state in FINAL_STATES,
    )


def _answer_ready(session: Session, case: Case) -> bool:
    if case.response_method != "electronic" or case.state not in {CaseState.RESPONDED, CaseState.CLOSED}:
        return False
    return (
        session.scalars(select(CaseLetter.id).where(CaseLetter.case_id == case.id).limit(1)).first()
        is not None
    )


def upload_missing(  # noqa: PLR0913 - the visit and the file
    session: Session,
    *,
    token: str | None,
    kind: str,
    whose: str,
    data: bytes,
    document_type: str | None = None,
    settings: Settings | None = None,
) -> None:
    """Add a missing document to the case of the visit (checked and encrypted as any upload).

    Raises:
        CodeRefused: the visit is over.
        ValidationFailed: the file or its kind is not accepted; nothing is stored.
    """
    from mamori.dsr.service.identity import upload_document

    case = visit_case(session, token=token, settings=settings)
    upload_document(session, actor=ACTOR, case_id=case.id, kind=kind, whose=whose, data=data,
                    document_type=document_type or None, settings=settings)  # fmt: skip


def answer_pdf(session: Session, *, token: str | None, settings: Settings | None = None) -> tuple[str, bytes]:
    """The reference and the PDF of the electronic answer of the visit's case (the reading is audited).

    Raises:
        CodeRefused: the visit is over.
        NotFound: there is no electronic answer yet.
    """
    from mamori.dsr.service.letters import latest_letter, letter_bytes

    case = visit_case(session, token=token, settings=settings)
    if not _answer_ready(session, case):
        raise NotFound("there is no answer to download yet")
    letter = latest_letter(session, case.id)
    data = letter_bytes(letter, settings)
    common.audit(session, case, actor=ACTOR, action="request.answer_downloaded", letter_id=str(letter.id))
    return case.reference, data


def forget_visits(session: Session, *, now: datetime | None = None) -> int:
    """Delete codes and visits that can open nothing any more; returns how many."""
    now = now or utcnow()
    over = (StatusCode.visit_expires_at.is_(None)) | (StatusCode.visit_expires_at <= now)
    rows = session.scalars(select(StatusCode).where(StatusCode.expires_at <= now, over)).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)

"""Read views of cases for staff (API and CLI): the requester decrypted, deadlines, history."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr import deadlines
from mamori.dsr.models import Case, CaseEvent
from mamori.dsr.rules import TRANSITIONS, CaseState
from mamori.dsr.schemas import CaseEventRead, CaseRead, DeadlinesRead, RequesterRead
from mamori.dsr.service import common


def _open(cipher_text: str | None, context: str, settings: Settings | None) -> str | None:
    return common.cipher(settings).decrypt(cipher_text, context=context) if cipher_text else None


def case_view(session: Session, case: Case, settings: Settings | None = None) -> CaseRead:
    """The staff view of a case."""
    history = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at))
    state = CaseState(case.state)
    return CaseRead(
        id=case.id,
        reference=case.reference,
        request_type=case.request_type,
        ground=case.ground,
        erasure=case.erasure,
        channel=case.channel,
        language=case.language,
        jurisdiction=case.jurisdiction,
        state=case.state,
        allowed_transitions=sorted(TRANSITIONS[state]),
        subject_id=case.subject_id,
        inquiry_id=case.inquiry_id,
        response_method=case.response_method,
        received_at=case.received_at,
        requester=RequesterRead(
            kind=case.requester_kind,
            representation=case.representation,
            name=_open(case.requester_name_encrypted, common.NAME_CONTEXT, settings) or "",
            email=_open(case.requester_email_encrypted, common.EMAIL_CONTEXT, settings),
            address=_open(case.requester_address_encrypted, common.ADDRESS_CONTEXT, settings),
        ),
        deadlines=DeadlinesRead(
            target_on=case.target_on,
            art39_on=case.art39_on,
            cap_on=case.cap_on,
            overdue=case.closed_at is None
            and deadlines.is_overdue(case.target_on, common.tokyo_date(utcnow())),
        ),
        my_number_front_only=case.my_number_front_only,
        outcome=case.outcome,
        reasons=list(case.reasons),
        fee_yen=case.fee_yen,
        fee_paid_yen=case.fee_paid_yen,
        fee_paid_at=case.fee_paid_at,
        closed_at=case.closed_at,
        history=[
            CaseEventRead(
                from_state=e.from_state, to_state=e.to_state, actor=e.actor, reason=e.reason, at=e.at
            )
            for e in history
        ],
    )


def list_cases(session: Session, *, state: str | None = None, limit: int = 100) -> list[Case]:
    """Cases, newest first, optionally in one state."""
    stmt = select(Case).order_by(Case.received_at.desc()).limit(limit)
    if state:
        stmt = stmt.where(Case.state == state)
    return list(session.scalars(stmt))

"""Read views of cases for staff (API and CLI): the requester decrypted, deadlines, history."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.db.base import utcnow
from mamori.dsr import deadlines, messages
from mamori.dsr.models import Case, CaseEvent, PendingTask
from mamori.dsr.rules import TRANSITIONS, CaseState
from mamori.dsr.schemas import (
    CaseEventRead,
    CaseRead,
    DeadlinesRead,
    RequesterRead,
    StatementRead,
    TaskRead,
    WaitingRead,
)
from mamori.dsr.service import common
from mamori.policy.schema import LANGUAGES


def waiting_read(code: str | None) -> WaitingRead | None:
    """The reason a task waits, in the four languages."""
    if code is None:
        return None
    return WaitingRead(
        code=code, messages={lang: messages.text(f"task.waiting.{code}", lang) for lang in LANGUAGES}
    )


def task_views(session: Session, case: Case) -> list[TaskRead]:
    stmt = select(PendingTask).where(PendingTask.case_id == case.id).order_by(PendingTask.created_at)
    return [
        TaskRead(
            id=task.id,
            action=task.action,
            status=task.status,
            run_id=task.run_id,
            waiting=waiting_read(task.waiting),
            created_at=task.created_at,
            handed_over_at=task.handed_over_at,
        )
        for task in session.scalars(stmt)
    ]


def case_view(session: Session, case: Case) -> CaseRead:
    """The staff view of a case: no requester name or contact details (those need a reveal)."""
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
        # The name and contact details stay encrypted here: reading them names a purpose and is
        # audited (reading.reveal_requester, POST /requests/{id}/reveal, 'mamori requests reveal').
        requester=RequesterRead(kind=case.requester_kind, representation=case.representation),
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
        tasks=task_views(session, case),
        held_nowhere_else=_statement(case),
    )


def _statement(case: Case) -> StatementRead | None:
    if case.held_nowhere_else_at is None:
        return None
    return StatementRead(
        at=case.held_nowhere_else_at,
        by=case.held_nowhere_else_by or "",
        reason=case.held_nowhere_else_reason or "",
    )


def list_cases(session: Session, *, state: str | None = None, limit: int = 100) -> list[Case]:
    """Cases, newest first, optionally in one state."""
    stmt = select(Case).order_by(Case.received_at.desc()).limit(limit)
    if state:
        stmt = stmt.where(Case.state == state)
    return list(session.scalars(stmt))

"""What the case services share: the policy and calendar, the cipher, loading and moving a case."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.calendar.rules import BusinessCalendar
from mamori.calendar.service import TOKYO, calendar_from_contact_centre
from mamori.config import Settings, get_settings
from mamori.db.base import utcnow
from mamori.dsr.models import Case, CaseEvent
from mamori.dsr.rules import FINAL_STATES, CaseState, check_transition
from mamori.errors import NotFound
from mamori.policy.schema import PolicyBundle
from mamori.security.crypto import FieldCipher, cipher_from_settings
from mamori.subjects.validation import current_bundle

NAME_CONTEXT = "dsr_cases.requester_name"
EMAIL_CONTEXT = "dsr_cases.requester_email"
ADDRESS_CONTEXT = "dsr_cases.requester_address"
DETAILS_CONTEXT = "dsr_cases.details"
EXPLANATION_CONTEXT = "dsr_cases.explanation"
MAX_REASON = 500


def settings_or_default(settings: Settings | None) -> Settings:
    return settings or get_settings()


def cipher(settings: Settings | None) -> FieldCipher:
    return cipher_from_settings(settings_or_default(settings))


def policy(session: Session) -> PolicyBundle:
    """The policy in force. Raises NotFound when none is published."""
    return current_bundle(session)


def business_calendar(bundle: PolicyBundle) -> BusinessCalendar:
    """The request office works on the contact centre's calendar (weekends, holidays, closures)."""
    return calendar_from_contact_centre(bundle.contact_centre)


def tokyo_date(instant: datetime) -> date:
    return instant.astimezone(TOKYO).date()


def get_case(session: Session, case_id: uuid.UUID, *, for_update: bool = False) -> Case:
    """The case. Raises NotFound."""
    stmt = select(Case).where(Case.id == case_id)
    if for_update:
        stmt = stmt.with_for_update()
    case = session.scalars(stmt).first()
    if case is None:
        raise NotFound(f"no request case {case_id}")
    return case


def case_by_reference(session: Session, reference: str) -> Case:
    """The case with this reference (``R20261201-1A2B3C``). Raises NotFound."""
    case = session.scalars(select(Case).where(Case.reference == reference)).first()
    if case is None:
        raise NotFound(f"no request case {reference!r}")
    return case


def audit(session: Session, case: Case, *, actor: str, action: str, **details: object) -> None:
    """Record an event about the case (ids and codes only, never personal data)."""
    record_event(
        session,
        actor=actor,
        action=action,
        target_type="request",
        target_id=str(case.id),
        details={"reference": case.reference, **details},
    )


def move(session: Session, case: Case, target: CaseState, *, actor: str, reason: str) -> None:
    """Change the state if the machine allows it; the history and the audit log record it.

    Raises:
        InvalidTransition: not allowed from the current state (nothing changes).
    """
    current = CaseState(case.state)
    check_transition(current, target)
    now = utcnow()
    case.state = target.value
    if target in FINAL_STATES:
        case.closed_at = now
    session.add(
        CaseEvent(
            case_id=case.id,
            from_state=current.value,
            to_state=target.value,
            actor=actor,
            reason=reason[:MAX_REASON],
            at=now,
        )
    )
    session.flush()
    audit(
        session,
        case,
        actor=actor,
        action=f"request.{target.value}",
        from_state=current.value,
        reason=reason[:MAX_REASON],
    )

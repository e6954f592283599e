"""Staff reading of requesters: lists without personal data; a reveal names a purpose and is audited.

A requester need not be a subject on record, so the purpose is checked against the policy's
purposes and the reader's duties (``staff_roles``), not against a subject's categories.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr import deadlines
from mamori.dsr.models import Case
from mamori.dsr.schemas import CaseSummary, RequesterRead
from mamori.dsr.service import common
from mamori.errors import PolicyViolation
from mamori.security.duties import check_duty


def case_summary(case: Case) -> CaseSummary:
    """A case as lists show it: nothing that names or reaches the requester."""
    return CaseSummary(
        id=case.id,
        reference=case.reference,
        request_type=case.request_type,
        state=case.state,
        channel=case.channel,
        language=case.language,
        requester_kind=case.requester_kind,
        received_at=case.received_at,
        target_on=case.target_on,
        overdue=case.closed_at is None and deadlines.is_overdue(case.target_on, common.tokyo_date(utcnow())),
        closed_at=case.closed_at,
    )


def check_reading_purpose(session: Session, case: Case, *, actor: str, role: str, purpose: str) -> None:
    """Refuse (audited as ``request.read_refused``) a purpose outside the policy or ``role``'s duties.

    Raises:
        PolicyViolation: the purpose is not in the policy. Forbidden: it is outside the role's duties.
    """
    bundle = common.policy(session)
    if purpose not in bundle.purposes():
        common.audit(
            session,
            case,
            actor=actor,
            action="request.read_refused",
            purpose=purpose,
            reason="unknown-purpose",
        )
        message = f"purpose {purpose!r} is not in the current policy"
        raise PolicyViolation(message, details={"errors": [{"field": "purpose", "message": message}]})
    check_duty(
        session,
        bundle,
        actor=actor,
        role=role,
        purpose=purpose,
        target_type="request",
        target_id=str(case.id),
    )


def reveal_requester(  # noqa: PLR0913
    session: Session,
    case: Case,
    *,
    actor: str,
    role: str,
    purpose: str,
    settings: Settings | None = None,
) -> RequesterRead:
    """The requester's name, e-mail and address, for a purpose of the policy among ``role``'s duties.

    The read is audited as ``request.requester_read`` with the purpose; a refusal as
    ``request.read_refused`` (entry points commit it).

    Raises:
        PolicyViolation: the purpose is not in the policy. Forbidden: it is outside the role's duties.
    """
    check_reading_purpose(session, case, actor=actor, role=role, purpose=purpose)
    cipher = common.cipher(settings)

    def _open(token: str | None, context: str) -> str | None:
        return cipher.decrypt(token, context=context) if token else None

    view = RequesterRead(
        kind=case.requester_kind,
        representation=case.representation,
        name=_open(case.requester_name_encrypted, common.NAME_CONTEXT) or "",
        email=_open(case.requester_email_encrypted, common.EMAIL_CONTEXT),
        address=_open(case.requester_address_encrypted, common.ADDRESS_CONTEXT),
    )
    common.audit(session, case, actor=actor, action="request.requester_read", purpose=purpose)
    return view

"""Moving a case through its states. Each move is checked, recorded in the history and audited."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.dsr.models import Case, CaseDocument, IdentityCheck
from mamori.dsr.rules import (
    CaseState,
    CheckFact,
    CheckOutcome,
    DocumentKind,
    RejectReason,
    Representation,
    RequesterKind,
    Whose,
    missing_proof,
)
from mamori.dsr.service import common
from mamori.errors import ValidationFailed
from mamori.security.mynumber import scrub
from mamori.subjects.validation import FieldError, refuse

# Moves with their own service (they need more than a reason): decide, reject, respond.
_OWN_SERVICE = {
    CaseState.DECIDED: "record a decision (POST /requests/{id}/decision)",
    CaseState.REJECTED: "reject with a reason code (POST /requests/{id}/reject)",
    CaseState.RESPONDED: "deliver the response letter (POST /requests/{id}/deliveries)",
}


def transition_case(session: Session, *, actor: str, case_id: uuid.UUID, to: str, reason: str) -> Case:
    """Move a case to ``identity_check``, ``in_progress``, ``withdrawn`` or ``closed``.

    Raises:
        NotFound: no such case.
        ValidationFailed: unknown state, blank reason, or proof of identity still missing.
        InvalidTransition: the machine does not allow the move (the case is unchanged).
    """
    errors = _check_reason(reason)
    try:
        target = CaseState(to)
    except ValueError:
        errors.append(FieldError("to", f"unknown state; one of {', '.join(CaseState)}"))
        refuse(errors, "the transition")
    if target in _OWN_SERVICE:
        errors.append(FieldError("to", f"to reach {target.value}, {_OWN_SERVICE[target]}"))
    if errors:
        refuse(errors, "the transition")
    case = common.get_case(session, case_id, for_update=True)
    if target is CaseState.IN_PROGRESS and case.state == CaseState.IDENTITY_CHECK:
        _require_proof(session, case)
    common.move(session, case, target, actor=actor, reason=reason.strip())
    return case


def reject_case(  # noqa: PLR0913
    session: Session,
    *,
    actor: str,
    case_id: uuid.UUID,
    reason_code: str,
    explanation: str,
    settings: Settings | None = None,
) -> Case:
    """End a case before deciding on its substance (e.g. an agent without power of attorney).

    Raises:
        NotFound: no such case.
        ValidationFailed: unknown reason code or blank explanation.
        InvalidTransition: the case is past the identity check.
    """
    errors = _check_reason(explanation, "explanation")
    if reason_code not in set(RejectReason):
        errors.append(FieldError("reason_code", f"one of {', '.join(RejectReason)}"))
    if errors:
        refuse(errors, "the rejection")
    case = common.get_case(session, case_id, for_update=True)
    common.move(session, case, CaseState.REJECTED, actor=actor, reason=reason_code)
    case.reasons = [reason_code]
    case.explanation_encrypted = common.cipher(settings).encrypt(
        scrub(explanation.strip(), session.info), context=common.EXPLANATION_CONTEXT
    )
    session.flush()
    return case


def proof_missing(session: Session, case: Case) -> list[str]:
    """What the requester still has to prove (see :func:`mamori.dsr.rules.missing_proof`)."""
    kinds = session.scalars(
        select(CaseDocument.kind).where(CaseDocument.case_id == case.id, CaseDocument.deleted_at.is_(None))
    )
    checks = session.scalars(select(IdentityCheck).where(IdentityCheck.case_id == case.id))
    return missing_proof(
        RequesterKind(case.requester_kind),
        Representation(case.representation) if case.representation else None,
        {DocumentKind(kind) for kind in kinds},
        [CheckFact(Whose(c.whose), CheckOutcome(c.outcome)) for c in checks],
    )


def _require_proof(session: Session, case: Case) -> None:
    missing = proof_missing(session, case)
    if missing:
        raise ValidationFailed(
            f"the identity check is not complete: missing {', '.join(missing)}; the case is unchanged",
            details={"errors": [{"field": "proof", "message": m} for m in missing], "missing": missing},
        )


def _check_reason(reason: str, field: str = "reason") -> list[FieldError]:
    if not reason.strip() or len(reason) > common.MAX_REASON:
        return [FieldError(field, f"must be 1 to {common.MAX_REASON} characters")]
    return []

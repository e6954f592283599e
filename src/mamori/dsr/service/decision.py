"""Deciding a case (full, partial, refused with legal reasons) and what an accepted request sets off."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr.models import Case
from mamori.dsr.rules import CaseState, Outcome, Reason, RequestKind, decision_problems, effects_of
from mamori.dsr.service import common, effects
from mamori.dsr.service.lifecycle import proof_missing
from mamori.security.mynumber import scrub
from mamori.subjects.models import Subject
from mamori.subjects.validation import FieldError, refuse

MAX_EXPLANATION = 4000
MAX_PAYMENT_METHOD = 40


def decide(  # noqa: PLR0913 - what a decision holds
    session: Session,
    *,
    actor: str,
    case_id: uuid.UUID,
    outcome: str,
    reasons: Sequence[str] = (),
    explanation: str = "",
    changes: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> Case:
    """Record the decision on an ``in_progress`` case and set off its effects.

    A case still in ``identity_check`` whose proof is complete moves to ``in_progress`` first (a
    person deciding has finished the check); with proof missing it stays where it is.

    An accepted utilisation-cease or cease-provision request suspends use at once (decisions refuse
    from then on); the search for a disclosure, correction and erasure become work for the
    organisation's systems.

    Raises:
        NotFound: no such case.
        ValidationFailed: unknown outcome or reason, a refusal without reasons, a reason that does
            not fit the request, an accepted request that needs a subject but has none.
        InvalidTransition: the case is not in progress, nor in a completed identity check
            (nothing changes).
    """
    errors = _decision_errors(outcome, reasons, explanation)
    case = common.get_case(session, case_id, for_update=True)
    if case.state == CaseState.IDENTITY_CHECK and not errors and not proof_missing(session, case):
        common.move(session, case, CaseState.IN_PROGRESS, actor=actor, reason="identity check complete")
    if not errors:
        errors = check_decision_fits(case, outcome, reasons)
    if errors:
        refuse(errors, "the decision")
    kind, verdict = RequestKind(case.request_type), Outcome(outcome)
    todo = effects_of(kind, verdict, erasure=case.erasure)
    if case.subject_id is None:  # a person not on record has no identifiers to search the systems by
        todo = tuple(effect for effect in todo if effect != "access")
    if todo and case.subject_id is None:
        refuse([FieldError("subject_id", "link the case to the person before accepting it")], "the decision")
    if "correct" in todo and not changes:
        refuse([FieldError("changes", "say what to correct, add or delete")], "the decision")
    common.move(session, case, CaseState.DECIDED, actor=actor, reason=f"decision: {outcome}")
    case.outcome, case.reasons, case.decided_at = outcome, list(reasons), utcnow()
    if explanation.strip():
        case.explanation_encrypted = common.cipher(settings).encrypt(
            scrub(explanation.strip(), session.info), context=common.EXPLANATION_CONTEXT
        )
    session.flush()
    common.audit(
        session,
        case,
        actor=actor,
        action="request.decision_recorded",
        outcome=outcome,
        reasons=list(reasons),
        effects=list(todo),
    )
    for effect in todo:
        effects.apply(session, case, effect, actor=actor, changes=changes, settings=settings)
    return case


def _decision_errors(outcome: str, reasons: Sequence[str], explanation: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if outcome not in set(Outcome):
        errors.append(FieldError("outcome", f"one of {', '.join(Outcome)}"))
    errors += [
        FieldError(f"reasons[{i}]", f"unknown reason; one of {', '.join(Reason)}")
        for i, reason in enumerate(reasons)
        if reason not in set(Reason)
    ]
    if len(explanation) > MAX_EXPLANATION:
        errors.append(FieldError("explanation", f"at most {MAX_EXPLANATION} characters"))
    if outcome != Outcome.FULL and outcome in set(Outcome) and not explanation.strip():
        errors.append(FieldError("explanation", "explain a partial or refused decision (APPI Art. 36)"))
    return errors


def check_decision_fits(case: Case, outcome: str, reasons: Sequence[str]) -> list[FieldError]:
    """The rule check of :func:`mamori.dsr.rules.decision_problems`, as field errors."""
    return [
        FieldError("reasons", problem)
        for problem in decision_problems(
            RequestKind(case.request_type), Outcome(outcome), [Reason(r) for r in reasons]
        )
    ]


def link_subject(session: Session, *, actor: str, case_id: uuid.UUID, subject_id: uuid.UUID) -> Case:
    """Say whom an open case is about once the agent has found the person.

    Raises:
        NotFound: no such case or subject.
        ValidationFailed: the case is final.
    """
    case = common.get_case(session, case_id, for_update=True)
    if session.get(Subject, subject_id) is None:
        refuse([FieldError("subject_id", "no such subject")], "the link")
    if case.closed_at is not None:
        refuse([FieldError("case", f"the case is {case.state}")], "the link")
    case.subject_id = subject_id
    session.flush()
    common.audit(session, case, actor=actor, action="request.subject_linked", subject_id=str(subject_id))
    return case


def record_payment(  # noqa: PLR0913
    session: Session,
    *,
    actor: str,
    case_id: uuid.UUID,
    amount_yen: int,
    method: str,
    paid_at: datetime | None = None,
) -> Case:
    """Record that the fee of a purpose-notification or disclosure request was paid.

    Raises:
        NotFound: no such case.
        ValidationFailed: the request carries no fee, the amount differs, or it was already paid.
    """
    case = common.get_case(session, case_id, for_update=True)
    errors: list[FieldError] = []
    if case.fee_yen == 0:
        errors.append(FieldError("amount_yen", "this request carries no fee"))
    elif amount_yen != case.fee_yen:
        errors.append(FieldError("amount_yen", f"the fee is {case.fee_yen} yen"))
    if case.fee_paid_at is not None:
        errors.append(FieldError("case", "the fee was already paid"))
    if not method.strip() or len(method) > MAX_PAYMENT_METHOD:
        errors.append(FieldError("method", f"1 to {MAX_PAYMENT_METHOD} characters, e.g. postal_order"))
    if errors:
        refuse(errors, "the payment")
    case.fee_paid_yen, case.fee_payment_method, case.fee_paid_at = (
        amount_yen,
        method.strip(),
        paid_at or utcnow(),
    )
    session.flush()
    common.audit(session, case, actor=actor, action="request.fee_paid", amount_yen=amount_yen, method=method)
    return case

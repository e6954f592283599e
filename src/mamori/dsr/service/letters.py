"""Response letters: gather what they say, render them in the requester's language, store them encrypted."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr.models import Case, CaseLetter
from mamori.dsr.rules import CaseState
from mamori.dsr.service import common, disclosure, effects
from mamori.dsr.storage import sealed_files
from mamori.errors import NotFound
from mamori.notices.letters import LetterInput, build_response_letter, letter_pdf
from mamori.subjects.validation import FieldError, refuse

_ANSWERABLE = frozenset({CaseState.DECIDED, CaseState.REJECTED, CaseState.RESPONDED})


def letter_context(letter_id: uuid.UUID) -> str:
    return f"dsr.letter:{letter_id}"


def compose(session: Session, case: Case, *, actor: str, settings: Settings | None = None) -> LetterInput:
    """The facts of the letter of a decided or rejected case (the disclosed data included)."""
    cipher = common.cipher(settings)
    explanation = (
        cipher.decrypt(case.explanation_encrypted, context=common.EXPLANATION_CONTEXT)
        if case.explanation_encrypted
        else None
    )
    outcome = "rejected" if case.state == CaseState.REJECTED else (case.outcome or "refused")
    disclosed = (
        disclosure.Disclosed(())
        if outcome in {"refused", "rejected"}
        else disclosure.disclose(session, case, actor=actor, settings=settings)
    )
    return LetterInput(
        lang=case.language,
        reference=case.reference,
        addressee=cipher.decrypt(case.requester_name_encrypted, context=common.NAME_CONTEXT),
        requester_kind=case.requester_kind,
        request_type=case.request_type,
        received_on=common.tokyo_date(case.received_at),
        answered_on=common.tokyo_date(utcnow()),
        outcome=outcome,
        reasons=tuple(case.reasons),
        explanation=explanation,
        ground=case.ground,
        erasure=case.erasure,
        my_number_front_only=case.my_number_front_only,
        fee_yen=case.fee_yen,
        disclosures=disclosed.sections,
        attachments=disclosed.attachments,
    )


def generate_letter(
    session: Session, *, actor: str, case_id: uuid.UUID, settings: Settings | None = None
) -> CaseLetter:
    """Render the response letter (PDF) of a decided or rejected case and store it encrypted.

    Raises:
        NotFound: no such case.
        ValidationFailed: the case has no decision yet, or a run it started in the systems (access,
            correct, suspend, erase) has not completed (``systems``).
    """
    settings = common.settings_or_default(settings)
    case = common.get_case(session, case_id, for_update=True)
    if CaseState(case.state) not in _ANSWERABLE:
        refuse([FieldError("state", f"the case is {case.state}; decide or reject it first")], "the letter")
    waiting = effects.unfinished_runs(session, case, settings)
    if waiting:
        refuse(waiting, "the letter")
    letter = build_response_letter(
        common.policy(session), compose(session, case, actor=actor, settings=settings)
    )
    pdf = letter_pdf(letter)
    row = CaseLetter(
        id=uuid.uuid4(),
        case_id=case.id,
        language=case.language,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        created_by=actor,
        storage_key="",
    )
    row.storage_key = sealed_files(settings).put(pdf, context=letter_context(row.id))
    session.add(row)
    session.flush()
    common.audit(
        session,
        case,
        actor=actor,
        action="request.letter_generated",
        letter_id=str(row.id),
        language=case.language,
        sha256=row.sha256,
    )
    return row


def latest_letter(session: Session, case_id: uuid.UUID) -> CaseLetter:
    """The newest letter of the case. Raises NotFound."""
    stmt = select(CaseLetter).where(CaseLetter.case_id == case_id).order_by(CaseLetter.created_at.desc())
    letter = session.scalars(stmt.limit(1)).first()
    if letter is None:
        raise NotFound(f"request case {case_id} has no letter yet")
    return letter


def letter_bytes(letter: CaseLetter, settings: Settings | None = None) -> bytes:
    """The clear PDF of a stored letter."""
    return sealed_files(common.settings_or_default(settings)).get(
        letter.storage_key, context=letter_context(letter.id)
    )

"""Identity documents and checks: uploads stored encrypted, checks recorded with what matched.

An Individual Number (My Number) is never stored: a My Number card is accepted front side only, and
the case records that it was. Agents compare only what the organisation already holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.dsr.models import Case, CaseDocument, IdentityCheck
from mamori.dsr.rules import (
    FINAL_STATES,
    MATCHABLE,
    MY_NUMBER_FRONT,
    REGISTERED_LOGIN,
    CaseState,
    CheckOutcome,
    DocumentKind,
    Whose,
)
from mamori.dsr.service import common
from mamori.dsr.service.reading import check_reading_purpose
from mamori.dsr.storage import sealed_files, sniff
from mamori.errors import NotFound, ValidationFailed
from mamori.security.mynumber import scrub
from mamori.subjects.models import Subject
from mamori.subjects.validation import FieldError, refuse

REASONS_CONTEXT = "dsr_identity_checks.reasons"
# Always comparable with the request form or the person in front of the agent.
_FORM_ITEMS = frozenset({"name", "address", "photo"})
_ONLINE = frozenset({"api", "web"})


def document_context(document_id: uuid.UUID) -> str:
    return f"dsr.document:{document_id}"


def upload_document(  # noqa: PLR0913 - the facts of an upload
    session: Session,
    *,
    actor: str,
    case_id: uuid.UUID,
    kind: str,
    whose: str,
    data: bytes,
    document_type: str | None = None,
    side: str | None = None,
    settings: Settings | None = None,
) -> CaseDocument:
    """Store a document of a case encrypted, after checking its kind, type by content and size.

    Raises:
        NotFound: no such case.
        ValidationFailed: wrong kind or document type, the back of a My Number card, a file that is
            not PDF, JPEG or PNG, or one larger than the bundle's limit; nothing is stored.
    """
    settings = common.settings_or_default(settings)
    bundle = common.policy(session)
    case = common.get_case(session, case_id, for_update=True)
    errors = _document_errors(kind, whose, document_type, side, {d.id for d in bundle.requests.id_documents})
    limit = bundle.request_handling.upload_max_bytes
    content_type = sniff(data)
    if len(data) > limit:
        errors.append(FieldError("file", f"larger than the limit of {limit} bytes"))
    elif content_type is None:
        errors.append(FieldError("file", "not a PDF, JPEG or PNG file (checked by its content)"))
    if CaseState(case.state) in FINAL_STATES:
        errors.append(FieldError("case", f"the case is {case.state}; no more documents"))
    if errors:
        refuse(errors, "the upload")
    document = CaseDocument(
        id=uuid.uuid4(),
        case_id=case.id,
        kind=kind,
        whose=whose,
        document_type=document_type,
        content_type=content_type or "",
        size=len(data),
        uploaded_by=actor,
    )
    document.storage_key = sealed_files(settings).put(data, context=document_context(document.id))
    if document_type == MY_NUMBER_FRONT:
        case.my_number_front_only = True
    session.add(document)
    session.flush()
    common.audit(
        session,
        case,
        actor=actor,
        action="request.document_uploaded",
        document_id=str(document.id),
        kind=kind,
        whose=whose,
        document_type=document_type,
        size=len(data),
    )
    return document


def _document_errors(
    kind: str, whose: str, document_type: str | None, side: str | None, accepted: set[str]
) -> list[FieldError]:
    errors: list[FieldError] = []
    if kind not in set(DocumentKind):
        errors.append(FieldError("kind", f"one of {', '.join(DocumentKind)}"))
    if whose not in set(Whose):
        errors.append(FieldError("whose", f"one of {', '.join(Whose)}"))
    if kind == DocumentKind.ID_DOCUMENT and (
        document_type not in accepted or document_type == REGISTERED_LOGIN
    ):
        errors.append(FieldError("document_type", "an ID document accepted by the policy"))
    if kind != DocumentKind.ID_DOCUMENT and document_type is not None:
        errors.append(FieldError("document_type", "only ID documents have a document type"))
    if side == "back" or (document_type == MY_NUMBER_FRONT and side != "front"):
        errors.append(FieldError("side", "only the front of a My Number card; its number is never stored"))
    return errors


def read_document(  # noqa: PLR0913 - which document, who reads and why
    session: Session,
    *,
    actor: str,
    case_id: uuid.UUID,
    document_id: uuid.UUID,
    settings: Settings | None = None,
    purpose: str | None = None,
    role: str | None = None,
) -> tuple[CaseDocument, bytes]:
    """The document and its clear bytes; the reading is audited (with ``purpose`` when one is named).

    With a ``purpose`` (the console names one), it must be in the policy and among ``role``'s
    duties, like a reveal of the requester; a refusal is audited and nothing is decrypted.

    Raises:
        NotFound: no such document on this case, or it was deleted.
        PolicyViolation: the purpose is not in the policy. Forbidden: it is outside the role's duties.
    """
    document = session.get(CaseDocument, document_id)
    if document is None or document.case_id != case_id or document.storage_key is None:
        raise NotFound(f"no document {document_id} on request case {case_id}")
    case = common.get_case(session, case_id)
    if purpose is not None:
        check_reading_purpose(session, case, actor=actor, role=role or "", purpose=purpose)
    data = sealed_files(common.settings_or_default(settings)).get(
        document.storage_key, context=document_context(document.id)
    )
    details = {"document_id": str(document.id)} | ({"purpose": purpose} if purpose else {})
    common.audit(session, case, actor=actor, action="request.document_read", **details)
    return document, data


def list_documents(session: Session, case_id: uuid.UUID) -> list[CaseDocument]:
    """The documents still held for a case, oldest first (their facts, never their content)."""
    stmt = (
        select(CaseDocument)
        .where(CaseDocument.case_id == case_id, CaseDocument.storage_key.is_not(None))
        .order_by(CaseDocument.uploaded_at)
    )
    return list(session.scalars(stmt))


def record_identity_check(  # noqa: PLR0913 - what an agent records
    session: Session,
    *,
    actor: str,
    case_id: uuid.UUID,
    whose: str,
    document_type: str,
    matched: Sequence[str],
    outcome: str,
    reasons: str = "",
    document_id: uuid.UUID | None = None,
    settings: Settings | None = None,
) -> IdentityCheck:
    """Record that an agent checked an ID: which document, what matched, the outcome and why.

    A case still ``received`` moves to ``identity_check``.

    Raises:
        NotFound: no such case or document.
        ValidationFailed: unknown document type or outcome, an item the organisation does not hold,
            a verified check with nothing matched, a failed one without reasons, a closed case.
        InvalidTransition: the case is past the identity check.
    """
    bundle = common.policy(session)
    case = common.get_case(session, case_id, for_update=True)
    errors = _check_errors(session, case, whose, document_type, matched, outcome, reasons)
    if document_type not in {d.id for d in bundle.requests.id_documents}:
        errors.append(FieldError("document_type", "an ID document accepted by the policy"))
    if document_id is not None:
        document = session.get(CaseDocument, document_id)
        if document is None or document.case_id != case.id:
            errors.append(FieldError("document_id", "no such document on this case"))
    if errors:
        refuse(errors, "the identity check")
    if case.state != CaseState.IDENTITY_CHECK:
        common.move(session, case, CaseState.IDENTITY_CHECK, actor=actor, reason="identity check started")
    check = IdentityCheck(
        case_id=case.id,
        whose=whose,
        document_type=document_type,
        document_id=document_id,
        matched=list(matched),
        outcome=outcome,
        checked_by=actor,
        reasons_encrypted=common.cipher(settings).encrypt(
            scrub(reasons, session.info), context=REASONS_CONTEXT
        )
        if reasons.strip()
        else None,
    )
    if document_type == MY_NUMBER_FRONT:
        case.my_number_front_only = True
    session.add(check)
    session.flush()
    common.audit(
        session,
        case,
        actor=actor,
        action="request.identity_checked",
        whose=whose,
        document_type=document_type,
        matched=list(matched),
        outcome=outcome,
    )
    return check


def _check_errors(  # noqa: PLR0913 - one check per field
    session: Session,
    case: Case,
    whose: str,
    document_type: str,
    matched: Sequence[str],
    outcome: str,
    reasons: str,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if whose not in set(Whose):
        errors.append(FieldError("whose", f"one of {', '.join(Whose)}"))
    if outcome not in set(CheckOutcome):
        errors.append(FieldError("outcome", f"one of {', '.join(CheckOutcome)}"))
    allowed = held_items(session, case) if whose == Whose.PERSON else _FORM_ITEMS
    for index, item in enumerate(matched):
        if item not in MATCHABLE:
            errors.append(FieldError(f"matched[{index}]", f"one of {', '.join(MATCHABLE)}"))
        elif item not in allowed:
            errors.append(FieldError(f"matched[{index}]", f"we do not hold the {item}; do not ask for it"))
    if outcome == CheckOutcome.VERIFIED and not matched:
        errors.append(FieldError("matched", "a verified check says what matched"))
    if outcome == CheckOutcome.FAILED and not reasons.strip():
        errors.append(FieldError("reasons", "a failed check says why"))
    if document_type == REGISTERED_LOGIN and case.channel not in _ONLINE:
        errors.append(FieldError("document_type", "a registered login proves identity online only"))
    if len(reasons) > common.MAX_REASON:
        errors.append(FieldError("reasons", f"at most {common.MAX_REASON} characters"))
    return errors


def held_items(session: Session, case: Case) -> frozenset[str]:
    """What an agent may compare for the person: the form's items plus what Mamori holds about them."""
    if case.subject_id is None:
        return _FORM_ITEMS
    subject = session.get(Subject, case.subject_id)
    if subject is None:  # pragma: no cover - the foreign key keeps it
        raise ValidationFailed("the case names a subject that does not exist")
    held = {i.kind for i in subject.identifiers} & set(MATCHABLE)
    if subject.date_of_birth is not None:
        held.add("date_of_birth")
    return _FORM_ITEMS | held

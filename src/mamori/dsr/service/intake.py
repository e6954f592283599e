"""Opening a case: from a postal form, the API, the public web form or a converted inquiry."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr import deadlines
from mamori.dsr.models import Case, CaseEvent
from mamori.dsr.rules import (
    CaseState,
    Channel,
    Ground,
    RequesterKind,
    RequestKind,
    fee_for,
    requester_problems,
)
from mamori.dsr.schemas import RequesterIn
from mamori.dsr.service import common
from mamori.errors import NotFound
from mamori.policy.schema import LANGUAGES, PolicyBundle
from mamori.policy.service import require_current_version
from mamori.security.crypto import FieldCipher, blind_index
from mamori.security.mynumber import scrub
from mamori.subjects.models import Subject
from mamori.subjects.rules import InvalidIdentifier, normalise
from mamori.subjects.validation import FieldError, refuse

MAX_DETAILS = 4000


def open_case(  # noqa: PLR0913 - the facts of a request as it arrives
    session: Session,
    *,
    actor: str,
    request_type: str,
    channel: str,
    language: str,
    subject_id: uuid.UUID | None = None,
    requester: RequesterIn,
    inquiry_id: uuid.UUID | None = None,
    response_method: str = "post",
    ground: str | None = None,
    erasure: bool = False,
    details: str | None = None,
    jurisdiction: str | None = None,
    received_at: datetime | None = None,
    settings: Settings | None = None,
) -> Case:
    """Register a request in state ``received`` with its deadlines.

    The jurisdiction is the subject's when the subject is known, else ``jurisdiction`` (default JP).

    Raises:
        NotFound: no policy published, or no such subject.
        ValidationFailed: a field is wrong (each named in ``details['errors']``); nothing is written.
    """
    bundle = common.policy(session)
    subject = _subject(session, subject_id)
    where = subject.jurisdiction if subject is not None else (jurisdiction or "JP")
    errors = _check(bundle, request_type, channel, language, response_method, where)
    errors += _check_ground(request_type, ground, erasure=erasure)
    errors += _check_requester(requester, request_type, response_method, where)
    if details is not None and len(details) > MAX_DETAILS:
        errors.append(FieldError("details", f"at most {MAX_DETAILS} characters"))
    if received_at is not None and received_at.tzinfo is None:
        errors.append(FieldError("received_at", "needs a time zone"))
    if errors:
        refuse(errors, "the request")
    received = received_at or utcnow()
    cipher = common.cipher(settings)
    case = Case(
        reference=_reference(received),
        request_type=request_type,
        ground=ground,
        erasure=erasure,
        channel=channel,
        language=language,
        jurisdiction=where,
        state=CaseState.RECEIVED.value,
        subject_id=subject.id if subject is not None else None,
        inquiry_id=inquiry_id,
        policy_version_id=require_current_version(session).id,
        response_method=response_method,
        received_at=received,
        fee_yen=fee_for(RequestKind(request_type), bundle.request_handling.fees),
        details_encrypted=(
            cipher.encrypt(scrub(details, session.info), context=common.DETAILS_CONTEXT) if details else None
        ),
        created_by=actor,
        **_deadline_fields(bundle, request_type, where, received),
        **_requester_fields(cipher, requester, common.settings_or_default(settings)),
    )
    session.add(case)
    session.flush()
    session.add(
        CaseEvent(
            case_id=case.id,
            from_state=None,
            to_state=case.state,
            actor=actor,
            reason=f"received by {channel}",
            at=received,
        )
    )
    common.audit(
        session,
        case,
        actor=actor,
        action="request.received",
        request_type=request_type,
        channel=channel,
        requester_kind=requester.kind.value,
        jurisdiction=where,
        inquiry_id=str(inquiry_id) if inquiry_id else None,
    )
    return case


def _subject(session: Session, subject_id: uuid.UUID | None) -> Subject | None:
    if subject_id is None:
        return None
    subject = session.get(Subject, subject_id)
    if subject is None:
        raise NotFound(f"no subject {subject_id}")
    return subject


def _check(  # noqa: PLR0913 - one check per field
    bundle: PolicyBundle, request_type: str, channel: str, language: str, method: str, where: str
) -> list[FieldError]:
    errors: list[FieldError] = []
    offered = {t.id: t for t in bundle.requests.types}
    if request_type not in offered or request_type not in set(RequestKind):
        errors.append(FieldError("request_type", f"unknown request type; one of {', '.join(offered)}"))
    elif where not in offered[request_type].jurisdictions:
        errors.append(FieldError("request_type", f"not available to people covered by {where} law"))
    if channel not in set(Channel):
        errors.append(FieldError("channel", f"must be one of {', '.join(Channel)}"))
    if language not in LANGUAGES:
        errors.append(FieldError("language", f"must be one of {', '.join(LANGUAGES)}"))
    methods = [m.id for m in bundle.requests.response_methods]
    if method not in methods:
        errors.append(FieldError("response_method", f"must be one of {', '.join(methods)}"))
    if where not in {"JP", "CN"}:
        errors.append(FieldError("jurisdiction", "must be JP or CN"))
    return errors


def _check_ground(request_type: str, ground: str | None, *, erasure: bool) -> list[FieldError]:
    if request_type != RequestKind.UTILISATION_CEASE:
        problems = [FieldError("ground", "only a utilisation-cease request gives a ground")] if ground else []
        if erasure:
            problems.append(FieldError("erasure", "only a utilisation-cease request asks for erasure"))
        return problems
    if ground not in set(Ground):
        return [FieldError("ground", f"a utilisation-cease request needs one of {', '.join(Ground)}")]
    return []


def _check_requester(requester: RequesterIn, request_type: str, method: str, where: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if not requester.name.strip():
        errors.append(FieldError("requester.name", "must not be blank"))
    if requester.kind is RequesterKind.LEGAL_REPRESENTATIVE:
        if requester.representation not in {"minor", "adult_ward"}:
            errors.append(FieldError("requester.representation", "minor or adult_ward"))
    elif requester.representation is not None:
        errors.append(FieldError("requester.representation", "only for a legal representative"))
    if request_type in set(RequestKind):
        errors += [
            FieldError("requester.kind", p)
            for p in requester_problems(requester.kind, RequestKind(request_type), where)
        ]
    if requester.email is not None:
        try:
            normalise("email", requester.email)
        except InvalidIdentifier:
            errors.append(FieldError("requester.email", "not an e-mail address"))
    if method == "electronic" and not requester.email:
        errors.append(FieldError("requester.email", "electronic delivery needs an e-mail address"))
    if method == "post" and not (requester.address or "").strip():
        errors.append(FieldError("requester.address", "a reply by post needs the address on the ID"))
    return errors


def _requester_fields(cipher: FieldCipher, requester: RequesterIn, settings: Settings) -> dict[str, object]:
    email = normalise("email", requester.email) if requester.email else None
    return {
        "requester_kind": requester.kind.value,
        "representation": requester.representation,
        "requester_name_encrypted": cipher.encrypt(requester.name.strip(), context=common.NAME_CONTEXT),
        "requester_email_encrypted": cipher.encrypt(email, context=common.EMAIL_CONTEXT) if email else None,
        "requester_email_index": blind_index(settings, "email", email) if email else None,
        "requester_address_encrypted": (
            cipher.encrypt(requester.address.strip(), context=common.ADDRESS_CONTEXT)
            if requester.address
            else None
        ),
    }


def _deadline_fields(
    bundle: PolicyBundle, request_type: str, where: str, received: datetime
) -> dict[str, object]:
    cal = common.business_calendar(bundle)
    day = common.tokyo_date(received)
    within = bundle.request_handling.target_before_art39
    if where == "CN":
        cn = bundle.request_handling.cn
        due = deadlines.pipl_deadlines(cal, day, cn.working_days, cn.cap_days, within_art39=within)
    else:
        target_days = next(t.target_days for t in bundle.requests.types if t.id == request_type)
        due = deadlines.appi_deadlines(cal, day, target_days, within_art39=within)
    return {"target_on": due.target, "art39_on": due.art39, "cap_on": due.cap}


def _reference(received: datetime) -> str:
    return f"R{common.tokyo_date(received):%Y%m%d}-{secrets.token_hex(3).upper()}"

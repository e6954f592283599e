"""Usage suspensions: all use, one purpose or third-party provision stopped for a person, for a period.

A suspension covers a moment from ``starts_at`` until ``ends_at`` or until it is lifted, whichever
comes first. Suspensions of a subject merged into another keep covering the survivor.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.consents import rules
from mamori.consents.models import UsageSuspension
from mamori.consents.rules import FieldError, InvalidScope
from mamori.consents.service import resolve_subject
from mamori.db.base import utcnow
from mamori.errors import Conflict, NotFound, ValidationFailed
from mamori.policy.service import bundle_of, require_current_version
from mamori.subjects.repository import merged_ids, require_group

MAX_REASON = 500
MAX_REF = 200


def _check(  # noqa: PLR0913 - one check per field
    session: Session,
    *,
    scope: str,
    reason: str,
    source: str,
    source_ref: str | None,
    starts_at: datetime,
    ends_at: datetime | None,
) -> list[FieldError]:
    errors: list[FieldError] = []
    try:
        rules.parse_suspension_scope(scope, bundle_of(require_current_version(session)))
    except InvalidScope as exc:
        errors.append(FieldError("scope", str(exc)))
    if not reason.strip() or len(reason) > MAX_REASON:
        errors.append(FieldError("reason", f"must be 1 to {MAX_REASON} characters"))
    if source not in rules.SUSPENSION_SOURCES:
        errors.append(FieldError("source", f"must be one of {', '.join(rules.SUSPENSION_SOURCES)}"))
    if source == "request" and not source_ref:
        errors.append(FieldError("source_ref", "a suspension from a request names the request"))
    if source_ref is not None and len(source_ref) > MAX_REF:
        errors.append(FieldError("source_ref", f"at most {MAX_REF} characters"))
    if starts_at.tzinfo is None:
        errors.append(FieldError("starts_at", "needs a time zone"))
    elif ends_at is not None and (ends_at.tzinfo is None or ends_at <= starts_at):
        errors.append(FieldError("ends_at", "must be a time with a zone, after starts_at"))
    return errors


def suspend(  # noqa: PLR0913 - the fields of a suspension
    session: Session,
    *,
    actor: str,
    subject_id: uuid.UUID,
    scope: str,
    reason: str,
    source: str,
    source_ref: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> UsageSuspension:
    """Stop use for a subject (``scope``: ``all``, ``purpose:<id>`` or ``third_party_provision``).

    Raises:
        NotFound: no such subject, or no policy published.
        ValidationFailed: an erased subject or a bad field (each named in ``details['errors']``).
    """
    subject = resolve_subject(session, subject_id)
    starts_at = starts_at or utcnow()
    errors = _check(
        session,
        scope=scope,
        reason=reason,
        source=source,
        source_ref=source_ref,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    if errors:
        raise ValidationFailed(
            "the suspension is not valid; nothing was recorded",
            details={"errors": [error.as_dict() for error in errors]},
        )
    suspension = UsageSuspension(
        id=uuid.uuid4(),
        subject_id=subject.id,
        scope=scope,
        reason=reason.strip(),
        source=source,
        source_ref=source_ref,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
    )
    session.add(suspension)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="suspension.created",
        target_type="subject",
        target_id=str(subject.id),
        details={"suspension_id": str(suspension.id), "scope": scope, "source": source},
    )
    return suspension


def lift(
    session: Session, *, actor: str, suspension_id: uuid.UUID, at: datetime | None = None
) -> UsageSuspension:
    """End a suspension now (or at ``at``).

    Raises:
        NotFound: no such suspension.
        Conflict: it was already lifted or has ended.
    """
    suspension = session.get(UsageSuspension, suspension_id)
    if suspension is None:
        raise NotFound(f"no suspension {suspension_id}")
    at = at or utcnow()
    if suspension.lifted_at is not None:
        raise Conflict(f"suspension {suspension_id} was already lifted")
    if suspension.ends_at is not None and suspension.ends_at <= at:
        raise Conflict(f"suspension {suspension_id} has already ended")
    suspension.lifted_at = at
    session.flush()
    record_event(
        session,
        actor=actor,
        action="suspension.lifted",
        target_type="subject",
        target_id=str(suspension.subject_id),
        details={"suspension_id": str(suspension.id), "scope": suspension.scope},
    )
    return suspension


def active_suspensions(
    session: Session, subject_ids: uuid.UUID | Iterable[uuid.UUID], *, at: datetime | None = None
) -> list[UsageSuspension]:
    """Suspensions in force at ``at`` (default now).

    A single id includes the subjects merged into it; a collection of ids is taken as given.
    """
    ids = merged_ids(session, subject_ids) if isinstance(subject_ids, uuid.UUID) else list(subject_ids)
    at = at or utcnow()
    stmt = (
        select(UsageSuspension)
        .where(
            UsageSuspension.subject_id.in_(ids),
            UsageSuspension.starts_at <= at,
            or_(UsageSuspension.ends_at.is_(None), UsageSuspension.ends_at > at),
            or_(UsageSuspension.lifted_at.is_(None), UsageSuspension.lifted_at > at),
        )
        .order_by(UsageSuspension.starts_at, UsageSuspension.id)
    )
    return list(session.scalars(stmt))


def list_suspensions(session: Session, subject_id: uuid.UUID) -> list[UsageSuspension]:
    """Every suspension of the subject and the subjects merged into it, active or not.

    Raises:
        NotFound: no such subject.
    """
    group = require_group(session, subject_id)
    stmt = (
        select(UsageSuspension)
        .where(UsageSuspension.subject_id.in_(group))
        .order_by(UsageSuspension.starts_at, UsageSuspension.id)
    )
    return list(session.scalars(stmt))

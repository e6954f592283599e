"""Rows for decision and audience tests, inserted directly (no dependence on other services)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.consents.models import ConsentEvent, ConsentState, UsageSuspension
from mamori.policy.models import PolicyVersion
from mamori.policy.service import publish_bundle
from mamori.security.crypto import blind_index, cipher_from_settings
from mamori.subjects.models import Subject, SubjectCategory, SubjectIdentifier, SubjectRelationship
from mamori.subjects.rules import normalise

LONG_AGO = date(2000, 1, 1)


def publish_policy(session: Session, directory: Path = DEFAULT_POLICY_DIR) -> PolicyVersion:
    """Publish a bundle in force since 2000 (so decisions at past instants find it)."""
    return publish_bundle(session, actor="test", directory=directory, effective_date=LONG_AGO)


def create_subject(  # noqa: PLR0913
    session: Session,
    settings: Settings,
    *,
    categories: Mapping[str, datetime] | None = None,
    identifiers: Sequence[tuple[str, str]] = (),
    jurisdiction: str = "JP",
    language: str = "ja",
    date_of_birth: date | None = None,
    status: str = "active",
    merged_into: Subject | None = None,
) -> Subject:
    """A subject; ``categories`` maps a category id to its collection instant (default: customers now)."""
    subject = Subject(
        id=uuid.uuid4(),
        jurisdiction=jurisdiction,
        language=language,
        date_of_birth=date_of_birth,
        status="merged" if merged_into else status,
        merged_into_id=merged_into.id if merged_into else None,
    )
    session.add(subject)
    session.flush()
    cipher = cipher_from_settings(settings)
    for category, collected_at in (categories if categories is not None else {"customers": _now()}).items():
        session.add(SubjectCategory(subject_id=subject.id, category=category, collected_at=collected_at))
    for kind, value in identifiers:
        session.add(
            SubjectIdentifier(
                subject_id=subject.id,
                kind=kind,
                value_encrypted=cipher.encrypt(value, context="subject_identifiers.value"),
                blind_index=blind_index(settings, kind, normalise(kind, value)),
            )
        )
    session.flush()
    return subject


def create_consent(  # noqa: PLR0913
    session: Session,
    subject: Subject,
    scope: str,
    *,
    action: str = "given",
    occurred_at: datetime | None = None,
    expires_at: datetime | None = None,
    separate: bool = False,
    on_behalf_by: Subject | None = None,
) -> ConsentEvent:
    """An event and its projection (the state follows the latest event of the scope)."""
    event = ConsentEvent(
        id=uuid.uuid4(),
        subject_id=subject.id,
        scope=scope,
        action=action,
        occurred_at=occurred_at or _now(),
        expires_at=expires_at,
        separate=separate,
        language="ja",
        channel="web",
        collected_by="test",
        on_behalf_by_id=on_behalf_by.id if on_behalf_by else None,
    )
    session.add(event)
    session.flush()
    state = session.scalars(
        select(ConsentState).where(ConsentState.subject_id == subject.id, ConsentState.scope == scope)
    ).first()
    if state is None:
        state = ConsentState(subject_id=subject.id, scope=scope)
        session.add(state)
    elif state.occurred_at > event.occurred_at:
        return event
    state.action, state.occurred_at, state.expires_at = action, event.occurred_at, expires_at
    state.separate, state.on_behalf_by_id, state.event_id = separate, event.on_behalf_by_id, event.id
    session.flush()
    return event


def create_suspension(  # noqa: PLR0913
    session: Session,
    subject: Subject,
    scope: str = "all",
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    lifted_at: datetime | None = None,
) -> UsageSuspension:
    suspension = UsageSuspension(
        subject_id=subject.id,
        scope=scope,
        reason="test",
        source="manual",
        starts_at=starts_at or datetime(2001, 1, 1, tzinfo=UTC),
        ends_at=ends_at,
        lifted_at=lifted_at,
        created_by="test",
    )
    session.add(suspension)
    session.flush()
    return suspension


def create_relationship(  # noqa: PLR0913
    session: Session,
    subject: Subject,
    related: Subject,
    *,
    kind: str = "legal_representative_minor",
    valid_from: date = LONG_AGO,
    valid_until: date | None = None,
) -> SubjectRelationship:
    relationship = SubjectRelationship(
        subject_id=subject.id,
        related_subject_id=related.id,
        kind=kind,
        evidence_ref="family register copy",
        valid_from=valid_from,
        valid_until=valid_until,
        created_by="test",
    )
    session.add(relationship)
    session.flush()
    return relationship


def _now() -> datetime:
    return datetime.now(UTC)

"""Consent events and plain subjects for the consents tests (subjects made directly with the models)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from mamori.config import DEFAULT_POLICY_DIR
from mamori.consents import service
from mamori.consents.models import ConsentEvent
from mamori.errors import NotFound
from mamori.policy.models import PolicyVersion
from mamori.policy.service import current_version, publish_bundle
from mamori.provisions.countries import country_notice
from mamori.subjects.models import Subject, SubjectCategory

MAILINGS = "purpose:customer.mailings"


def ensure_policy(session: Session) -> PolicyVersion:
    """The policy in force, publishing the default bundle first if there is none."""
    return current_version(session) or publish_bundle(session, actor="test", directory=DEFAULT_POLICY_DIR)


def create_plain_subject(  # noqa: PLR0913 - every attribute defaulted
    session: Session,
    *,
    categories: Sequence[str] = ("customers",),
    jurisdiction: str = "JP",
    language: str = "ja",
    status: str = "active",
    merged_into: Subject | None = None,
) -> Subject:
    """A subject without names or identifiers (the consents room never needs them)."""
    subject = Subject(
        id=uuid.uuid4(),
        jurisdiction=jurisdiction,
        language=language,
        status="merged" if merged_into is not None else status,
        merged_into_id=merged_into.id if merged_into is not None else None,
    )
    subject.categories = [SubjectCategory(category=category, source="test") for category in categories]
    session.add(subject)
    session.flush()
    return subject


def record_consent(  # noqa: PLR0913 - the fields of an event, all defaulted
    session: Session,
    subject: Subject | uuid.UUID,
    *,
    scope: str = MAILINGS,
    action: str = "given",
    occurred_at: datetime | None = None,
    language: str = "ja",
    channel: str = "web",
    separate: bool = False,
    expires_at: datetime | None = None,
    on_behalf_by_id: uuid.UUID | None = None,
    actor: str = "test",
    notice_hash: str | None = None,
) -> ConsentEvent:
    """Record one event through the real service (validated, projected, audited).

    A given ``cross_border:<XX>`` consent gets the hash of the country information in force
    (when the policy has some) unless ``notice_hash`` is given: the service refuses it without.
    """
    kind, _, country = scope.partition(":")
    if notice_hash is None and kind == "cross_border" and action == "given":
        with contextlib.suppress(NotFound):
            notice_hash = country_hash(session, country, language)
    return service.record_consent(
        session,
        actor=actor,
        subject_id=subject.id if isinstance(subject, Subject) else subject,
        scope=scope,
        action=action,
        occurred_at=occurred_at,
        language=language,
        channel=channel,
        separate=separate,
        expires_at=expires_at,
        on_behalf_by_id=on_behalf_by_id,
        notice_hash=notice_hash,
    )


def country_hash(session: Session, country: str, language: str = "ja") -> str:
    """The notice_hash of the country information in force, as a consent after it carries."""
    return country_notice(session, country, language).notice_hash

"""Subjects for tests, made through the real service (encrypted, indexed, audited)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.policy.service import current_version, publish_bundle
from mamori.subjects.models import Subject, SubjectReach
from mamori.subjects.schemas import CategoryIn
from mamori.subjects.service import create_subject as _create_subject

_serial = itertools.count(1)


def ensure_policy(session: Session) -> None:
    """Publish the default bundle unless a policy is already in force."""
    if current_version(session) is None:
        publish_bundle(session, actor="test", directory=DEFAULT_POLICY_DIR)


def create_subject(  # noqa: PLR0913
    session: Session,
    settings: Settings,
    *,
    categories: Sequence[str | CategoryIn] = ("customers",),
    identifiers: Sequence[tuple[str, str]] | None = None,
    jurisdiction: str = "JP",
    language: str = "ja",
    name: str | None = "山田 花子",
    date_of_birth: date | None = None,
    actor: str = "test",
) -> Subject:
    """A subject in the current policy (published first if needed).

    Without ``identifiers`` it gets a unique e-mail address and member number.
    """
    ensure_policy(session)
    if identifiers is None:
        n = next(_serial)
        identifiers = [("email", f"person{n}@example.jp"), ("member_number", f"M{n:08d}")]
    return _create_subject(
        session,
        settings,
        actor,
        categories=categories,
        identifiers=identifiers,
        jurisdiction=jurisdiction,
        language=language,
        name=name,
        date_of_birth=date_of_birth,
    )


def corrupt_reach(session: Session, settings: Settings) -> None:
    """What a load with the triggers disabled leaves: one row gone, one row wrong."""
    gone = create_subject(session, settings, categories=["customers"])
    wrong = create_subject(session, settings, categories=["customers"])
    session.flush()
    session.execute(delete(SubjectReach).where(SubjectReach.subject_id == gone.id))
    session.execute(update(SubjectReach).where(SubjectReach.subject_id == wrong.id).values(has_email=False))

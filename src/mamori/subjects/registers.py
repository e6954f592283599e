"""The register of persons as the console lists it: keyset pages over a million, nothing decrypted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.db.paging import Cursor, newest_first
from mamori.subjects.models import Subject, SubjectCategory


@dataclass(frozen=True, slots=True)
class SubjectRow:
    id: uuid.UUID
    status: str
    jurisdiction: str
    language: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SubjectPage:
    rows: list[SubjectRow]
    next_before: Cursor | None


def subject_page(
    session: Session,
    *,
    category: str | None = None,
    status: str | None = None,
    before: Cursor | None = None,
    limit: int = 50,
) -> SubjectPage:
    """Persons newest first, optionally of one category and status; ids and facts, no names.

    Raises:
        ValidationFailed: a page size outside 1..200.
    """
    stmt = select(Subject.id, Subject.status, Subject.jurisdiction, Subject.language, Subject.created_at)
    if category:
        stmt = stmt.where(
            Subject.id.in_(select(SubjectCategory.subject_id).where(SubjectCategory.category == category))
        )
    if status:
        stmt = stmt.where(Subject.status == status)
    rows = session.execute(newest_first(stmt, Subject.created_at, Subject.id, before, limit)).all()
    shown = [SubjectRow(*row) for row in rows[:limit]]
    last = shown[-1] if len(rows) > limit else None
    return SubjectPage(shown, Cursor(last.created_at, last.id) if last else None)

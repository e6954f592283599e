"""Lookups: they return None, except ``require_group`` which raises NotFound."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.errors import NotFound
from mamori.security.crypto import blind_index
from mamori.subjects.models import Subject, SubjectIdentifier
from mamori.subjects.rules import normalise


def identifier_index(settings: Settings, kind: str, value: str) -> str:
    """Blind index of a raw identifier (normalised first). Raises InvalidIdentifier."""
    return blind_index(settings, kind, normalise(kind, value))


def subjects_by_identifier(session: Session, settings: Settings, kind: str, value: str) -> list[Subject]:
    """Subjects holding this identifier, following merges to the surviving subject."""
    index = identifier_index(settings, kind, value)
    stmt = (
        select(Subject)
        .join(SubjectIdentifier, SubjectIdentifier.subject_id == Subject.id)
        .where(SubjectIdentifier.kind == kind, SubjectIdentifier.blind_index == index)
    )
    found = {s.id: s for s in (surviving(session, s) for s in session.scalars(stmt)) if s is not None}
    return list(found.values())


def get_subject(session: Session, subject_id: uuid.UUID) -> Subject | None:
    return session.get(Subject, subject_id)


def surviving(session: Session, subject: Subject) -> Subject | None:
    """The subject itself, or the one it was merged into (followed to the end)."""
    seen: set[uuid.UUID] = set()
    current: Subject | None = subject
    while current is not None and current.merged_into_id is not None and current.id not in seen:
        seen.add(current.id)
        current = session.get(Subject, current.merged_into_id)
    return current


def group_of(session: Session, subject_id: uuid.UUID) -> list[uuid.UUID] | None:
    """Ids whose records count for ``subject_id``'s survivor (it and all merged into it); None if unknown."""
    subject = session.get(Subject, subject_id)
    survivor = surviving(session, subject) if subject is not None else None
    return merged_ids(session, survivor.id) if survivor is not None else None


def require_group(session: Session, subject_id: uuid.UUID) -> list[uuid.UUID]:
    """Like :func:`group_of`, but an unknown subject raises NotFound."""
    group = group_of(session, subject_id)
    if group is None:
        raise NotFound(f"no subject {subject_id}")
    return group


def merged_ids(session: Session, subject_id: uuid.UUID) -> list[uuid.UUID]:
    """The subject and every subject merged into it, directly or through others."""
    ids, frontier = [subject_id], [subject_id]
    while frontier:
        stmt = select(Subject.id).where(Subject.merged_into_id.in_(frontier))
        frontier = [row for row in session.scalars(stmt) if row not in ids]
        ids.extend(frontier)
    return ids

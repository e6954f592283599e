"""Subjects: create, look up, read (non-personal), reveal for a purpose, relate, merge, erase."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel

from mamori.api.deps import Runtime, SessionDep, get_runtime, require
from mamori.errors import Forbidden, PolicyViolation
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.subjects import lifecycle, service
from mamori.subjects.schemas import (
    CategoryIn,
    IdentifierIn,
    RelationshipCreate,
    RelationshipRead,
    SubjectCreate,
    SubjectLookup,
    SubjectRead,
    SubjectReveal,
    SubjectSummary,
    relationship_read,
)

router = APIRouter(prefix="/subjects", tags=["subjects"])
Reader = Annotated[Principal, Depends(require(Scope.SUBJECTS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.SUBJECTS_WRITE))]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Purpose = Annotated[str, Query(min_length=1, description="purpose id of the current policy")]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_subject(
    body: SubjectCreate, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> SubjectRead:
    """Add a person: categories, jurisdiction, language, and optionally name, birth date, identifiers."""
    subject = service.create_subject(
        session,
        runtime.settings,
        caller.actor,
        categories=body.categories,
        identifiers=[(i.kind, i.value) for i in body.identifiers],
        jurisdiction=body.jurisdiction,
        language=body.language,
        name=body.name,
        date_of_birth=body.date_of_birth,
    )
    return service.subject_view(session, subject)


@router.post("/lookup")
def lookup_subject(
    body: SubjectLookup, session: SessionDep, runtime: RuntimeDep, _: Reader
) -> SubjectSummary:
    """Find the subject holding an identifier (merges followed); answers without personal data."""
    subject = service.find_subject(session, runtime.settings, kind=body.kind, value=body.value)
    return SubjectSummary.of(subject)


@router.get("/{subject_id}")
def get_subject(subject_id: uuid.UUID, session: SessionDep, _: Reader) -> SubjectRead:
    """The non-personal view of a subject (merges followed): status, categories, identifier kinds."""
    return service.subject_view(session, service.resolve(session, subject_id))


@router.get("/{subject_id}/reveal")
def reveal_subject(
    subject_id: uuid.UUID, purpose: Purpose, session: SessionDep, runtime: RuntimeDep, caller: Reader
) -> SubjectReveal:
    """Name, birth date and identifiers, for a purpose of the subject and the caller's duties; audited."""
    try:
        return service.reveal_subject(
            session, runtime.settings, caller.actor, subject_id, purpose, role=caller.role.value
        )
    except (PolicyViolation, Forbidden):
        session.commit()  # keep the audited refusal; the error response follows
        raise


@router.post("/{subject_id}/identifiers", status_code=status.HTTP_201_CREATED)
def add_identifier(
    subject_id: uuid.UUID, body: IdentifierIn, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> SubjectRead:
    """Give the subject one more identifier; refused if another subject holds it."""
    service.add_identifier(
        session, runtime.settings, caller.actor, subject_id, kind=body.kind, value=body.value
    )
    return service.subject_view(session, service.resolve(session, subject_id))


@router.delete("/{subject_id}/identifiers/{identifier_id}")
def remove_identifier(
    subject_id: uuid.UUID, identifier_id: uuid.UUID, session: SessionDep, caller: Writer
) -> SubjectRead:
    """Remove one identifier of the subject."""
    service.remove_identifier(session, caller.actor, subject_id, identifier_id)
    return service.subject_view(session, service.resolve(session, subject_id))


@router.post("/{subject_id}/categories", status_code=status.HTTP_201_CREATED)
def add_category(subject_id: uuid.UUID, body: CategoryIn, session: SessionDep, caller: Writer) -> SubjectRead:
    """Put the subject in one more category of the current policy."""
    service.add_category(session, caller.actor, subject_id, body)
    return service.subject_view(session, service.resolve(session, subject_id))


@router.post("/{subject_id}/relationships", status_code=status.HTTP_201_CREATED)
def add_relationship(
    subject_id: uuid.UUID, body: RelationshipCreate, session: SessionDep, caller: Writer
) -> RelationshipRead:
    """Record who acts for the subject: legal representative, agent or next of kin."""
    row = lifecycle.relate(session, caller.actor, subject_id, **body.model_dump())
    return relationship_read(row)


class MergePreviewRead(BaseModel):
    """What merging would move (no personal data): identifier kinds, categories, relationships."""

    source_id: uuid.UUID
    target_id: uuid.UUID
    identifiers: dict[str, int]
    relationships: int
    merged_before: int
    categories_added: list[str]
    categories_earlier: list[str]


@router.get("/{subject_id}/merge-into/{target_id}")
def preview_merge(
    subject_id: uuid.UUID, target_id: uuid.UUID, session: SessionDep, caller: Writer
) -> MergePreviewRead:
    """What merging this subject into the target would move; nothing is written (409 as the merge would)."""
    del caller
    found = lifecycle.merge_preview(session, subject_id, target_id)
    return MergePreviewRead.model_validate(dataclasses.asdict(found))


@router.post("/{subject_id}/merge-into/{target_id}")
def merge_subject(
    subject_id: uuid.UUID, target_id: uuid.UUID, session: SessionDep, caller: Writer
) -> SubjectRead:
    """Merge this subject into the target; both histories stay and the old id leads to the target."""
    return service.subject_view(
        session, lifecycle.merge_subjects(session, caller.actor, subject_id, target_id)
    )


@router.post("/{subject_id}/erase")
def erase_subject(subject_id: uuid.UUID, session: SessionDep, caller: Writer) -> SubjectRead:
    """Erase the subject's name, birth date and identifiers; ids, categories and history stay."""
    return service.subject_view(session, lifecycle.erase_subject(session, caller.actor, subject_id))

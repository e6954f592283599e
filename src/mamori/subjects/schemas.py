"""Shapes of subjects as callers send and read them; personal fields only in :class:`SubjectReveal`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mamori.policy.schema import Jurisdiction, Language
from mamori.subjects.models import Subject, SubjectRelationship
from mamori.validation import Line, RecentDate, UtcDateTime

RelationshipKind = Literal["legal_representative_minor", "legal_representative_ward", "agent", "next_of_kin"]
RELATIONSHIP_KINDS: tuple[str, ...] = (
    "legal_representative_minor",
    "legal_representative_ward",
    "agent",
    "next_of_kin",
)
IDENTIFIER_KIND_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
IdentifierKind = Literal["email", "phone", "member_number", "employee_number", "shareholder_number"]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CategoryIn(Input):
    category: str = Field(min_length=1, max_length=80, description="a subject category id of the policy")
    collected_at: UtcDateTime | None = Field(
        default=None, description="when the data was collected (starts the retention clock); default now"
    )
    source: Line = Field(default="", max_length=200, description="where the data came from (APPI Art. 20)")


class IdentifierIn(Input):
    kind: IdentifierKind = Field(examples=["email", "phone", "member_number"])
    value: Line = Field(min_length=1, max_length=320)


class SubjectCreate(Input):
    jurisdiction: Jurisdiction = "JP"
    language: Language = "ja"
    name: Line | None = Field(default=None, max_length=200)
    date_of_birth: RecentDate | None = None
    categories: list[CategoryIn] = Field(min_length=1)
    identifiers: list[IdentifierIn] = Field(default_factory=list)


class SubjectLookup(Input):
    kind: IdentifierKind
    value: Line = Field(min_length=1, max_length=320)


class RelationshipCreate(Input):
    related_subject_id: uuid.UUID = Field(description="the person who acts for this subject")
    kind: RelationshipKind
    evidence_ref: Line = Field(min_length=1, max_length=500, description="reference to the proof held")
    valid_from: RecentDate
    valid_until: RecentDate | None = None


class CategoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    category: str
    collected_at: datetime
    source: str


class IdentifierKindRead(BaseModel):
    """An identifier without its value."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str


class RelationshipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subject_id: uuid.UUID
    related_subject_id: uuid.UUID
    kind: str
    evidence_ref: str
    valid_from: date
    valid_until: date | None
    created_by: str


class SubjectSummary(BaseModel):
    """What a lookup tells: no personal data."""

    id: uuid.UUID
    status: str
    categories: list[str]
    jurisdiction: str

    @classmethod
    def of(cls, subject: Subject) -> SubjectSummary:
        categories = sorted(c.category for c in subject.categories)
        return cls(
            id=subject.id, status=subject.status, categories=categories, jurisdiction=subject.jurisdiction
        )


class SubjectRead(BaseModel):
    """The non-personal view: no name, date of birth or identifier values."""

    id: uuid.UUID
    status: str
    jurisdiction: str
    language: str
    categories: list[CategoryRead]
    identifiers: list[IdentifierKindRead]
    merged_into_id: uuid.UUID | None
    merged_ids: list[uuid.UUID] = Field(description="subjects merged into this one")
    relationships: list[RelationshipRead]
    created_at: datetime
    erased_at: datetime | None


class IdentifierRead(BaseModel):
    id: uuid.UUID
    kind: str
    value: str


class SubjectReveal(BaseModel):
    """The personal view, given for a declared purpose and recorded in the audit log."""

    id: uuid.UUID
    status: str
    purpose: str
    name: str | None
    date_of_birth: date | None
    identifiers: list[IdentifierRead]


def relationship_read(relationship: SubjectRelationship) -> RelationshipRead:
    return RelationshipRead.model_validate(relationship)

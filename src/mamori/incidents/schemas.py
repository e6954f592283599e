"""Input and output shapes of the incidents room (used by the services, the API and the CLI)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mamori.incidents.rules import Certainty, Kind, UnlawfulPurpose
from mamori.policy.schema import Language
from mamori.validation import MAX_INT32, Instant

Authority = Literal["ppc", "pipl"]
Stage = Literal["preliminary", "final"]
Channel = Literal["email", "post"]


class FactsIn(BaseModel):
    """Facts that may change while the incident is investigated; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = None
    certainty: Certainty | None = None
    occurred_at: Instant | None = None
    how_found: str | None = Field(default=None, max_length=4000)
    systems: list[str] | None = None
    data_items: list[str] | None = None
    persons_known: int | None = Field(default=None, le=MAX_INT32)
    persons_max: int | None = Field(
        default=None, le=MAX_INT32, description="possible maximum; counts for the 1,000"
    )
    advanced_encryption: bool | None = None
    unlawful_purpose: UnlawfulPurpose | None = None
    financial_loss_risk: bool | None = None
    acquiring_data_affected: bool | None = Field(default=None, description="data being acquired (web forms)")
    jurisdictions: list[str] | None = None
    pipl_major: bool | None = Field(default=None, description="a major incident under the CAC measures")


class IncidentCreate(FactsIn):
    kind: Kind
    certainty: Certainty = Certainty.ACTUAL
    known_at: Instant = Field(description="when any department first knew: day 1 of the clocks")
    subject_ids: list[uuid.UUID] = Field(default_factory=list)


class FactsUpdate(FactsIn):
    observed_at: Instant | None = Field(
        default=None, description="when these facts became known (default: now); not before known_at"
    )
    clear_unlawful_purpose: bool = False


class ReasonRead(BaseModel):
    code: str
    messages: dict[str, str]


class ClockRead(BaseModel):
    code: str
    name: str
    starts_on: date
    due_on: date
    due_at: datetime
    days: int | None
    hours: int | None
    status: str
    done_at: datetime | None


class IncidentRead(BaseModel):
    id: uuid.UUID
    reference: str
    state: str
    kind: str
    certainty: str
    occurred_at: datetime | None
    known_at: datetime
    facts: dict[str, Any]
    reportable: bool
    reportable_since: datetime | None
    triggers: list[str]
    reasons: list[ReasonRead]
    clocks: list[ClockRead]
    subjects: int
    closing_blockers: list[str]
    created_at: datetime
    closed_at: datetime | None


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    action: str
    changes: dict[str, Any]
    reportable: bool
    triggers: list[str]
    observed_at: datetime
    recorded_at: datetime
    actor: str


class Transition(BaseModel):
    to: str = Field(description="open, contained, closed or dismissed")


class SubjectsIn(BaseModel):
    subject_ids: list[uuid.UUID] = Field(min_length=1)


class DeadlineRead(BaseModel):
    incident_id: uuid.UUID
    reference: str
    clock: ClockRead


class ReportItems(BaseModel):
    """The free-text items the privacy office writes; the others are drafted from the facts.

    PPC (Rule 8): summary, items, persons, cause, secondary damage, response to individuals,
    publication, prevention, other. PIPL (Art. 57): categories, cause, harm, measures, what
    individuals can do, contact: ``harm`` and ``individual_actions`` serve PIPL.
    """

    model_config = ConfigDict(extra="forbid")

    summary: str | None = Field(default=None, max_length=8000)
    cause: str | None = Field(default=None, max_length=8000)
    secondary_damage: str | None = Field(default=None, max_length=8000)
    response_to_individuals: str | None = Field(default=None, max_length=8000)
    publication: str | None = Field(default=None, max_length=8000)
    prevention: str | None = Field(default=None, max_length=8000)
    other: str | None = Field(default=None, max_length=8000)
    harm: str | None = Field(default=None, max_length=8000)
    individual_actions: str | None = Field(default=None, max_length=8000)


class ReportCreate(BaseModel):
    authority: Authority = "ppc"
    stage: Stage = "preliminary"
    items: ReportItems = Field(default_factory=ReportItems)


class ReportRead(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    authority: str
    stage: str
    version: int
    status: str
    content: dict[str, Any]
    created_at: datetime
    created_by: str
    filed_at: datetime | None


class NoticeTexts(BaseModel):
    """The office's own words for a notice, in one language; missing ones get the standard sentence."""

    model_config = ConfigDict(extra="forbid")

    summary: str | None = Field(default=None, max_length=4000)
    cause: str | None = Field(default=None, max_length=4000)
    harm: str | None = Field(default=None, max_length=4000)
    measures: str | None = Field(default=None, max_length=4000)
    can_do: str | None = Field(default=None, max_length=4000)


class StatementCreate(BaseModel):
    texts: dict[Language, NoticeTexts] = Field(default_factory=dict)


class NoticesCreate(BaseModel):
    channel: Channel = "email"
    texts: dict[Language, NoticeTexts] = Field(
        default_factory=dict, description="per language; Japanese falls back to the latest PPC report"
    )
    subject_ids: list[uuid.UUID] | None = Field(default=None, description="default: every linked person")
    again: bool = Field(default=False, description="also people already told")


class NoticeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subject_id: uuid.UUID | None
    law: str
    channel: str
    language: str
    status: str
    message_id: uuid.UUID | None
    created_at: datetime


class StatementRead(BaseModel):
    incident_id: uuid.UUID
    reference: str
    published_at: datetime
    texts: dict[str, dict[str, Any]] = Field(description="per language: title, text and sections")


class ActionCreate(BaseModel):
    title: str = Field(min_length=1, max_length=2000)
    owner: str = Field(min_length=1, max_length=200)
    due_on: date


class ActionRead(BaseModel):
    id: uuid.UUID
    title: str
    owner: str
    due_on: date
    status: str
    completed_at: datetime | None

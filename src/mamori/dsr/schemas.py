"""Input and output shapes of the dsr room (used by the services, the API and the CLI)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from mamori.dsr.rules import RequesterKind
from mamori.validation import Email, Line, Text


class RequesterIn(BaseModel):
    """Who files the request. Ask only what is needed to answer and to match what we hold."""

    model_config = ConfigDict(extra="forbid")

    kind: RequesterKind = RequesterKind.SELF
    name: Line = Field(min_length=1, max_length=200)
    email: Email | None = Field(default=None, max_length=254)
    address: Text | None = Field(default=None, max_length=500)
    representation: str | None = Field(
        default=None, description="legal representative only: 'minor' or 'adult_ward'"
    )


class RequesterRead(BaseModel):
    """Who filed the request.

    The case view leaves name, e-mail and address out (null): they are read with a purpose,
    audited, through ``POST /requests/{id}/reveal`` or ``mamori requests reveal``.
    """

    kind: str
    representation: str | None
    name: str | None = None
    email: str | None = None
    address: str | None = None


class DeadlinesRead(BaseModel):
    target_on: date = Field(description="answer by this day (business calendar)")
    art39_on: date = Field(description="last day of the two weeks of APPI Art. 39; a suit may follow")
    cap_on: date | None = Field(description="latest allowed day (PIPL), if any")
    overdue: bool


class CaseEventRead(BaseModel):
    from_state: str | None
    to_state: str
    actor: str
    reason: str
    at: datetime


class WaitingRead(BaseModel):
    """Why a task has not been handed to fulfillment yet: a code and its text in each language."""

    code: str = Field(examples=["no_datamap"])
    messages: dict[str, str]


class TaskRead(BaseModel):
    """Work in the organisation's systems the decision set off (access, correct, erase)."""

    id: uuid.UUID
    action: str
    status: str = Field(description="pending (not handed over yet) or handed_over")
    run_id: uuid.UUID | None = Field(description="the fulfillment run, once handed over")
    waiting: WaitingRead | None
    created_at: datetime
    handed_over_at: datetime | None


class StatementRead(BaseModel):
    """The privacy officer's statement that the organisation holds the person's data nowhere else."""

    at: datetime
    by: str
    reason: str


class CaseRead(BaseModel):
    id: uuid.UUID
    reference: str
    request_type: str
    ground: str | None
    erasure: bool
    channel: str
    language: str
    jurisdiction: str
    state: str
    allowed_transitions: list[str]
    subject_id: uuid.UUID | None
    inquiry_id: uuid.UUID | None
    requester: RequesterRead
    response_method: str
    received_at: datetime
    deadlines: DeadlinesRead
    my_number_front_only: bool
    outcome: str | None
    reasons: list[str]
    fee_yen: int
    fee_paid_yen: int | None
    fee_paid_at: datetime | None
    closed_at: datetime | None
    history: list[CaseEventRead]
    tasks: list[TaskRead] = Field(default_factory=list)
    held_nowhere_else: StatementRead | None = Field(
        default=None, description="the privacy officer's statement; a disclosure may then go without a search"
    )


class CaseSummary(BaseModel):
    """A line of the case list: references and dates, no requester's name, address or e-mail."""

    id: uuid.UUID
    reference: str
    request_type: str
    state: str
    channel: str
    language: str
    requester_kind: str
    received_at: datetime
    target_on: date
    overdue: bool
    closed_at: datetime | None


class RevealIn(BaseModel):
    """Why a requester's name and contact details are read: a purpose id among the reader's duties."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=80, examples=["inquirer.response"])

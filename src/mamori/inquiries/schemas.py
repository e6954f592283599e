"""What the API and the CLI exchange about inquiries. Reads without personal data unless named *Thread*."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from mamori.calendar.rules import BusinessCalendar
from mamori.inquiries.models import Inquiry
from mamori.inquiries.rules import format_remaining
from mamori.inquiries.timing import time_left
from mamori.validation import Email, Line, Text, UtcDateTime


class InquiryCreate(BaseModel):
    """An inquiry staff log from a phone call, a letter or an e-mail (the web form has its own page)."""

    model_config = ConfigDict(extra="forbid")

    channel: str = Field(description="web_form, email, phone or letter", examples=["phone"])
    language: str = Field(description="ja, en, zh-Hans or zh-Hant", examples=["ja"])
    category: str = Field(
        description="personal_information, complaint, public_relations, investor_relations or other",
        examples=["complaint"],
    )
    message: Text = Field(description="what the person said or wrote (stored encrypted)")
    name: Line | None = Field(default=None, max_length=200, description="stored encrypted")
    email: Email | None = Field(default=None, description="stored encrypted; needed for e-mail answers")
    phone: Line | None = Field(default=None, max_length=40, description="stored encrypted")
    subject_id: uuid.UUID | None = Field(default=None, description="the person, when identified")
    received_at: UtcDateTime | None = Field(
        default=None, description="when it arrived (a letter's date), with its zone; default now"
    )


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: str = Field(description="username of an active staff user")


class InboundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    channel: str = Field(default="email", description="web_form, email, phone or letter")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: str = Field(description="the agent's answer; the category's template wraps it")
    wait_for_customer: bool = Field(default=False, description="ask for more and stop the clock")


class AnswerRecordIn(ReplyIn):
    channel: str = Field(description="phone or letter")


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject_id: uuid.UUID


class ConvertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_type: str = Field(
        description="a request type id of the policy, e.g. disclosure", examples=["disclosure"]
    )
    requester_name: str | None = Field(default=None, description="when the inquiry has no name")
    requester_address: str | None = Field(default=None, description="postal address, for an answer by post")
    response_method: str | None = Field(
        default=None,
        description="a response method id of the policy; default: post for letters, else electronic",
    )


class InquiryRead(BaseModel):
    """An inquiry without personal data, with its clock."""

    id: uuid.UUID
    reference: str
    channel: str
    language: str
    category: str
    state: str
    subject_id: uuid.UUID | None
    assignee: str | None
    has_email: bool
    received_at: datetime
    first_response_due_at: datetime
    resolution_due_at: datetime
    first_responded_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    waiting_since: datetime | None
    remaining_business_minutes: int = Field(
        description="business time left before the next target; < 0: late"
    )
    remaining: str = Field(description="the same as H:MM")
    request_case_id: uuid.UUID | None
    review_marked_at: datetime | None = Field(
        default=None, description="a complaint marked for the management review: when"
    )

    @classmethod
    def of(cls, cal: BusinessCalendar, inquiry: Inquiry, now: datetime) -> InquiryRead:
        left = time_left(cal, inquiry, now)
        return cls(
            id=inquiry.id, reference=inquiry.reference, channel=inquiry.channel, language=inquiry.language,
            category=inquiry.category, state=inquiry.state, subject_id=inquiry.subject_id,
            assignee=inquiry.assignee, has_email=inquiry.email_encrypted is not None,
            received_at=inquiry.received_at, first_response_due_at=inquiry.first_response_due_at,
            resolution_due_at=inquiry.resolution_due_at, first_responded_at=inquiry.first_responded_at,
            answered_at=inquiry.answered_at, closed_at=inquiry.closed_at, waiting_since=inquiry.paused_since,
            remaining_business_minutes=int(left.total_seconds() // 60), remaining=format_remaining(left),
            request_case_id=inquiry.request_case_id, review_marked_at=inquiry.review_marked_at,
        )  # fmt: skip


class MessageRead(BaseModel):
    direction: str
    channel: str
    author: str
    created_at: datetime
    text: str
    outbound_message_id: uuid.UUID | None


class InquiryThread(InquiryRead):
    """The inquiry with the person's contact data and every message (each read is audited)."""

    name: str | None
    email: str | None
    phone: str | None
    messages: list[MessageRead]


class CountRow(BaseModel):
    key: str
    count: int


class ComplaintReport(BaseModel):
    """Complaints received in a period (Tokyo dates, inclusive), for the management review."""

    start: str
    end: str
    complaints: int
    all_inquiries: int
    open: int
    answered_or_closed: int
    converted: int
    first_response_on_time: int
    first_response_late: int
    resolved_on_time: int
    resolved_late: int
    by_language: list[CountRow]
    by_channel: list[CountRow]
    by_month: list[CountRow]
    by_category: list[CountRow] = Field(description="every category, so complaints stand beside the rest")

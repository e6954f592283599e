"""Tables of the inquiries room. Contact data and message texts are stored encrypted."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mamori.db.base import Base, UUIDPrimaryKey, utcnow


class Inquiry(UUIDPrimaryKey, Base):
    """A contact-centre ticket: a question, complaint or request, and the clock of its answer.

    ``client_key`` is a keyed hash of the web client's address (rate limit), never the address.
    Targets are copied from the bundle when the inquiry arrives, so a later policy does not move them.
    """

    __tablename__ = "inquiries"

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(40), index=True)
    state: Mapped[str] = mapped_column(String(30), index=True)
    subject_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    name_encrypted: Mapped[str | None] = mapped_column(Text)
    email_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    assignee: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_hours: Mapped[float] = mapped_column(Float)
    resolution_hours: Mapped[float] = mapped_column(Float)
    paused_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    paused_since: Mapped[datetime | None]
    first_response_due_at: Mapped[datetime]
    resolution_due_at: Mapped[datetime]
    first_responded_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)  # retention sweeps walk it
    request_case_id: Mapped[uuid.UUID | None]
    client_key: Mapped[str | None] = mapped_column(String(64))
    # A complaint marked for the management review (APPI Art. 40): when, by whom and why.
    review_marked_at: Mapped[datetime | None] = mapped_column(index=True)
    review_marked_by: Mapped[str | None] = mapped_column(String(200))
    review_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    messages: Mapped[list[InquiryMessage]] = relationship(
        back_populates="inquiry", cascade="all, delete-orphan", order_by="InquiryMessage.created_at"
    )

    __table_args__ = (
        Index("ix_inquiries_client_key_received", "client_key", "received_at"),
        # the dashboard's weekly figures, counted from the index (migration 0018_h19perf)
        Index("ix_inquiries_received_language", "received_at", "language", "category"),
        # the open inquiries' clocks read and counted from the index (the dashboard, the inbox)
        Index(
            "ix_inquiries_open_clock",
            "state",
            "paused_since",
            "first_responded_at",
            "first_response_due_at",
            "resolution_due_at",
        ),
    )


class InquiryMessage(UUIDPrimaryKey, Base):
    """One message of the thread: from the person (in) or from the centre (out)."""

    __tablename__ = "inquiry_messages"

    inquiry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inquiries.id"), index=True)
    direction: Mapped[str] = mapped_column(String(3))
    channel: Mapped[str] = mapped_column(String(20))
    body_encrypted: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    outbound_message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("outbound_messages.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry: Mapped[Inquiry] = relationship(back_populates="messages")

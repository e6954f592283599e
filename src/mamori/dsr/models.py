"""Tables of the dsr room. Personal data (names, contacts, free text) is stored encrypted."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow


class Case(UUIDPrimaryKey, Base):
    """One request of a person about their data, from receipt to closing.

    ``state`` follows :data:`mamori.dsr.rules.TRANSITIONS`; each change is a :class:`CaseEvent`.
    """

    __tablename__ = "dsr_cases"
    # The console's lists and dashboard over 100k+ cases (migration 0018_h19perf): one state in
    # due order; open cases by due date (closed_at IS NULL) with the state to filter and count from
    # the index; the weekly figures by received and answered instant.
    __table_args__ = (
        Index("ix_dsr_cases_state_target", "state", "target_on", "id"),
        Index("ix_dsr_cases_unclosed_due", "closed_at", "target_on", "id", "state"),
        Index("ix_dsr_cases_received_at", "received_at"),
        Index("ix_dsr_cases_responded_target", "responded_at", "target_on"),
    )

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    request_type: Mapped[str] = mapped_column(String(40), index=True)
    ground: Mapped[str | None] = mapped_column(String(40))
    erasure: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(20), index=True)
    subject_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    inquiry_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    policy_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policy_versions.id"))
    requester_kind: Mapped[str] = mapped_column(String(30))
    representation: Mapped[str | None] = mapped_column(String(20))
    requester_name_encrypted: Mapped[str] = mapped_column(Text)
    requester_email_encrypted: Mapped[str | None] = mapped_column(Text)
    requester_email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    requester_address_encrypted: Mapped[str | None] = mapped_column(Text)
    details_encrypted: Mapped[str | None] = mapped_column(Text)
    response_method: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]
    target_on: Mapped[date] = mapped_column(Date, index=True)
    art39_on: Mapped[date] = mapped_column(Date)
    cap_on: Mapped[date | None] = mapped_column(Date)
    reminded_at: Mapped[datetime | None]
    my_number_front_only: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(20))
    reasons: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    explanation_encrypted: Mapped[str | None] = mapped_column(Text)
    fee_yen: Mapped[int] = mapped_column(Integer, default=0)
    fee_paid_yen: Mapped[int | None] = mapped_column(Integer)
    fee_paid_at: Mapped[datetime | None]
    fee_payment_method: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    documents_purged_at: Mapped[datetime | None]
    # The privacy officer's statement that the data is held nowhere but in Mamori: a disclosure
    # may then be answered without the search of the data map's systems (reason kept, audited).
    held_nowhere_else_at: Mapped[datetime | None]
    held_nowhere_else_by: Mapped[str | None] = mapped_column(String(200))
    held_nowhere_else_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class CaseEvent(UUIDPrimaryKey, Base):
    """A state change of a case: who moved it, from where to where, and why (append-only)."""

    __tablename__ = "dsr_case_events"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dsr_cases.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseDocument(UUIDPrimaryKey, Base):
    """An uploaded document (ID, power of attorney, proof of a relation); its bytes live encrypted on disk."""

    __tablename__ = "dsr_documents"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dsr_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    whose: Mapped[str] = mapped_column(String(20))
    document_type: Mapped[str | None] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str | None] = mapped_column(String(80))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    deleted_at: Mapped[datetime | None]


class IdentityCheck(UUIDPrimaryKey, Base):
    """What an agent compared on an ID document and what they concluded."""

    __tablename__ = "dsr_identity_checks"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dsr_cases.id"), index=True)
    whose: Mapped[str] = mapped_column(String(20))
    document_type: Mapped[str] = mapped_column(String(80))
    document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dsr_documents.id"))
    matched: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    outcome: Mapped[str] = mapped_column(String(20))
    reasons_encrypted: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[str] = mapped_column(String(200))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseLetter(UUIDPrimaryKey, Base):
    """A response letter (PDF) stored encrypted; ``sha256`` is of the clear PDF."""

    __tablename__ = "dsr_letters"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dsr_cases.id"), index=True)
    language: Mapped[str] = mapped_column(String(10))
    storage_key: Mapped[str] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class Delivery(UUIDPrimaryKey, Base):
    """How a letter reaches the person: registered mail (in a print batch) or a download link with a code."""

    __tablename__ = "dsr_deliveries"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dsr_cases.id"), index=True)
    letter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dsr_letters.id"))
    method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dsr_print_batches.id"), index=True)
    tracking_number: Mapped[str | None] = mapped_column(String(40))
    mailed_at: Mapped[datetime | None]
    token_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class PrintBatch(UUIDPrimaryKey, Base):
    """Letters printed together for registered mail."""

    __tablename__ = "dsr_print_batches"

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)


class PendingTask(UUIDPrimaryKey, Base):
    """Work a decision sets off in the organisation's systems (correct, erase), until fulfillment runs it."""

    __tablename__ = "dsr_tasks"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dsr_cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    changes_encrypted: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[uuid.UUID | None]
    # Why a pending task could not be handed over yet (no_datamap, no_identity, …; dsr.messages).
    waiting: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handed_over_at: Mapped[datetime | None]


class WebSubmission(UUIDPrimaryKey, Base):
    """A request from the public form, waiting for its e-mail address to be confirmed."""

    __tablename__ = "dsr_web_submissions"

    token_index: Mapped[str] = mapped_column(String(64), unique=True)
    payload_encrypted: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[datetime]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dsr_cases.id"))

    __table_args__ = (Index("ix_dsr_web_submissions_expires", "expires_at"),)

"""Tables of the provisions room.

Parties are organisations (their names and addresses are not a person's data). Per-person rows
(``provision_records``, ``receipt_records``) hold ids and times only; what was provided to whom is
on the provision or receipt they belong to, with a snapshot of the party as it was at that time.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow


class Party(UUIDPrimaryKey, Base):
    """A recipient, group company, processor or provider, from the policy bundle or the API.

    ``name`` and ``address`` are texts per language (``{"ja": ..., "en": ...}``);
    ``representative`` is ``{"title": {...}, "name": {...}}``.
    """

    __tablename__ = "parties"

    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[dict[str, str]] = mapped_column(PortableJSON)
    address: Mapped[dict[str, str] | None] = mapped_column(PortableJSON)
    representative: Mapped[dict[str, Any] | None] = mapped_column(PortableJSON)
    country: Mapped[str] = mapped_column(String(2))
    source: Mapped[str] = mapped_column(String(20))
    contract_document: Mapped[bool] = mapped_column(Boolean, default=False)
    measures_basis: Mapped[str | None] = mapped_column(String(200))
    measures_checked_on: Mapped[date | None] = mapped_column(Date)
    measures_interval: Mapped[str | None] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Provision(UUIDPrimaryKey, Base):
    """One call of the provision gate: to whom, on which basis, which items, how many people."""

    __tablename__ = "provisions"

    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), index=True)
    basis: Mapped[str] = mapped_column(String(80))
    art29_record: Mapped[bool] = mapped_column(Boolean)
    items: Mapped[list[str]] = mapped_column(PortableJSON)
    purpose_id: Mapped[str | None] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2))
    route: Mapped[str] = mapped_column(String(30))
    justification_encrypted: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    contract_ref: Mapped[str | None] = mapped_column(String(200))
    recipient_snapshot: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    policy_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policy_versions.id"))
    provided_at: Mapped[datetime]
    requested: Mapped[int] = mapped_column(Integer)
    provided: Mapped[int] = mapped_column(Integer)
    refused: Mapped[int] = mapped_column(Integer)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by: Mapped[str] = mapped_column(String(200))

    # the console's keyset pages, newest first
    __table_args__ = (Index("ix_provisions_provided_id", "provided_at", "id"),)


class ProvisionRecord(UUIDPrimaryKey, Base):
    """A person whose data a provision handed over (the per-person part of the APPI Art. 29 record)."""

    __tablename__ = "provision_records"

    provision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provisions.id"), index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"))
    consent_event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("consent_events.id"))
    provided_at: Mapped[datetime]
    retention_end: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (
        Index("ix_provision_records_subject_provided", "subject_id", "provided_at"),
        Index("ix_provision_records_provision_page", "provision_id", "provided_at", "id"),
    )


class Receipt(UUIDPrimaryKey, Base):
    """Data received from another business (APPI Art. 30): who gave it and how they had acquired it."""

    __tablename__ = "receipts"

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), index=True)
    items: Mapped[list[str]] = mapped_column(PortableJSON)
    acquisition: Mapped[str] = mapped_column(String(500))
    contract_ref: Mapped[str | None] = mapped_column(String(200))
    provider_snapshot: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    received_at: Mapped[datetime]
    subjects: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(200))


class ReceiptRecord(UUIDPrimaryKey, Base):
    """A person whose data a receipt brought in."""

    __tablename__ = "receipt_records"

    receipt_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("receipts.id"), index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"))
    received_at: Mapped[datetime]
    retention_end: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (Index("ix_receipt_records_subject_received", "subject_id", "received_at"),)


class ProcessorProfile(Base):
    """What Mamori knows of a processor beyond the party: duties, group, contract, assessment cycle."""

    __tablename__ = "processors"

    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    duties: Mapped[list[str]] = mapped_column(PortableJSON)
    in_group: Mapped[bool] = mapped_column(Boolean, default=False)
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    assessment_interval: Mapped[str] = mapped_column(String(20), default="P1Y")


class SubProcessor(UUIDPrimaryKey, Base):
    """A processor's own contractor; sub-processing needs the controller's prior approval.

    Registered ``pending``; an officer approves or refuses it (``decided_*``, with evidence). One
    abroad needs a foreign-transfer route like any processor (``measures_*`` outside adequate countries).
    """

    __tablename__ = "sub_processors"

    processor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    duties: Mapped[list[str]] = mapped_column(PortableJSON)
    measures_basis: Mapped[str | None] = mapped_column(String(200))
    measures_checked_on: Mapped[date | None] = mapped_column(Date)
    measures_interval: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    evidence_ref: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assessment(UUIDPrimaryKey, Base):
    """A check of a processor: before selection or periodic, with its result and evidence."""

    __tablename__ = "processor_assessments"

    processor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    assessed_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(20))
    evidence_ref: Mapped[str] = mapped_column(String(500))
    assessor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Entrustment(UUIDPrimaryKey, Base):
    """Items handed to a processor for one duty; ``excess_items`` are those the duty does not need.

    ``sub_processors`` are the ids of the approved sub-processors of that duty the data may reach.
    """

    __tablename__ = "entrustments"

    processor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), index=True)
    duty: Mapped[str] = mapped_column(String(80))
    items: Mapped[list[str]] = mapped_column(PortableJSON)
    excess_items: Mapped[list[str]] = mapped_column(PortableJSON)
    sub_processors: Mapped[list[str]] = mapped_column(
        PortableJSON, default=list
    )  # approved ones it may reach
    route: Mapped[str] = mapped_column(String(30))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

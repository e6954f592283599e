from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, UUIDPrimaryKey, utcnow
from mamori.security.fields import EncryptedText


class ConsentEvent(UUIDPrimaryKey, Base):
    """One fact of the ledger, never updated or deleted: consent given, withdrawn or expired.

    ``scope`` is ``purpose:<purpose id>`` or a named scope such as ``recipient:<party id>``,
    ``cross_border:<country>``, ``sensitive``, ``camera``, ``cookie:<category>``.
    """

    __tablename__ = "consent_events"

    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    scope: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    separate: Mapped[bool] = mapped_column(Boolean, default=False)
    policy_version_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("policy_versions.id"))
    notice_hash: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(20))
    collected_by: Mapped[str] = mapped_column(String(200))
    on_behalf_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subjects.id"))
    evidence_ref: Mapped[str | None] = mapped_column(EncryptedText("consent_events.evidence_ref"))

    __table_args__ = (Index("ix_consent_events_subject_scope", "subject_id", "scope", "occurred_at"),)


class ConsentState(Base):
    """Projection of the ledger: the latest event per subject and scope (rebuildable from events)."""

    __tablename__ = "consent_states"

    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    action: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    separate: Mapped[bool] = mapped_column(Boolean, default=False)
    on_behalf_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subjects.id"))
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consent_events.id"))

    __table_args__ = (
        Index(
            "ix_consent_states_scope_action",
            "scope",
            "action",
            "subject_id",
            # Audiences read these too, from the index alone (key columns, not INCLUDE: SQLite
            # has no INCLUDE, and one definition serves both databases).
            "occurred_at",
            "expires_at",
            "separate",
            "on_behalf_by_id",
        ),
        # The earliest state of a scope in one index step: audiences skip the age rule for
        # everyone born early enough to have been of age then.
        Index("ix_consent_states_scope_occurred", "scope", "occurred_at"),
    )


class UsageSuspension(UUIDPrimaryKey, Base):
    """Use stopped for a subject: ``scope`` is ``all``, ``purpose:<id>`` or ``third_party_provision``."""

    __tablename__ = "usage_suspensions"

    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    scope: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(EncryptedText("usage_suspensions.reason"))  # staff free text
    source: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(EncryptedText("usage_suspensions.source_ref"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    lifted_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecisionCount(Base):
    """Allowed and refused decisions per purpose and day (Asia/Tokyo), for reporting."""

    __tablename__ = "decision_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    purpose_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    allowed: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow


class Campaign(UUIDPrimaryKey, Base):
    """A notification (``notification``) or consent (``consent``) campaign about one revised purpose."""

    __tablename__ = "campaigns"

    kind: Mapped[str] = mapped_column(String(20))
    purpose_id: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(80))
    policy_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="running")
    rate_per_second: Mapped[int] = mapped_column(Integer, default=100)
    remind_after_days: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    report: Mapped[dict[str, Any] | None] = mapped_column(PortableJSON)


class CampaignDelivery(Base):
    """One person's delivery: no address here (read from the encrypted identifier when sending)."""

    __tablename__ = "campaign_deliveries"
    __table_args__ = (
        UniqueConstraint("campaign_id", "subject_id"),
        Index("ix_campaign_deliveries_campaign_status", "campaign_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.id"))
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"))
    language: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))  # email | post
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[str | None] = mapped_column(String(200), index=True)
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(200))

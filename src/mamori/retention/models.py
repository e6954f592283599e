"""Retention runs, their progress per table, and legal holds.

A run record holds counts and cursors (the last key swept in a table, so that a resumed run goes
on from there). A cursor is a primary key of the swept system; for Mamori's own tables and the
demo shop it is a number or a file path, never a name or contact detail. A manual hold by
identity keeps its identity values encrypted.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow


class RetentionRun(UUIDPrimaryKey, Base):
    """One sweep (or dry run) over every covered dataset, at one moment (``now``)."""

    __tablename__ = "retention_runs"

    status: Mapped[str] = mapped_column(String(20), index=True)  # running, done, failed
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    policy_version: Mapped[int] = mapped_column(Integer)
    now: Mapped[datetime]
    expired: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    residual: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class RetentionRunTable(Base):
    """Counts and cursor for one dataset of one run; ``error`` names a system, never a value."""

    __tablename__ = "retention_run_tables"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("retention_runs.id"), primary_key=True)
    system: Mapped[str] = mapped_column(String(80), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(80), primary_key=True)
    action: Mapped[str] = mapped_column(String(20))
    retention: Mapped[str] = mapped_column(String(20))
    cutoff: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))  # pending, done, failed, skipped
    cursor: Mapped[list[Any] | None] = mapped_column(PortableJSON)
    expired: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    residual: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RetentionHold(UUIDPrimaryKey, Base):
    """A manual legal hold: a whole dataset (``system``/``dataset``) or a person's records (identities)."""

    __tablename__ = "retention_holds"

    reason: Mapped[str] = mapped_column(String(500))
    system: Mapped[str | None] = mapped_column(String(80))
    dataset: Mapped[str | None] = mapped_column(String(80))
    identity_kinds: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    identities_encrypted: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(200))

"""Fulfillment runs and their state per system and table.

Identities, requested corrections, the snapshot of keys found and the access package are
personal data: they are stored encrypted. Everything else (counts, field names, errors that
name a system) is not.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow


class FulfillmentRun(UUIDPrimaryKey, Base):
    """One action (access, correct, suspend, erase) for one case across every mapped system."""

    __tablename__ = "fulfillment_runs"

    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    case_ref: Mapped[str] = mapped_column(String(200), index=True)
    language: Mapped[str] = mapped_column(String(10))
    policy_version: Mapped[int] = mapped_column(Integer)
    identity_kinds: Mapped[list[str]] = mapped_column(PortableJSON)
    identities_encrypted: Mapped[str] = mapped_column(Text)
    changes_encrypted: Mapped[str | None] = mapped_column(Text)
    snapshot_encrypted: Mapped[str | None] = mapped_column(Text)
    package_encrypted: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The executor holding the run: its token and until when; an expired lease may be taken over.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None] = mapped_column(index=True)  # retention sweeps walk it


class FulfillmentRunSystem(Base):
    """How far a run got in one system; ``error`` names what failed, never a personal value."""

    __tablename__ = "fulfillment_run_systems"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fulfillment_runs.id"), primary_key=True)
    system: Mapped[str] = mapped_column(String(80), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FulfillmentRunTable(Base):
    """Counts for one table: rows found, values changed, residual values; ``places`` per field."""

    __tablename__ = "fulfillment_run_tables"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fulfillment_runs.id"), primary_key=True)
    system: Mapped[str] = mapped_column(String(80), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(80), primary_key=True)
    found: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    residual: Mapped[int] = mapped_column(Integer, default=0)
    places: Mapped[list[dict[str, Any]]] = mapped_column(PortableJSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

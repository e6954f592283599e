"""Scans, their checkpoints (so a killed scan resumes), per-column classifications and found spans.

No value found is stored: a span is its type, position and a keyed hash (HMAC with the secret key),
enough to count distinct values and to recognise the same value again, never to read it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow


class DiscoveryScan(UUIDPrimaryKey, Base):
    __tablename__ = "discovery_scans"

    target: Mapped[str] = mapped_column(String(200))  # "datamap" or "files:<label>"
    mode: Mapped[str] = mapped_column(String(10))  # sample | full
    sample: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)  # running | done | failed
    sources_total: Mapped[int] = mapped_column(Integer, default=0)
    sources_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_scanned: Mapped[int] = mapped_column(Integer, default=0)
    spans_found: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class DiscoveryCheckpoint(Base):
    """How far the scan got in one source (table or file): rows done and the last key or line."""

    __tablename__ = "discovery_checkpoints"

    scan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("discovery_scans.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(400), primary_key=True)
    position: Mapped[str | None] = mapped_column(Text)  # JSON: last primary key, or rows read
    rows: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(default=False)


class DiscoveryColumn(Base):
    """Per column of a source: rows looked at, rows with each type, best confidence per type."""

    __tablename__ = "discovery_columns"

    scan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("discovery_scans.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(400), primary_key=True)
    column: Mapped[str] = mapped_column(String(200), primary_key=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)  # type → [rows, confidence]


class DiscoverySpan(Base):
    __tablename__ = "discovery_spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("discovery_scans.id"), index=True)
    source: Mapped[str] = mapped_column(String(400))
    column: Mapped[str] = mapped_column(String(200))
    row: Mapped[str] = mapped_column(String(64))  # keyed hash of the row's key (keys can be personal)
    type: Mapped[str] = mapped_column(String(40))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    value_hash: Mapped[str] = mapped_column(String(64))

"""Tables of the durable job queue (infrastructure: every room enqueues through ``mamori.db.queue``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, PortableJSON, utcnow

ENGINE_ROW_ID = 1


class Job(Base):
    """One unit of background work. ``payload`` holds ids only, never personal data in clear."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_run_after", "state", "run_after"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(120), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class JobEngine(Base):
    """Which executor runs committed jobs (one row): ``embedded`` or ``procrastinate``.

    Kept in the database, not in each process's settings, so every API process hands work to the
    same engine: a process configured differently could otherwise enqueue jobs no worker reads.
    """

    __tablename__ = "job_engine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    engine: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Tables of the management system (JIS Q 15001): risks, audits, findings, evidence, actions, training.

Free texts that may describe people (findings, action titles, verification notes, evidence file
names) are stored encrypted; ratings, dates, owners and codes stay plain so the registers can be
searched and counted. Risk ratings are appended (``pms_risk_ratings``), never overwritten.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow


class Risk(UUIDPrimaryKey, Base):
    """A risk of one ledger dataset at one stage of its life; its current rating is the last row rated."""

    __tablename__ = "pms_risks"

    system: Mapped[str] = mapped_column(String(80), index=True)
    dataset: Mapped[str] = mapped_column(String(80))
    stage: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    residual_likelihood: Mapped[int] = mapped_column(Integer)
    residual_impact: Mapped[int] = mapped_column(Integer)
    measures: Mapped[list[str]] = mapped_column(PortableJSON)
    review_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class RiskRating(UUIDPrimaryKey, Base):
    """One rating of a risk (the first when registered, then each review): the history of risk changes."""

    __tablename__ = "pms_risk_ratings"

    risk_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pms_risks.id"), index=True)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    residual_likelihood: Mapped[int] = mapped_column(Integer)
    residual_impact: Mapped[int] = mapped_column(Integer)
    measures: Mapped[list[str]] = mapped_column(PortableJSON)
    rated_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))


class Audit(UUIDPrimaryKey, Base):
    """An internal audit: its plan (scope, dates, auditor), its checklist and its state."""

    __tablename__ = "pms_audits"

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    scope: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    auditor: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default="planned")
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(PortableJSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    completed_at: Mapped[datetime | None]


class Finding(UUIDPrimaryKey, Base):
    """What an audit found: a conformity, an observation or a nonconformity (the text encrypted)."""

    __tablename__ = "pms_findings"

    audit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pms_audits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    check_code: Mapped[str | None] = mapped_column(String(40))
    text_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class Evidence(UUIDPrimaryKey, Base):
    """A file attached to a finding, kept encrypted on disk (the sealed-file store of the requests)."""

    __tablename__ = "pms_evidence"

    finding_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pms_findings.id"), index=True)
    name_encrypted: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by: Mapped[str] = mapped_column(String(200))


class CorrectiveAction(UUIDPrimaryKey, Base):
    """A corrective action of any source but incidents (theirs stay in ``incident_actions``)."""

    __tablename__ = "pms_actions"

    source: Mapped[str] = mapped_column(String(20), index=True)
    source_ref: Mapped[str | None] = mapped_column(String(80))
    title_encrypted: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    done_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    verified_by: Mapped[str | None] = mapped_column(String(200))
    verification_encrypted: Mapped[str | None] = mapped_column(Text)
    ineffective_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class TrainingRecord(UUIDPrimaryKey, Base):
    """One person's attendance of one course: when, the result, until when it counts."""

    __tablename__ = "pms_training"

    course: Mapped[str] = mapped_column(String(80), index=True)
    person: Mapped[str] = mapped_column(String(200), index=True)
    completed_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(20))
    valid_until: Mapped[date | None] = mapped_column(Date)
    passed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))

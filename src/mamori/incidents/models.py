"""Tables of the incidents room.

An incident's current facts are a projection of its events (``incident_events``, append-only).
Free texts that may describe people (how it was found, report items, action titles, letters) are
stored encrypted; facts, counts and codes stay plain so that the register can be searched.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow


class Incident(UUIDPrimaryKey, Base):
    __tablename__ = "incidents"

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    kind: Mapped[str] = mapped_column(String(20))
    certainty: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime | None]
    known_at: Mapped[datetime]
    how_found_encrypted: Mapped[str | None] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    reportable: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    reportable_since: Mapped[datetime | None]
    policy_version_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("policy_versions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime | None]


class IncidentEvent(UUIDPrimaryKey, Base):
    """One change of an incident: the facts changed (old and new values), a state, a report, a notice."""

    __tablename__ = "incident_events"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60))
    changes: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    reportable: Mapped[bool] = mapped_column(Boolean)
    triggers: Mapped[list[str]] = mapped_column(PortableJSON)
    observed_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("incident_id", "seq"),)


class IncidentSubject(Base):
    """A person known to be affected (linked by subject id; the subject room keeps who it is)."""

    __tablename__ = "incident_subjects"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by: Mapped[str] = mapped_column(String(200))


class IncidentReport(UUIDPrimaryKey, Base):
    """One version of a report (PPC preliminary or final, or the PIPL notice); the items encrypted."""

    __tablename__ = "incident_reports"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    authority: Mapped[str] = mapped_column(String(10))
    stage: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    content_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    filed_at: Mapped[datetime | None]
    filed_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("incident_id", "authority", "stage", "version"),)


class IncidentNotice(UUIDPrimaryKey, Base):
    """A notice sent: to one person (e-mail or letter) or to the public; never the address in clear."""

    __tablename__ = "incident_notices"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    law: Mapped[str] = mapped_column(String(10), default="appi")
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("outbound_messages.id"))
    letter_encrypted: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any] | None] = mapped_column(PortableJSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_incident_notices_incident_subject", "incident_id", "subject_id"),)


class IncidentAction(UUIDPrimaryKey, Base):
    """A corrective action with an owner (a staff user name) and a due date."""

    __tablename__ = "incident_actions"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    title_encrypted: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    completed_at: Mapped[datetime | None]


class IncidentReminder(UUIDPrimaryKey, Base):
    """A reminder already given for one clock and one step (days left; -1 overdue): given once."""

    __tablename__ = "incident_reminders"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    clock: Mapped[str] = mapped_column(String(40))
    days_left: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("incident_id", "clock", "days_left", "due_on"),)

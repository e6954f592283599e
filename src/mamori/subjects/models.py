from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mamori.db.base import Base, UUIDPrimaryKey, utcnow
from mamori.security.fields import EncryptedText


class Subject(UUIDPrimaryKey, Base):
    """A person. Names and identifiers are encrypted.

    The date of birth stays plain because age rules (who may consent) are evaluated set-wise in
    SQL for audiences (decision record 0007).
    """

    __tablename__ = "subjects"

    jurisdiction: Mapped[str] = mapped_column(String(2), default="JP")
    language: Mapped[str] = mapped_column(String(10), default="ja")
    name_encrypted: Mapped[str | None] = mapped_column(Text)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]

    categories: Mapped[list[SubjectCategory]] = relationship(
        back_populates="subject", cascade="all, delete-orphan", lazy="selectin"
    )
    identifiers: Mapped[list[SubjectIdentifier]] = relationship(
        back_populates="subject", cascade="all, delete-orphan", lazy="selectin"
    )

    # the console's keyset pages, newest first
    __table_args__ = (Index("ix_subjects_created_id", "created_at", "id"),)


class SubjectCategory(Base):
    """The person is a customer (shareholder, ...) since ``collected_at``: retention counts from it."""

    __tablename__ = "subject_categories"

    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(80), primary_key=True)
    collected_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(200), default="")

    subject: Mapped[Subject] = relationship(back_populates="categories")

    __table_args__ = (Index("ix_subject_categories_category", "category", "subject_id"),)


class SubjectIdentifier(UUIDPrimaryKey, Base):
    """E-mail, phone, member number, ...: the value encrypted, found by a keyed blind index."""

    __tablename__ = "subject_identifiers"

    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    value_encrypted: Mapped[str] = mapped_column(Text)
    blind_index: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    subject: Mapped[Subject] = relationship(back_populates="identifiers")

    # "has an e-mail address" filters of audiences
    __table_args__ = (Index("ix_subject_identifiers_kind_subject", "kind", "subject_id"),)


class SubjectRelationship(UUIDPrimaryKey, Base):
    """``related_subject`` acts for ``subject``: legal representative, agent or next of kin."""

    __tablename__ = "subject_relationships"

    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    related_subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    evidence_ref: Mapped[str] = mapped_column(EncryptedText("subject_relationships.evidence_ref"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class SubjectReach(Base):
    """What audiences read first: one row per category of every active subject not merged away.

    A projection kept by database triggers (migration 0015) on every write to subjects, their
    categories and identifiers, whichever code path writes. The application writes it only to
    rebuild it (:mod:`mamori.subjects.reach`, after a load that bypassed the triggers).
    Only facts that do not change with time are kept, so the audience still compares the
    retention period, consents, suspensions and the age rule at the time asked. ``has_members``
    marks a subject others were merged into: its audience rows take the merge-group branch.
    """

    __tablename__ = "subject_reach"

    category: Mapped[str] = mapped_column(String(80), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # no foreign key: triggers keep it
    collected_at: Mapped[datetime]
    jurisdiction: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(10))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    has_email: Mapped[bool] = mapped_column(Boolean)
    has_phone: Mapped[bool] = mapped_column(Boolean)
    has_members: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_subject_reach_subject", "subject_id"),
        {"sqlite_with_rowid": False},  # SQLite: the rows themselves are ordered by the key
    )

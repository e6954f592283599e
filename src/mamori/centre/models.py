"""Tables of the privacy centre: one-time status codes and preference sign-in links.

Codes, link tokens, browser nonces and visit tokens are stored only as keyed hashes (HMAC with the
blind-index key): a copy of the database opens nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, UUIDPrimaryKey, utcnow


class StatusCode(UUIDPrimaryKey, Base):
    """A one-time code that opens the status of one request case, once, for a short visit."""

    __tablename__ = "centre_status_codes"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dsr_cases.id"), index=True)
    # "email" (valid minutes) or "letter" (printed on the acknowledgement letter, valid weeks)
    sent_by: Mapped[str] = mapped_column(String(10))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    visit_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    visit_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class PreferenceLink(UUIDPrimaryKey, Base):
    """A single-use sign-in link to the preferences centre, bound to the browser that asked for it."""

    __tablename__ = "centre_preference_links"

    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    # the e-mail identifier the link went to: receipts of the visit's changes go there too
    identifier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subject_identifiers.id", ondelete="CASCADE"))
    token_index: Mapped[str] = mapped_column(String(64), unique=True)
    nonce_index: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    visit_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    visit_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

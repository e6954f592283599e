"""Browser consent records (append-only) and the links of browsers to subjects.

A record holds no IP address and no user agent: only the pseudonymous browser ID the banner made
up (a random UUID kept in the site's first-party cookie), what was shown (the inventory hash of the
web property and the policy version) and what was chosen, per category.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow


class CookieConsent(UUIDPrimaryKey, Base):
    """One choice of one browser on one web property, never updated or deleted."""

    __tablename__ = "cookie_consents"

    property_id: Mapped[str] = mapped_column(String(80))
    browser_id: Mapped[uuid.UUID]
    inventory_hash: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[int | None] = mapped_column(Integer)
    choices: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    gpc: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_cookie_consents_browser", "browser_id", "property_id", "recorded_at"),)


class CookieBrowserLink(UUIDPrimaryKey, Base):
    """A browser the person used when signed in to the privacy centre."""

    __tablename__ = "cookie_browser_links"

    browser_id: Mapped[uuid.UUID] = mapped_column(index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)

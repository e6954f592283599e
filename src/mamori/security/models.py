from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow


class StaffUser(UUIDPrimaryKey, Base):
    __tablename__ = "staff_users"

    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")


class ApiToken(UUIDPrimaryKey, Base):
    """Only a SHA-256 digest of the secret is stored; the clear token is shown once."""

    __tablename__ = "api_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(PortableJSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[StaffUser] = relationship(back_populates="tokens")


class StaffSession(UUIDPrimaryKey, Base):
    """A console sign-in. The browser holds a random token; only its SHA-256 digest is kept here."""

    __tablename__ = "staff_sessions"

    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[StaffUser] = relationship()


class LoginThrottle(Base):
    """Failed sign-ins of one typed username, keyed by its HMAC (the text itself is never stored)."""

    __tablename__ = "login_throttles"

    name_hmac: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class StaffSecondFactor(Base):
    """A staff user's TOTP secret (encrypted); confirmed once the person typed a code from it."""

    __tablename__ = "staff_second_factors"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_users.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(Text)  # FieldCipher text, context "staff_second_factors.secret"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None]  # the TOTP time step last accepted: each code works once


class StaffRecoveryCode(UUIDPrimaryKey, Base):
    """A one-time recovery code; only its SHA-256 digest is kept (the code is shown once)."""

    __tablename__ = "staff_recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base, UUIDPrimaryKey, utcnow


class OutboundMessage(UUIDPrimaryKey, Base):
    """A message waiting to go out or already sent. The recipient address is stored encrypted."""

    __tablename__ = "outbound_messages"

    channel: Mapped[str] = mapped_column(String(20), default="email")
    recipient_encrypted: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(500))
    body_encrypted: Mapped[str] = mapped_column(Text)
    # One attached file (a receipt's PDF): its name in clear, its content encrypted (base64 inside)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_encrypted: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10), default="ja")
    purpose: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

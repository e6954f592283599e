from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mamori.db.base import Base

SeqType = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(Base):
    """One link of a chain. ``details`` is canonical JSON text so the hash survives any database.

    ``seq`` numbers every event of the log (the listing order); ``chain`` and ``link`` place it in
    one of the hash chains (position 1, 2, … of that chain). SQLite keeps one chain, where ``link``
    equals ``seq``; PostgreSQL writes several at once (see :mod:`mamori.audit.service`).
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("chain", "link", name="uq_audit_events_chain_link"),
        # the console's filters, newest first
        Index("ix_audit_events_actor_seq", "actor", "seq"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
    )

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    chain: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    link: Mapped[int] = mapped_column(SeqType)
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    target_type: Mapped[str] = mapped_column(String(100))
    target_id: Mapped[str] = mapped_column(String(200), index=True)
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(Base):
    """The last link of one chain (``id`` is the chain); a writer locks a head until it commits."""

    __tablename__ = "audit_chain_heads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(SeqType)
    hash: Mapped[str] = mapped_column(String(64))

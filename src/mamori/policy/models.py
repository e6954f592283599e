from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow
from mamori.errors import Conflict


class PolicyVersion(UUIDPrimaryKey, Base):
    """A published bundle. Immutable: the row is never updated or deleted by Mamori."""

    __tablename__ = "policy_versions"

    number: Mapped[int] = mapped_column(Integer, unique=True)
    bundle_id: Mapped[str] = mapped_column(String(80))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    sources: Mapped[dict[str, str]] = mapped_column(PortableJSON)
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_date: Mapped[date]
    note: Mapped[str | None] = mapped_column(String(500))


@event.listens_for(Session, "before_flush")
def _refuse_version_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, PolicyVersion) and (obj in session.deleted or session.is_modified(obj)):
            raise Conflict("a published policy version is immutable; publish a new version instead")

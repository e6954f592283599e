from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.db.base import Base, PortableJSON, UUIDPrimaryKey, utcnow
from mamori.errors import Conflict, Tampered
from mamori.policy.rules import content_hash

logger = logging.getLogger(__name__)


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


@event.listens_for(PolicyVersion, "load")
def _refuse_tampered_content(version: PolicyVersion, _context: Any) -> None:
    """Every version read from the database is checked against its hash before anything uses it."""
    check_content(version.number, version.content, version.content_hash)


@event.listens_for(PolicyVersion, "refresh")
def _refuse_tampered_refresh(version: PolicyVersion, _context: Any, attrs: Any) -> None:
    if attrs is None or "content" in attrs or "content_hash" in attrs:
        check_content(version.number, version.content, version.content_hash)


def check_content(number: int, content: dict[str, Any], stored_hash: str) -> None:
    """Raise Tampered (and log it) when a published version's content no longer matches its hash."""
    if content_hash(content) == stored_hash:
        return
    logger.error("policy version %s does not match its content hash; refused", number)
    raise Tampered(
        f"policy version {number} was changed in the database (its content no longer matches its hash);"
        " it is not used. Run 'mamori audit verify' and restore the database from a backup",
        details={"reason": "policy_version_tampered", "number": number},
    )


@event.listens_for(Session, "before_flush")
def _refuse_version_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, PolicyVersion) and (obj in session.deleted or session.is_modified(obj)):
            raise Conflict("a published policy version is immutable; publish a new version instead")

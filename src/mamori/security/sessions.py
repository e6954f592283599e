"""Server-side console sessions: the browser holds a random token, the database its digest.

Logout revokes the row, so a copied cookie dies with it; a role change, deactivation or new
password revokes every session of the user. Entry points own the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.security.models import StaffSession, StaffUser
from mamori.security.rules import SessionLimits, session_live

# Writing last_seen_at on every page would make each read a write; a minute (or a quarter of a
# short idle limit) is fine enough.
TOUCH_EVERY = timedelta(seconds=60)
USER_AGENT_CHARS = 200


@dataclass(frozen=True, slots=True)
class StartedSession:
    row: StaffSession
    token: str  # goes into the cookie once; never stored


def limits_of(settings: Settings) -> SessionLimits:
    return SessionLimits(
        idle=timedelta(seconds=settings.console_idle_seconds),
        absolute=timedelta(seconds=settings.console_max_seconds),
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session, user: StaffUser, *, user_agent: str | None = None, now: datetime | None = None
) -> StartedSession:
    """A new session with a new random token (a sign-in never reuses an earlier one)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        digest=_digest(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        user_agent=(user_agent or "")[:USER_AGENT_CHARS] or None,
    )
    session.add(row)
    session.flush()
    return StartedSession(row=row, token=token)


def find_session(session: Session, token: str | None) -> StaffSession | None:
    """The session row a cookie names, live or not."""
    if not token:
        return None
    return session.scalars(select(StaffSession).where(StaffSession.digest == _digest(token))).one_or_none()


def resolve_session(
    session: Session, token: str | None, limits: SessionLimits, *, now: datetime | None = None
) -> StaffSession | None:
    """The live session of an active user that ``token`` names, or None; marks it as just used."""
    now = now or utcnow()
    row = find_session(session, token)
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    if not session_live(row.created_at, row.last_seen_at, now, limits):
        return None
    if now - row.last_seen_at >= min(TOUCH_EVERY, limits.idle / 4):
        row.last_seen_at = now
    return row


def end_session(session: Session, token: str | None, *, now: datetime | None = None) -> StaffSession | None:
    """Logout: revoke the session ``token`` names (audited); None when there was none."""
    row = find_session(session, token)
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = now or utcnow()
    record_event(
        session,
        actor=f"user:{row.user.username}",
        action="user.logged_out",
        target_type="staff_user",
        target_id=str(row.user_id),
        details={"session": str(row.id)},
    )
    return row


def revoke_user_sessions(session: Session, user_id: uuid.UUID, *, now: datetime | None = None) -> int:
    """Revoke every open session of a user; how many there were. The caller audits why."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)

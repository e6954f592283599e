"""Staff sign-in with a password: per-username lockout, and failures audited without the typed name.

A username that fails ``login_max_failures`` times within the window is locked for
``login_lockout_seconds``: every attempt then gets the same answer as a wrong password and the
password is not even checked. The typed name is recorded only as an HMAC (keyed by the secret
key) and its length, because people type passwords into the username box; when it names an
existing user the audit event carries that user's id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import delete, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.errors import Unauthenticated
from mamori.security.crypto import blind_index
from mamori.security.models import LoginThrottle, StaffUser
from mamori.security.rules import LockoutPolicy, Throttle, after_failure, locked
from mamori.security.second_factor import check_second_factor
from mamori.security.service import get_user_by_username
from mamori.security.sessions import StartedSession, start_session

GENERIC = "unknown user or wrong password"
LOGIN_ACTOR = "web:console"
_hasher = PasswordHasher()


def policy_of(settings: Settings) -> LockoutPolicy:
    return LockoutPolicy(
        max_failures=settings.login_max_failures,
        window=timedelta(seconds=settings.login_failure_window_seconds),
        lockout=timedelta(seconds=settings.login_lockout_seconds),
    )


def name_hmac(settings: Settings, typed: str) -> str:
    """The keyed hash a typed username is known by in throttles and the audit log."""
    return blind_index(settings, "staff-login-name", typed)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return _hasher.hash("mamori-no-such-user")


def _password_ok(user: StaffUser | None, password: str) -> bool:
    """Argon2 check; an unknown or disabled user costs the same time, so timing names no one."""
    try:
        _hasher.verify(user.password_hash if user is not None else _decoy_hash(), password)
    except VerificationError:
        return False
    return user is not None and user.active


def check_password(
    session: Session, settings: Settings, username: str, password: str, *, now: datetime | None = None
) -> StaffUser:
    """The first step of a sign-in; the caller commits either way (failures are audited).

    Raises:
        Unauthenticated: unknown user, wrong password, disabled account or locked name (one message).
    """
    now = now or utcnow()
    digest = name_hmac(settings, username)
    user = get_user_by_username(session, username) if username else None
    row = session.get(LoginThrottle, digest, with_for_update=True)
    if row is not None and locked(_state(row), now):
        _failed(session, digest, username, user, reason="locked")
        raise Unauthenticated(GENERIC)
    if user is None or not _password_ok(user, password):
        _count_failure(session, settings, row, digest, username, user, now)
        raise Unauthenticated(GENERIC)
    return user


def check_code(
    session: Session,
    settings: Settings,
    user: StaffUser,
    code: str,
    *,
    now: datetime | None = None,
) -> str:
    """The second step: a TOTP or recovery code; wrong codes count toward the same lockout as passwords.

    Returns ``"totp"`` or ``"recovery_code"``.

    Raises:
        Unauthenticated: wrong or reused code, disabled account or locked name.
    """
    now = now or utcnow()
    digest = name_hmac(settings, user.username)
    row = session.get(LoginThrottle, digest, with_for_update=True)
    if row is not None and locked(_state(row), now):
        _failed(session, digest, user.username, user, reason="locked")
        raise Unauthenticated(GENERIC)
    method = check_second_factor(session, settings, user, code, now=now) if user.active else None
    if method is None:
        _count_failure(session, settings, row, digest, user.username, user, now, reason="wrong_code")
        raise Unauthenticated(GENERIC)
    if row is not None:
        session.delete(row)
    return method


def finish_sign_in(
    session: Session,
    user: StaffUser,
    *,
    second_factor: str | None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> StartedSession:
    """Start the session of a person who passed every step (a new token: sessions rotate at sign-in)."""
    started = start_session(session, user, user_agent=user_agent, now=now or utcnow())
    record_event(
        session,
        actor=f"user:{user.username}",
        action="user.logged_in",
        target_type="staff_user",
        target_id=str(user.id),
        details={"via": "console", "session": str(started.row.id), "second_factor": second_factor},
    )
    return started


def sign_in(  # noqa: PLR0913 - the form's facts and the clock
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    *,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> StartedSession:
    """Check the password and start a session (roles without a second factor); failures are audited.

    Raises:
        Unauthenticated: unknown user, wrong password, disabled account or locked name (one message).
    """
    now = now or utcnow()
    user = check_password(session, settings, username, password, now=now)
    throttle = session.get(LoginThrottle, name_hmac(settings, username))
    if throttle is not None:
        session.delete(throttle)
    return finish_sign_in(session, user, second_factor=None, user_agent=user_agent, now=now)


def _state(row: LoginThrottle) -> Throttle:
    return Throttle(row.failures, row.window_started_at, row.locked_until)


def _count_failure(  # noqa: PLR0913
    session: Session,
    settings: Settings,
    row: LoginThrottle | None,
    digest: str,
    typed: str,
    user: StaffUser | None,
    now: datetime,
    *,
    reason: str = "wrong_credentials",
) -> None:
    policy = policy_of(settings)
    _prune(session, digest, now, policy)
    row = row or _claim(session, digest, now)
    state = after_failure(_state(row), now, policy)
    row.failures, row.window_started_at, row.locked_until = (
        state.failures, state.window_started_at, state.locked_until,
    )  # fmt: skip
    _failed(session, digest, typed, user, reason=reason)
    if state.locked_until is not None:
        details = {
            **_who(digest, typed, user),
            "failures": state.failures,
            "until": state.locked_until.isoformat(),
        }
        record_event(
            session,
            actor=LOGIN_ACTOR,
            action="user.locked_out",
            target_type="staff_user",
            target_id=_target(digest, user),
            details=details,
        )


def _claim(session: Session, digest: str, now: datetime) -> LoginThrottle:
    """A count for a name that had none; when another sign-in created it meanwhile, that one, locked."""
    try:
        with session.begin_nested():
            row = LoginThrottle(name_hmac=digest, failures=0, window_started_at=now)
            session.add(row)
    except IntegrityError:
        return session.get_one(LoginThrottle, digest, with_for_update=True, populate_existing=True)
    return row


def _prune(session: Session, keep: str, now: datetime, policy: LockoutPolicy) -> None:
    """Forget counts that can no longer lock anyone, so names typed once do not pile up."""
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.name_hmac != keep,
            LoginThrottle.window_started_at <= now - policy.window,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
    )


def _who(digest: str, typed: str, user: StaffUser | None) -> dict[str, Any]:
    who: dict[str, Any] = {"name_hmac": digest, "name_length": len(typed)}
    if user is not None:
        who["user_id"] = str(user.id)
    return who


def _target(digest: str, user: StaffUser | None) -> str:
    return str(user.id) if user is not None else f"name:{digest[:32]}"


def _failed(session: Session, digest: str, typed: str, user: StaffUser | None, *, reason: str) -> None:
    record_event(
        session,
        actor=LOGIN_ACTOR,
        action="user.login_failed",
        target_type="staff_user",
        target_id=_target(digest, user),
        details={**_who(digest, typed, user), "reason": reason},
    )

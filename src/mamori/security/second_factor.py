"""Second factor of the console sign-in: TOTP (RFC 6238, via pyotp) and one-time recovery codes.

The secret is stored encrypted (AES-GCM, :mod:`mamori.security.crypto`) and only ever leaves the
server once, as the QR code and text of the enrolment page; a code is accepted once (the time step
it belongs to is remembered) and within one step of clock drift. Recovery codes are random,
shown once and kept as SHA-256 digests. Entry points own the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.errors import NotFound
from mamori.security.crypto import cipher_from_settings
from mamori.security.models import StaffRecoveryCode, StaffSecondFactor, StaffUser
from mamori.security.rules import normalise_recovery_code

CONTEXT = "staff_second_factors.secret"
ISSUER = "Mamori"
RECOVERY_CODES = 10
STEP_SECONDS = 30


def _digest(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def enrolled(session: Session, user: StaffUser) -> bool:
    row = session.get(StaffSecondFactor, user.id)
    return row is not None and row.confirmed_at is not None


def pending_secret(session: Session, settings: Settings, user: StaffUser) -> str:
    """The secret to enrol: the unconfirmed one already shown, or a new one (a reload shows the same)."""
    cipher = cipher_from_settings(settings)
    row = session.get(StaffSecondFactor, user.id)
    if row is not None and row.confirmed_at is None:
        return cipher.decrypt(row.secret_encrypted, context=CONTEXT)
    if row is not None:
        raise ValueError("the second factor is already enrolled; an administrator resets it")
    secret = pyotp.random_base32()
    session.add(StaffSecondFactor(user_id=user.id, secret_encrypted=cipher.encrypt(secret, context=CONTEXT)))
    session.flush()
    return secret


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _step_of(row: StaffSecondFactor, settings: Settings, code: str, now: datetime) -> int | None:
    """The time step ``code`` belongs to (now, or one step either side), or None."""
    totp = pyotp.TOTP(cipher_from_settings(settings).decrypt(row.secret_encrypted, context=CONTEXT))
    digits = "".join(ch for ch in code if ch.isdigit())
    base = int(now.timestamp()) // STEP_SECONDS
    for step in (base, base - 1, base + 1):
        if len(digits) == totp.digits and secrets.compare_digest(totp.at(step * STEP_SECONDS), digits):
            return step
    return None


def confirm_enrolment(
    session: Session, settings: Settings, user: StaffUser, code: str, *, now: datetime | None = None
) -> list[str] | None:
    """Confirm the pending secret with a code from the app; the recovery codes (shown once), or None."""
    now = now or utcnow()
    row = session.get(StaffSecondFactor, user.id)
    if row is None or row.confirmed_at is not None:
        return None
    step = _step_of(row, settings, code, now)
    if step is None:
        return None
    row.confirmed_at, row.last_step = now, step
    codes = new_recovery_codes(session, user, now=now)
    record_event(session, actor=f"user:{user.username}", action="user.second_factor_enrolled",
                 target_type="staff_user", target_id=str(user.id),
                 details={"recovery_codes": len(codes)})  # fmt: skip
    return codes


def new_recovery_codes(session: Session, user: StaffUser, *, now: datetime | None = None) -> list[str]:
    """Replace the user's recovery codes with new ones; the clear codes are returned once."""
    for old in session.scalars(select(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    session.add_all(
        StaffRecoveryCode(user_id=user.id, digest=_digest(code), created_at=now or utcnow()) for code in codes
    )
    session.flush()
    return codes


def check_second_factor(
    session: Session, settings: Settings, user: StaffUser, code: str, *, now: datetime | None = None
) -> str | None:
    """``"totp"`` or ``"recovery_code"`` when ``code`` is good (and now used up), else None."""
    now = now or utcnow()
    row = session.get(StaffSecondFactor, user.id, with_for_update=True)
    if row is None or row.confirmed_at is None:
        return None
    step = _step_of(row, settings, code, now)
    if step is not None and (row.last_step is None or step > row.last_step):
        row.last_step = step
        return "totp"
    spare = session.scalars(
        select(StaffRecoveryCode).where(
            StaffRecoveryCode.user_id == user.id,
            StaffRecoveryCode.digest == _digest(code),
            StaffRecoveryCode.used_at.is_(None),
        )
    ).one_or_none()
    if spare is None:
        return None
    spare.used_at = now
    return "recovery_code"


def reset_second_factor(session: Session, *, actor: str, user: StaffUser) -> None:
    """Forget the user's TOTP secret and recovery codes: the next sign-in enrols anew (audited)."""
    row = session.get(StaffSecondFactor, user.id)
    if row is not None:
        session.delete(row)
    for code in session.scalars(select(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user.id)):
        session.delete(code)
    record_event(session, actor=actor, action="user.second_factor_reset", target_type="staff_user",
                 target_id=str(user.id))  # fmt: skip


def reset_user_second_factor(session: Session, *, actor: str, username: str) -> StaffUser:
    """A lost phone: forget ``username``'s authenticator and end their sessions; they enrol at next sign-in.

    What the CLI (``mamori users reset-second-factor``) and the console's users page both call.
    """
    from mamori.security.service import get_user_by_username
    from mamori.security.sessions import revoke_user_sessions

    user = get_user_by_username(session, username)
    if user is None:
        raise NotFound(f"no staff user {username!r}")
    reset_second_factor(session, actor=actor, user=user)
    revoke_user_sessions(session, user.id)
    return user

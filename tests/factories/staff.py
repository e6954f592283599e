"""Staff users' second factor for tests: an enrolled TOTP secret and the 'phone' that makes codes."""

from __future__ import annotations

import time

import pyotp
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.security.crypto import cipher_from_settings
from mamori.security.models import StaffSecondFactor, StaffUser
from mamori.security.second_factor import CONTEXT, STEP_SECONDS


def enrol_second_factor(session: Session, user: StaffUser, settings: Settings | None = None) -> str:
    """Give ``user`` a confirmed TOTP secret (as if enrolled); the secret, for :class:`Phone`."""
    secret = pyotp.random_base32()
    cipher = cipher_from_settings(settings or Settings(_env_file=None))  # type: ignore[call-arg]
    session.merge(StaffSecondFactor(user_id=user.id, secret_encrypted=cipher.encrypt(secret, context=CONTEXT),
                                    confirmed_at=utcnow()))  # fmt: skip
    session.flush()
    return secret


class Phone:
    """An authenticator app: each code it gives belongs to a later time step than the one before."""

    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.last: int | None = None

    def code(self) -> str:
        base = int(time.time()) // STEP_SECONDS
        # The server accepts one step of drift either way; the previous step is not offered, as it
        # expires if the step turns while a loaded machine is still submitting the form.
        for step in (base, base + 1):
            if self.last is None or step > self.last:
                self.last = step
                return self.totp.at(step * STEP_SECONDS)
        time.sleep(STEP_SECONDS - time.time() % STEP_SECONDS + 0.1)
        return self.code()

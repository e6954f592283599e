"""The audit key: kept outside the database, it makes the chain's hashes unforgeable (decision 0012)."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from mamori.config import Settings, get_settings


def audit_key(settings: Settings | None = None) -> bytes:
    """``MAMORI_AUDIT_KEY``; when empty, a key derived from the secret key (development only).

    The key must stay the same for the life of the log: events written under one key do not
    verify under another.
    """
    settings = settings or get_settings()
    return _derive(settings.audit_key.get_secret_value(), settings.secret_key.get_secret_value())


def is_derived(settings: Settings | None = None) -> bool:
    """True when no audit key is set and the development derivation is in use."""
    return not (settings or get_settings()).audit_key.get_secret_value().strip()


@lru_cache(maxsize=4)
def _derive(configured: str, secret: str) -> bytes:
    if configured.strip():
        return configured.strip().encode()
    return hmac.new(secret.encode(), b"mamori-audit-key", hashlib.sha256).digest()

"""The secrets of the privacy centre: made at random, kept only as keyed hashes, compared in constant time."""

from __future__ import annotations

import hmac
import secrets

from mamori.config import Settings
from mamori.security.crypto import blind_index

# No 0/O, 1/I/L: a code read off a letter and typed in by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """What a person typed, as the code was issued: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def new_token() -> str:
    return secrets.token_urlsafe(32)


def keyed(settings: Settings, kind: str, value: str) -> str:
    """The keyed hash of ``value`` under ``kind`` (what the database keeps instead of the secret)."""
    return blind_index(settings, kind, value)


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a, b)

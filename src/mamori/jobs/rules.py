"""Pure rules of the worker: backoff between attempts, safe error text, periodic slots."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DBAPIError

from mamori.errors import MamoriError

MAX_ERROR = 500
MAX_BACKOFF = timedelta(hours=1)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def backoff(attempts: int, *, base: timedelta) -> timedelta:
    """Wait before the next attempt after ``attempts`` failures: base, 2×base, 4×base … capped at 1 h."""
    if attempts < 1 or base <= timedelta(0):
        return timedelta(0)
    factor: int = 2 ** min(attempts - 1, 20)
    delay: timedelta = base * factor
    return min(delay, MAX_BACKOFF)


def error_text(exc: BaseException) -> str:
    """What a failed attempt records, without personal data.

    Mamori's own errors carry messages written without personal data. A database error keeps the
    driver's first line only (the statement's parameters and the DETAIL line may quote values).
    Any other error keeps only its type: its text may quote what the handler was working on.
    """
    if isinstance(exc, MamoriError):
        text = f"{type(exc).__name__}: {exc.message}"
    elif isinstance(exc, DBAPIError):
        original = exc.orig if exc.orig is not None else exc
        first_line = str(original).strip().splitlines()[0] if str(original).strip() else ""
        text = f"{type(original).__name__}: {first_line}"
    elif isinstance(exc, OSError) and exc.strerror:
        text = f"{type(exc).__name__}: {exc.strerror}"
    else:
        text = type(exc).__name__
    return text[:MAX_ERROR]


def slot_start(now: datetime, interval: timedelta) -> datetime:
    """The start of the interval-long slot that ``now`` falls in (slots are counted from 2000-01-01)."""
    seconds = interval.total_seconds()
    index = math.floor((now - _EPOCH).total_seconds() / seconds)
    return _EPOCH + timedelta(seconds=index * seconds)


def slot_key(kind: str, now: datetime, interval: timedelta) -> str:
    """The idempotency key of ``kind``'s run for the slot of ``now``: ``kind@2026-12-01T10:05:00Z``."""
    start = slot_start(now, interval).astimezone(UTC)
    return f"{kind}@{start.strftime('%Y-%m-%dT%H:%M:%SZ')}"

"""Background work of the provisions room: the daily retention sweep of provision and receipt records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from mamori.provisions.service import sweep_expired_records

SWEEP = "provisions.sweep_records"


def sweep(session: Session, payload: dict[str, Any]) -> None:
    """Delete records past their retention end (the payload carries nothing)."""
    del payload
    sweep_expired_records(session, actor="job:provisions.sweep_records")


TASKS: dict[str, Callable[[Session, dict[str, Any]], None]] = {SWEEP: sweep}
PERIODIC: dict[str, timedelta] = {SWEEP: timedelta(days=1)}

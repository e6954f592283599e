"""Work the job runner does for the incidents room: the reminder sweep before each deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from mamori.incidents.reminders import send_reminders

REMIND = "incidents.remind"


def remind(session: Session, payload: dict[str, Any]) -> None:  # noqa: ARG001 - the sweep needs no input
    """Record and audit every reminder now due (each step once), overdue clocks first."""
    send_reminders(session)


TASKS: dict[str, Callable[[Session, dict[str, Any]], None]] = {REMIND: remind}
PERIODIC: dict[str, timedelta] = {REMIND: timedelta(hours=1)}

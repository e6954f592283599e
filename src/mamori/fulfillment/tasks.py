"""Background work of the fulfillment room, run by the job worker (``mamori.jobs``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from mamori.fulfillment.service import TASK_KIND, run_in_session


def run_fulfillment(session: Session, payload: dict[str, Any]) -> None:
    """Execute one run; repeating it (a worker killed mid-way) is harmless: every action is idempotent."""
    run_in_session(session, uuid.UUID(str(payload["run_id"])))


TASKS: dict[str, Callable[[Session, dict[str, Any]], None]] = {TASK_KIND: run_fulfillment}

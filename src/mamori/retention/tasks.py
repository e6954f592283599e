"""Background work of the retention room: the daily sweep, run by the job worker (``mamori.jobs``).

A sweep left running by a killed worker is resumed (from its cursors) before a new one starts.
Like fulfillment, the handler commits after every batch inside the job's unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from mamori.config import get_settings
from mamori.policy.service import current_version
from mamori.retention.service import TASK_KIND, execute_run, start_run, unfinished_run

SYSTEM_ACTOR = "system:retention"


def run_sweep(session: Session, payload: dict[str, Any]) -> None:
    """Resume an unfinished sweep, or plan and run a new one (nothing to do before a policy is published)."""
    if current_version(session) is None:
        return
    run = unfinished_run(session) or start_run(session, actor=str(payload.get("actor") or SYSTEM_ACTOR), dry_run=False)
    session.commit()
    execute_run(session, get_settings(), run.id)


TASKS: dict[str, Callable[[Session, dict[str, Any]], None]] = {TASK_KIND: run_sweep}
PERIODIC: dict[str, timedelta] = {TASK_KIND: timedelta(days=1)}

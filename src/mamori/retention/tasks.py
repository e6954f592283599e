"""Background work of the retention room: the daily sweep, run by the job worker (``mamori.jobs``).

A payload with ``run_id`` executes that run (one queued from the API). Otherwise a sweep left
running by a killed worker is resumed (from its cursors) before a new one is planned. Like
fulfillment, the handler commits after every batch inside the job's unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from mamori.config import get_settings
from mamori.policy.service import current_version
from mamori.retention.service import TASK_KIND, execute_run, get_run, start_run, unfinished_run

SYSTEM_ACTOR = "system:retention"


def run_sweep(session: Session, payload: dict[str, Any]) -> None:
    """Execute the queued run, or resume an unfinished sweep, or plan and run a new one."""
    if payload.get("run_id"):
        run = get_run(session, uuid.UUID(str(payload["run_id"])))
        if run.status != "running":
            return  # already finished (a repeated job)
    elif current_version(session) is None:
        return  # nothing to do before a policy is published
    else:
        run = unfinished_run(session) or start_run(session, actor=SYSTEM_ACTOR, dry_run=False)
        session.commit()
    execute_run(session, get_settings(), run.id)


TASKS: dict[str, Callable[[Session, dict[str, Any]], None]] = {TASK_KIND: run_sweep}
PERIODIC: dict[str, timedelta] = {TASK_KIND: timedelta(days=1)}

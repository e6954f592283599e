"""Background work of the fulfillment room, run by the job worker (``mamori.jobs``).

Unlike other handlers, a run commits in steps inside the job's unit of work: the claim of the run
and the keys found are committed before any system is changed, because the systems lie outside
Mamori's transaction anyway. What keeps a run from being applied twice is its own lease
(:func:`mamori.fulfillment.store.claim_run`), not the job's row lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from mamori.fulfillment.service import TASK_KIND, run_in_session


def run_fulfillment(session: Session, payload: dict[str, Any]) -> None:
    """Execute one run; repeating it (a worker killed mid-way) is harmless: every action is idempotent."""
    run_in_session(session, uuid.UUID(str(payload["run_id"])), follow=int(payload.get("follow", 0)))


TASKS: dict[str, Callable[[Session, dict[str, Any]], None]] = {TASK_KIND: run_fulfillment}

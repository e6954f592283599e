"""The jobs room's own periodic work: prune finished jobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from mamori.db.base import utcnow
from mamori.db.queue import JobState
from mamori.db.queue_models import Job
from mamori.jobs.registry import Handler, Registry

KEEP_DONE = timedelta(days=7)
PRUNE_KIND = "jobs.prune"


def prune_done(session: Session, payload: dict[str, Any]) -> None:
    """Delete jobs finished more than ``keep_days`` (default 7) ago; dead jobs stay until retried."""
    keep = timedelta(days=float(payload.get("keep_days", KEEP_DONE.days)))
    session.execute(delete(Job).where(Job.state == JobState.DONE, Job.finished_at < utcnow() - keep))


BUILTIN_TASKS: dict[str, Handler] = {PRUNE_KIND: prune_done}
BUILTIN_PERIODIC = {PRUNE_KIND: timedelta(hours=6)}


def with_builtin(registry: Registry) -> Registry:
    if PRUNE_KIND in registry.tasks:
        return registry
    return Registry(
        tasks={**registry.tasks, **BUILTIN_TASKS}, periodic={**registry.periodic, **BUILTIN_PERIODIC}
    )

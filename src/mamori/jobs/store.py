"""The job table's transitions: claim with a lease, finish with the handler's effects, record failures.

Ownership of a running job changes only inside a claim, under the row's lock (PostgreSQL
``FOR UPDATE SKIP LOCKED``) or SQLite's single writer (``BEGIN IMMEDIATE``); a handler's effects
commit only together with ``done`` and only while this worker still owns the job. That is why a job
is never applied twice, even when a lease expires under a worker that is still alive.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.db.base import utcnow
from mamori.db.queue import JobState
from mamori.db.queue_models import Job
from mamori.jobs.rules import backoff

SYSTEM_ACTOR = "system:jobs"


@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempt: int


def claim_due(session: Session, *, owner: str, lease: timedelta, limit: int = 1) -> list[Claimed]:
    """Take up to ``limit`` due jobs (pending, or running under an expired lease) for ``owner``.

    One statement: ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`` (SQLite has
    no row locks and serialises writers instead).
    """
    now = utcnow()
    due = or_(
        (Job.state == JobState.PENDING) & (Job.run_after <= now),
        (Job.state == JobState.RUNNING) & (Job.locked_until < now),
    )
    chosen = select(Job.id).where(due).order_by(Job.run_after, Job.id).limit(limit)
    statement = (
        update(Job)
        .where(Job.id.in_(chosen.with_for_update(skip_locked=True)))
        .values(
            state=JobState.RUNNING,
            locked_by=owner,
            locked_until=now + lease,
            attempts=Job.attempts + 1,
            started_at=now,
        )
        .returning(Job.id, Job.kind, Job.payload, Job.attempts)
        .execution_options(synchronize_session=False)
    )
    return [
        Claimed(id=row.id, kind=row.kind, payload=dict(row.payload), attempt=row.attempts)
        for row in session.execute(statement)
    ]


def claim_one(session: Session, job_id: uuid.UUID, *, owner: str, lease: timedelta) -> Claimed | None:
    """Take ``job_id`` when an engine hands it over; None if it is finished, not due or held right now.

    A job that is running but not locked was held by a worker the engine found stalled: its
    transaction is gone (a live holder keeps the row locked while its handler runs).
    """
    job = session.scalars(select(Job).where(Job.id == job_id).with_for_update(skip_locked=True)).one_or_none()
    if job is None or job.state in {JobState.DONE, JobState.DEAD}:
        return None
    now = utcnow()
    if job.state == JobState.PENDING and job.run_after > now:
        return None
    return _take(job, owner=owner, lease=lease, now=now)


def _take(job: Job, *, owner: str, lease: timedelta, now: datetime) -> Claimed:
    job.state, job.locked_by, job.locked_until = JobState.RUNNING, owner, now + lease
    job.attempts += 1
    job.started_at = now
    return Claimed(id=job.id, kind=job.kind, payload=dict(job.payload), attempt=job.attempts)


def lock_owned(session: Session, job_id: uuid.UUID, *, owner: str) -> Job | None:
    """The job, locked for this transaction, if ``owner`` still holds it; None if the lease was lost."""
    job = session.scalars(select(Job).where(Job.id == job_id).with_for_update()).one_or_none()
    if job is None or job.state != JobState.RUNNING or job.locked_by != owner:
        return None
    return job


def still_owned(session: Session, job_id: uuid.UUID, *, owner: str) -> bool:
    """Lock the job's row for this transaction; whether ``owner`` still holds its lease."""
    row = session.execute(
        select(Job.state, Job.locked_by).where(Job.id == job_id).with_for_update()
    ).one_or_none()
    return row is not None and row.state == JobState.RUNNING and row.locked_by == owner


def mark_done(session: Session, job_id: uuid.UUID) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=JobState.DONE, finished_at=utcnow(), locked_by=None, locked_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(
    session: Session, job_id: uuid.UUID, *, owner: str, error: str, retry_base: timedelta
) -> Job | None:
    """Record a failed attempt: back to pending after a backoff, or dead after the last attempt."""
    job = lock_owned(session, job_id, owner=owner)
    if job is None:
        return None
    job.last_error, job.locked_by, job.locked_until = error, None, None
    if job.attempts >= job.max_attempts:
        job.state, job.finished_at = JobState.DEAD, utcnow()
        _audit(session, SYSTEM_ACTOR, "job.dead", job, attempts=job.attempts, error=error)
    else:
        job.state = JobState.PENDING
        job.run_after = utcnow() + backoff(job.attempts, base=retry_base)
    return job


def retry_dead(session: Session, job: Job, *, actor: str) -> Job:
    """Give a dead job a new set of attempts, now."""
    job.state, job.attempts, job.run_after, job.finished_at = JobState.PENDING, 0, utcnow(), None
    _audit(session, actor, "job.retried", job, error=job.last_error)
    return job


def _audit(session: Session, actor: str, action: str, job: Job, **details: object) -> None:
    record_event(
        session,
        actor=actor,
        action=action,
        target_type="job",
        target_id=str(job.id),
        details={"job_id": str(job.id), "kind": job.kind, **details},
    )

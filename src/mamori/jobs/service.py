"""Read and repair the queue: list jobs and failures, counts by state, retry a dead job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.db.queue import JobState
from mamori.db.queue_models import Job
from mamori.errors import InvalidTransition, NotFound, ValidationFailed
from mamori.jobs.store import retry_dead

MAX_PAGE = 500


@dataclass(frozen=True)
class StateCount:
    kind: str
    state: str
    count: int


def list_jobs(
    session: Session, *, state: str | None = None, kind: str | None = None, limit: int = 50, offset: int = 0
) -> list[Job]:
    """Jobs, newest first, optionally of one state and kind.

    Raises:
        ValidationFailed: an unknown state, or a page size outside 1..500.
    """
    problems = []
    if state is not None and state not in set(JobState):
        problems.append({"field": "state", "message": f"one of {', '.join(JobState)}"})
    if not 1 <= limit <= MAX_PAGE:
        problems.append({"field": "limit", "message": f"between 1 and {MAX_PAGE}"})
    if offset < 0:
        problems.append({"field": "offset", "message": "0 or more"})
    if problems:
        raise ValidationFailed("the job list cannot be read that way", details={"errors": problems})
    query = select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)
    if state is not None:
        query = query.where(Job.state == state)
    if kind is not None:
        query = query.where(Job.kind == kind)
    return list(session.scalars(query))


def get_job(session: Session, job_id: uuid.UUID) -> Job:
    """Raises: NotFound: no job with this id."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("no such job", details={"job_id": str(job_id)})
    return job


def counts(session: Session) -> list[StateCount]:
    """How many jobs of each kind are in each state."""
    rows = session.execute(
        select(Job.kind, Job.state, func.count()).group_by(Job.kind, Job.state).order_by(Job.kind, Job.state)
    )
    return [StateCount(kind=kind, state=state, count=count) for kind, state, count in rows]


def retry_job(session: Session, *, actor: str, job_id: uuid.UUID) -> Job:
    """Give a dead job a fresh set of attempts, now (recorded in the audit chain).

    Raises:
        NotFound: no job with this id.
        InvalidTransition: the job is not dead (pending, running and done jobs need no retry).
    """
    job = session.scalars(select(Job).where(Job.id == job_id).with_for_update()).one_or_none()
    if job is None:
        raise NotFound("no such job", details={"job_id": str(job_id)})
    if job.state != JobState.DEAD:
        raise InvalidTransition(
            "only a dead job can be retried", details={"job_id": str(job_id), "state": job.state}
        )
    return retry_dead(session, job, actor=actor)

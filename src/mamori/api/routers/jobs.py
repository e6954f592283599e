"""Background tasks: state of the durable queue, failures, and retrying a dead job."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from mamori.api.deps import SessionDep, require
from mamori.db.queue import JobState, engine_of
from mamori.db.queue_models import Job
from mamori.jobs import service
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.validation import MAX_INT64

router = APIRouter(prefix="/jobs", tags=["jobs"])
Reader = Annotated[Principal, Depends(require(Scope.JOBS_READ))]
Retrier = Annotated[Principal, Depends(require(Scope.JOBS_RETRY))]


class JobRead(BaseModel):
    id: uuid.UUID
    kind: str
    state: JobState
    payload: dict[str, Any]
    key: str | None
    attempts: int
    max_attempts: int
    run_after: datetime
    locked_by: str | None
    locked_until: datetime | None
    last_error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobRead:
        return cls.model_validate(job, from_attributes=True)


class StateCountRead(BaseModel):
    kind: str
    state: JobState
    count: int


class QueueSummaryRead(BaseModel):
    engine: str
    counts: list[StateCountRead]


@router.get("")
def list_jobs(
    session: SessionDep,
    _: Reader,
    state: Annotated[JobState | None, Query(description="pending, running, done or dead")] = None,
    kind: Annotated[str | None, Query(description="e.g. notify.deliver")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
) -> list[JobRead]:
    """Jobs, newest first: state, attempts and the last error (payloads hold ids only)."""
    jobs = service.list_jobs(
        session, state=state.value if state else None, kind=kind, limit=limit, offset=offset
    )
    return [JobRead.of(job) for job in jobs]


@router.get("/summary")
def queue_summary(session: SessionDep, _: Reader) -> QueueSummaryRead:
    """How many jobs of each kind are in each state, and which engine runs them."""
    counts = [
        StateCountRead(kind=c.kind, state=JobState(c.state), count=c.count) for c in service.counts(session)
    ]
    return QueueSummaryRead(engine=engine_of(session).value, counts=counts)


@router.get("/{job_id}")
def get_job(session: SessionDep, _: Reader, job_id: uuid.UUID) -> JobRead:
    """One job with its attempts and last error."""
    return JobRead.of(service.get_job(session, job_id))


@router.post("/{job_id}/retry")
def retry_job(session: SessionDep, principal: Retrier, job_id: uuid.UUID) -> JobRead:
    """Give a dead job a fresh set of attempts now (409 if it is not dead); recorded in the audit log."""
    return JobRead.of(service.retry_job(session, actor=principal.actor, job_id=job_id))

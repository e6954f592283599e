"""Background jobs in the console: counts by kind and state, the list, and retrying a dead job.

Reading needs ``jobs:read``; retrying ``jobs:retry`` (admin, privacy officer). Payloads are not
shown: they may name people; the error text is already cut to what the worker wrote.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from mamori.api.deps import SessionDep
from mamori.calendar.service import TOKYO
from mamori.db.queue import JobState
from mamori.errors import InvalidTransition, NotFound
from mamori.jobs.service import counts, list_jobs, retry_job
from mamori.security.rules import Scope
from mamori.web.console.shell import console_page
from mamori.web.staff import StaffDep, check_csrf, require_scope

router = APIRouter(include_in_schema=False)
PAGE = 50


@router.get("/console/jobs")
def jobs_page(  # noqa: PLR0913 - the filters
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    state: Annotated[JobState | None, Query()] = None,
    kind: Annotated[str | None, Query(max_length=120)] = None,
    page: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Response:
    """Jobs by kind and state, newest first."""
    require_scope(staff, Scope.JOBS_READ)
    jobs = list_jobs(session, state=state, kind=kind or None, limit=PAGE + 1, offset=page * PAGE)
    rows = [
        {
            "job": job,
            "created": job.created_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M"),
            "finished": job.finished_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")
            if job.finished_at
            else "",
        }
        for job in jobs[:PAGE]
    ]
    return console_page(
        request,
        "console/jobs/list.html",
        staff=staff,
        rows=rows,
        counts=counts(session),
        states=list(JobState),
        state=state or "",
        kind=kind or "",
        page=page,
        more=len(jobs) > PAGE,
        may_retry=Scope.JOBS_RETRY in staff.scopes,
        retried=request.query_params.get("retried"),
    )


@router.post("/console/jobs/{job_id}/retry")
def retry(
    job_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Put a dead job back in the queue."""
    require_scope(staff, Scope.JOBS_RETRY)
    check_csrf(request, request.app.state.runtime.settings, csrf_token)
    try:
        retry_job(session, actor=staff.actor, job_id=job_id)
    except (NotFound, InvalidTransition):
        return RedirectResponse("/console/jobs?retried=no", status_code=303)
    return RedirectResponse("/console/jobs?state=pending&retried=yes", status_code=303)

"""One processor in the console: its assessments (next one due, overdue marked) and sub-processors.

Record an assessment (before selection or periodic: result and where the evidence is kept) and
approve or refuse a pending sub-processor (who decided, when, evidence), through the services the
CLI (``mamori processors …``) and the API (``/api/v1/processors``) call; each is audited there.
Reading needs ``processors:read``; recording and deciding ``processors:write``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.api.deps import SessionDep
from mamori.consents.decisions.rules import tokyo_date
from mamori.db.base import utcnow
from mamori.provisions import processors, rules, subprocessors
from mamori.provisions.models import Assessment
from mamori.security.rules import Scope
from mamori.web.console.forms import apply, guard, messages, text_in
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, require_scope

router = APIRouter(include_in_schema=False)
Evidence = Annotated[str, Form(max_length=500)]
CsrfField = Annotated[str | None, Form()]
DONE = {"assessed", "approved", "refused"}


def _page(request: Request, session: Session, staff: StaffDep, key: str, **context: Any) -> Response:
    party, profile = processors.require_processor(session, key)
    today = tokyo_date(utcnow())
    history = list(
        session.scalars(
            select(Assessment)
            .where(Assessment.processor_id == party.id)
            .order_by(Assessment.assessed_on.desc(), Assessment.created_at.desc())
        )
    )
    due = rules.period_after(history[0].assessed_on, profile.assessment_interval) if history else None
    done = request.query_params.get("done")
    return console_page(
        request,
        "console/processors/detail.html",
        staff=staff,
        party=party,
        name=text_in(party.name, console_lang(request), party.key),
        profile=profile,
        history=history,
        due=due,
        overdue=due is None or due < today,
        today=today.isoformat(),
        subs=subprocessors.list_sub_processors(session, key),
        kinds=processors.KINDS,
        results=processors.RESULTS,
        may_write=Scope.PROCESSORS_WRITE in staff.scopes,
        **{"error": None, "done": done if done in DONE else None, **context},
    )


@router.get("/console/processors/{key}")
def processor_page(key: str, request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """The processor's assessments with the next one due, and its sub-processors."""
    require_scope(staff, Scope.PROCESSORS_READ)
    return _page(request, session, staff, key)


def _done(  # noqa: PLR0913 - the page and the change
    request: Request, session: Session, staff: StaffDep, key: str, change: Any, done: str
) -> Response:
    return apply(
        session,
        change,
        refused=lambda error: _page(request, session, staff, key, error="; ".join(messages(error))),
        done=lambda: RedirectResponse(f"/console/processors/{key}?done={done}", status_code=303),
    )


@router.post("/console/processors/{key}/assessments")
def assess(  # noqa: PLR0913 - the form's fields
    key: str,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    kind: Annotated[str, Form(max_length=20)],
    result: Annotated[str, Form(max_length=20)],
    assessed_on: Annotated[date, Form()],
    evidence_ref: Evidence,
    csrf_token: CsrfField = None,
) -> Response:
    """Record an assessment (before selection or periodic) with its result and evidence."""
    guard(request, staff, Scope.PROCESSORS_WRITE, csrf_token)
    return _done(
        request,
        session,
        staff,
        key,
        lambda: processors.record_assessment(
            session,
            actor=staff.actor,
            processor=key,
            kind=kind,
            assessed_on=assessed_on,
            result=result,
            evidence_ref=evidence_ref,
        ),
        "assessed",
    )


@router.post("/console/processors/{key}/sub-processors/{sub_id}/{decision}")
def decide(  # noqa: PLR0913 - the path, the form's fields and the dependencies
    key: str,
    sub_id: uuid.UUID,
    decision: str,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    decided_by: Annotated[str, Form(max_length=100)],
    evidence_ref: Evidence,
    decided_on: Annotated[date | None, Form()] = None,
    csrf_token: CsrfField = None,
) -> Response:
    """Approve or refuse a pending sub-processor, or withdraw an approval (refuse)."""
    guard(request, staff, Scope.PROCESSORS_WRITE, csrf_token)
    if decision not in {"approve", "refuse"}:
        return _page(request, session, staff, key, error=f"unknown decision {decision!r}")
    return _done(
        request,
        session,
        staff,
        key,
        lambda: subprocessors.decide_sub_processor(
            session,
            actor=staff.actor,
            processor=key,
            sub_id=sub_id,
            approve=decision == "approve",
            decided_by=decided_by.strip(),
            evidence_ref=evidence_ref,
            decided_on=decided_on,
        ),
        "approved" if decision == "approve" else "refused",
    )

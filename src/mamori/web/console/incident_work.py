"""One incident's work in the console: people, reports (drafts, PDF, JSON), notices, statement, actions.

Each form posts to its own route and comes back to the incident (post/redirect/get), except the
notices' preview, which shows the letters in the four languages before anything is sent. Sending
queues the e-mails in the outbox; they leave after the transaction commits.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from mamori.api.deps import SessionDep
from mamori.calendar.rules import is_business_day
from mamori.calendar.service import TOKYO, appi_calendar
from mamori.db.base import utcnow
from mamori.incidents import actions, outreach, reports, service
from mamori.incidents import repository as repo
from mamori.incidents.schemas import (
    ActionCreate,
    IncidentRead,
    NoticesCreate,
    NoticeTexts,
    ReportCreate,
    ReportItems,
)
from mamori.notify.service import outbox_from_settings
from mamori.policy.schema import Language
from mamori.security.rules import Scope
from mamori.subjects.lookup import resolve_lines
from mamori.web.console.forms import apply, attempt, guard, when
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, require_scope

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str | None, Form()]
LongText = Annotated[str, Form(max_length=8000)]
NOTICE_FIELDS = ("summary", "cause", "harm", "measures", "can_do")


def days_left(due_on: date, today: date) -> tuple[int, int]:
    """Calendar days and business days (Japan) from ``today`` to ``due_on``; negative when past."""
    cal = appi_calendar()
    if due_on < today:
        return (due_on - today).days, -sum(
            is_business_day(cal, due_on + timedelta(d)) for d in range(1, (today - due_on).days + 1)
        )
    return (due_on - today).days, sum(
        is_business_day(cal, today + timedelta(d)) for d in range(1, (due_on - today).days + 1)
    )


def detail_context(request: Request, session: Session, view: IncidentRead) -> dict[str, Any]:
    """What the incident page shows besides the view: clocks with days left, reports, notices, actions."""
    settings = request.app.state.runtime.settings
    today = utcnow().astimezone(TOKYO).date()
    clocks = []
    for clock in view.clocks:
        days, business = days_left(clock.due_on, today)
        clocks.append({"clock": clock, "days": days, "business": business})
    notices = repo.notices(session, view.id)
    return {
        "clocks": clocks,
        "reports": [
            {"r": reports.report_read(settings, r), "at": when(r.created_at), "filed": when(r.filed_at)}
            for r in repo.reports(session, view.id)
        ],
        "notices": [{"n": n, "at": when(n.created_at)} for n in notices if n.channel != repo.PUBLIC],
        "statement": any(n.channel == repo.PUBLIC for n in notices),
        "actions": [actions.action_read(settings, a) for a in repo.actions(session, view.id)],
        "timeline": [{"e": e, "at": when(e.observed_at)} for e in reversed(repo.events(session, view.id))],
        "done": request.query_params.get("done"),
        "item_fields": list(ReportItems.model_fields),
        "notice_fields": NOTICE_FIELDS,
    }


def _guard(request: Request, staff: StaffDep, csrf_token: str | None) -> Any:
    return guard(request, staff, Scope.INCIDENTS_WRITE, csrf_token)


def _apply(  # noqa: PLR0913 - the page, the incident and the change
    request: Request, session: Session, staff: StaffDep, incident_id: uuid.UUID, done: str, change: Any
) -> Response:
    """Run the change; back to the incident with ``done``, or the refusal page (nothing changed)."""
    return apply(
        session,
        change,
        refused=lambda error: _refused(request, staff, error),
        done=lambda: _back(incident_id, done),
    )


def _back(incident_id: uuid.UUID, done: str) -> RedirectResponse:
    return RedirectResponse(f"/console/incidents/{incident_id}?done={done}", status_code=303)


def _refused(request: Request, staff: StaffDep, error: Exception) -> Response:
    return console_page(request, "console/incidents/refused.html", staff=staff, status=422, error=str(error))


@router.post("/console/incidents/{incident_id}/people")
def link_people(  # noqa: PLR0913 - the path, the form and the dependencies
    incident_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    people: Annotated[str, Form(max_length=400_000)],
    csrf_token: CsrfField = None,
) -> Response:
    """Link the people affected (one identifier a line), so that they can be told."""
    settings = _guard(request, staff, csrf_token)
    found = resolve_lines(session, settings, people)

    def change() -> object:
        service.link_subjects(session, staff.actor, incident_id, found.subject_ids)
        return None

    return _apply(
        request, session, staff, incident_id, f"linked-{len(found.subject_ids)}-{len(found.problems)}", change
    )


@router.post("/console/incidents/{incident_id}/reports")
async def draft(incident_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """A new version of a report (the items typed; those left empty carry over)."""
    raw = await request.form()
    settings = _guard(request, staff, str(raw.get("csrf_token") or ""))
    items = {k: str(raw.get(k) or "").strip() or None for k in ReportItems.model_fields}

    def change() -> object:
        data = ReportCreate.model_validate(
            {
                "authority": raw.get("authority") or "ppc",
                "stage": raw.get("stage") or "preliminary",
                "items": items,
            }
        )
        reports.draft_report(session, settings, staff.actor, incident_id, data)
        return None

    return _apply(request, session, staff, incident_id, "drafted", change)


@router.get("/console/incidents/{incident_id}/reports/{report_id}.pdf")
def report_pdf(
    incident_id: uuid.UUID, report_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep
) -> Response:
    """The report version as a PDF (Japanese, as filed)."""
    require_scope(staff, Scope.INCIDENTS_READ)
    from mamori.web.incident_reports import report_pdf as render

    read = reports.report_read(
        request.app.state.runtime.settings, reports.get_report(session, incident_id, report_id)
    )
    name = f"{read.content['reference']}-{read.authority}-{read.stage}-v{read.version}.pdf"
    return Response(
        render(read, service.bundle(session), "ja"),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/console/incidents/{incident_id}/reports/{report_id}.json")
def report_json(
    incident_id: uuid.UUID, report_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep
) -> Response:
    """The report version as JSON (Japanese kept as characters)."""
    require_scope(staff, Scope.INCIDENTS_READ)
    read = reports.report_read(
        request.app.state.runtime.settings, reports.get_report(session, incident_id, report_id)
    )
    name = f"{read.content['reference']}-{read.authority}-{read.stage}-v{read.version}.json"
    body = json.dumps(read.model_dump(mode="json"), ensure_ascii=False, indent=2)
    return Response(
        body.encode(),
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.post("/console/incidents/{incident_id}/reports/{report_id}/file")
def file(  # noqa: PLR0913 - the path, the form and the dependencies
    incident_id: uuid.UUID,
    report_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    csrf_token: CsrfField = None,
) -> Response:
    """Mark the version filed with the authority (its clock is then done)."""
    _guard(request, staff, csrf_token)

    def change() -> object:
        reports.file_report(session, staff.actor, incident_id, report_id)
        return None

    return _apply(request, session, staff, incident_id, "filed", change)


def _texts(raw: Any) -> dict[Language, NoticeTexts]:
    texts: dict[Language, NoticeTexts] = {}
    for lang in get_args(Language):
        values = {f: str(raw.get(f"{lang}.{f}") or "").strip() for f in NOTICE_FIELDS}
        if any(values.values()):
            texts[lang] = NoticeTexts.model_validate({k: v or None for k, v in values.items()})
    return texts


@router.post("/console/incidents/{incident_id}/notices/preview")
async def notices_preview(
    incident_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep
) -> Response:
    """The notice in each language, as the people affected would get it; nothing is sent."""
    raw = await request.form()
    settings = _guard(request, staff, str(raw.get("csrf_token") or ""))
    texts = _texts(raw)
    letters = outreach.preview_notices(session, settings, incident_id, texts)
    written = {f"{lang}.{f}": getattr(t, f) or "" for lang, t in texts.items() for f in NOTICE_FIELDS}
    return console_page(
        request,
        "console/incidents/notices.html",
        staff=staff,
        lang=console_lang(request),
        incident_id=incident_id,
        letters=letters,
        written=written,
        channel=str(raw.get("channel") or "email"),
    )


@router.post("/console/incidents/{incident_id}/notices")
async def notices_send(
    incident_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep
) -> Response:
    """Send the notice to every linked person not yet told (e-mail, or a letter to print)."""
    raw = await request.form()
    settings = _guard(request, staff, str(raw.get("csrf_token") or ""))
    runtime = request.app.state.runtime
    outbox = outbox_from_settings(settings, runtime.session_factory)
    data = NoticesCreate(channel="post" if raw.get("channel") == "post" else "email", texts=_texts(raw))
    sent, error = attempt(
        session, lambda: outreach.send_notices(session, settings, outbox, staff.actor, incident_id, data)
    )
    if sent is None:
        return _refused(request, staff, error or ValueError())
    return _back(incident_id, f"sent-{len(sent)}")


@router.post("/console/incidents/{incident_id}/statement")
async def statement(
    incident_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep
) -> Response:
    """Publish the public statement and inquiry desk in the four languages."""
    raw = await request.form()
    settings = _guard(request, staff, str(raw.get("csrf_token") or ""))
    from mamori.incidents.schemas import StatementCreate

    def change() -> object:
        outreach.publish_statement(
            session, settings, staff.actor, incident_id, StatementCreate(texts=_texts(raw))
        )
        return None

    return _apply(request, session, staff, incident_id, "published", change)


@router.post("/console/incidents/{incident_id}/actions")
def add_action(  # noqa: PLR0913 - the form's fields
    incident_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    title: Annotated[str, Form(max_length=2000)],
    owner: Annotated[str, Form(max_length=200)],
    due_on: Annotated[date, Form()],
    csrf_token: CsrfField = None,
) -> Response:
    """Add a corrective action with its owner and due date."""
    settings = _guard(request, staff, csrf_token)

    def change() -> object:
        actions.add_action(
            session, settings, staff.actor, incident_id, ActionCreate(title=title, owner=owner, due_on=due_on)
        )
        return None

    return _apply(request, session, staff, incident_id, "action", change)


@router.post("/console/incidents/{incident_id}/actions/{action_id}/status")
def action_status(  # noqa: PLR0913
    incident_id: uuid.UUID,
    action_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    to: Annotated[str, Form(max_length=20)],
    csrf_token: CsrfField = None,
) -> Response:
    """Mark a corrective action done, accepted or open again."""
    _guard(request, staff, csrf_token)

    def change() -> object:
        actions.set_action_status(session, staff.actor, incident_id, action_id, to)
        return None

    return _apply(request, session, staff, incident_id, "action", change)

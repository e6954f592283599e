"""Incidents: register, reportability, clocks, reports, notices."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response

from mamori.api.deps import Runtime, SessionDep, get_runtime, require
from mamori.api.openapi import PDF
from mamori.api.refs import IncidentKey
from mamori.incidents import actions, outreach, reports, service, views
from mamori.incidents import repository as repo
from mamori.incidents.schemas import (
    ActionCreate,
    ActionRead,
    DeadlineRead,
    EventRead,
    FactsUpdate,
    IncidentCreate,
    IncidentRead,
    NoticeRead,
    NoticesCreate,
    ReportCreate,
    ReportRead,
    StatementCreate,
    StatementRead,
    SubjectsIn,
    Transition,
)
from mamori.notify.service import outbox_from_settings
from mamori.security.rules import Scope
from mamori.security.service import Principal

router = APIRouter(prefix="/incidents", tags=["incidents"])
Reader = Annotated[Principal, Depends(require(Scope.INCIDENTS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.INCIDENTS_WRITE))]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Lang = Annotated[str, Query(pattern="^(ja|en|zh-Hans|zh-Hant)$", description="language of clock names")]


@router.post("", status_code=status.HTTP_201_CREATED)
def register_incident(
    body: IncidentCreate, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> IncidentRead:
    """Register a leak, loss or damage (actual or suspected); answers with reportability and clocks."""
    incident = service.register_incident(session, runtime.settings, caller.actor, body)
    return views.incident_view(session, incident)


@router.get("")
def list_incidents(
    session: SessionDep, _: Reader, state: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[IncidentRead]:
    """The register, newest knowledge first; optionally one state (open, contained, closed, dismissed)."""
    return [views.incident_view(session, i) for i in repo.incidents(session, state=state, limit=limit)]


@router.get("/deadlines")
def list_deadlines(session: SessionDep, _: Reader, include_done: bool = False) -> list[DeadlineRead]:
    """Every running clock of the open incidents: overdue first, then those due soon, then by expiry."""
    return views.deadlines(session, include_done=include_done)


@router.get("/{incident_id}")
def get_incident(incident_id: IncidentKey, session: SessionDep, _: Reader, lang: Lang = "en") -> IncidentRead:
    """One incident: facts, reportability with the triggers that fired and why, clocks, closing blockers."""
    return views.incident_view(session, service.get_incident(session, incident_id), lang=lang)


@router.get("/{incident_id}/history")
def incident_history(incident_id: IncidentKey, session: SessionDep, _: Reader) -> list[EventRead]:
    """Every change of the incident, oldest first, with the reportability after it."""
    service.get_incident(session, incident_id)
    return [EventRead.model_validate(e) for e in repo.events(session, incident_id)]


@router.patch("/{incident_id}/facts")
def update_facts(
    incident_id: IncidentKey, body: FactsUpdate, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> IncidentRead:
    """Record new facts (a recount, items found, encryption confirmed); reportability and clocks follow."""
    incident = service.update_facts(session, runtime.settings, caller.actor, incident_id, body)
    return views.incident_view(session, incident)


@router.post("/{incident_id}/subjects")
def link_subjects(
    incident_id: IncidentKey, body: SubjectsIn, session: SessionDep, caller: Writer
) -> IncidentRead:
    """Link people known to be affected (subject ids)."""
    service.link_subjects(session, caller.actor, incident_id, body.subject_ids)
    return views.incident_view(session, service.get_incident(session, incident_id))


@router.post("/{incident_id}/transitions")
def change_state(
    incident_id: IncidentKey, body: Transition, session: SessionDep, caller: Writer
) -> IncidentRead:
    """Move the incident (contained, closed, dismissed, open again); closing needs reports filed."""
    return views.incident_view(session, service.change_state(session, caller.actor, incident_id, body.to))


@router.post("/{incident_id}/reports", status_code=status.HTTP_201_CREATED)
def draft_report(
    incident_id: IncidentKey, body: ReportCreate, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> ReportRead:
    """Draft a new version of the PPC preliminary or final report (nine items) or of the PIPL notice."""
    report = reports.draft_report(session, runtime.settings, caller.actor, incident_id, body)
    return reports.report_read(runtime.settings, report)


@router.get("/{incident_id}/reports")
def list_reports(
    incident_id: IncidentKey, session: SessionDep, runtime: RuntimeDep, _: Reader
) -> list[ReportRead]:
    """Every version of every report of the incident."""
    service.get_incident(session, incident_id)
    return [reports.report_read(runtime.settings, r) for r in repo.reports(session, incident_id)]


@router.get("/{incident_id}/reports/{report_id}")
def get_report(
    incident_id: IncidentKey, report_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep, _: Reader
) -> ReportRead:
    """One report version as structured JSON."""
    return reports.report_read(runtime.settings, reports.get_report(session, incident_id, report_id))


@router.get("/{incident_id}/reports/{report_id}/pdf", response_class=Response, responses=PDF)
def report_pdf(
    incident_id: IncidentKey, report_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep, _: Reader,
    lang: Lang = "ja",
) -> Response:  # fmt: skip
    """The report as a PDF (Japanese by default, as filed with the PPC)."""
    from mamori.web.incident_reports import report_pdf as render

    read = reports.report_read(runtime.settings, reports.get_report(session, incident_id, report_id))
    name = f"{read.content['reference']}-{read.authority}-{read.stage}-v{read.version}.pdf"
    headers = {"Content-Disposition": f'inline; filename="{name}"', "Content-Language": lang}
    return Response(
        render(read, service.bundle(session), lang), media_type="application/pdf", headers=headers
    )


@router.post("/{incident_id}/reports/{report_id}/file")
def file_report(incident_id: IncidentKey, report_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep,
                caller: Writer) -> ReportRead:  # fmt: skip
    """Mark a report version as filed with the authority: its clock is done."""
    report = reports.file_report(session, caller.actor, incident_id, report_id)
    return reports.report_read(runtime.settings, report)


@router.post("/{incident_id}/notices", status_code=status.HTTP_201_CREATED)
def send_notices(
    incident_id: IncidentKey, body: NoticesCreate, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> list[NoticeRead]:
    """Notify the linked people in their language: e-mail after commit, or a letter to print."""
    outbox = outbox_from_settings(runtime.settings, runtime.session_factory)
    sent = outreach.send_notices(session, runtime.settings, outbox, caller.actor, incident_id, body)
    return [NoticeRead.model_validate(n) for n in sent]


@router.get("/{incident_id}/notices")
def list_notices(incident_id: IncidentKey, session: SessionDep, _: Reader) -> list[NoticeRead]:
    """The send record: one row per person told (and the public statement), without addresses."""
    service.get_incident(session, incident_id)
    return [NoticeRead.model_validate(n) for n in repo.notices(session, incident_id)]


@router.post("/{incident_id}/statement", status_code=status.HTTP_201_CREATED)
def publish_statement(
    incident_id: IncidentKey, body: StatementCreate, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> StatementRead:
    """Publish the public statement and inquiry-desk text in the four languages."""
    outreach.publish_statement(session, runtime.settings, caller.actor, incident_id, body)
    return outreach.statement(session, incident_id)


@router.get("/{incident_id}/statement")
def get_statement(incident_id: IncidentKey, session: SessionDep, _: Reader) -> StatementRead:
    """The latest public statement."""
    return outreach.statement(session, incident_id)


@router.post("/{incident_id}/actions", status_code=status.HTTP_201_CREATED)
def add_action(
    incident_id: IncidentKey, body: ActionCreate, session: SessionDep, runtime: RuntimeDep, caller: Writer
) -> ActionRead:
    """Add a corrective action with an owner and a due date."""
    return actions.action_read(runtime.settings, actions.add_action(session, runtime.settings, caller.actor,
                                                                    incident_id, body))  # fmt: skip


@router.get("/{incident_id}/actions")
def list_actions(
    incident_id: IncidentKey, session: SessionDep, runtime: RuntimeDep, _: Reader
) -> list[ActionRead]:
    """The corrective actions, earliest due first."""
    service.get_incident(session, incident_id)
    return [actions.action_read(runtime.settings, a) for a in repo.actions(session, incident_id)]


@router.post("/{incident_id}/actions/{action_id}/status")
def set_action_status(  # noqa: PLR0913 - path ids, body and dependencies
    incident_id: IncidentKey, action_id: uuid.UUID, body: Transition, session: SessionDep,
    runtime: RuntimeDep, caller: Writer,
) -> ActionRead:  # fmt: skip
    """Mark a corrective action done or accepted (or open again)."""
    action = actions.set_action_status(session, caller.actor, incident_id, action_id, body.to)
    return actions.action_read(runtime.settings, action)

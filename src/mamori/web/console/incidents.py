"""Incidents in the console: the register, a new leak with its reportability answer as typed, one incident.

The form works without scripts: "Check reportability" posts the facts and the page comes back
with the answer and the clocks. With scripts (``/static/console/incidents.js``) the same answer is
fetched as the facts change and replaces the answer box (the server renders it either way, with
the rules of :mod:`mamori.incidents.rules`). Reading needs ``incidents:read``; changes
``incidents:write``. Reports, notices, the statement and corrective actions are in
:mod:`mamori.web.console.incident_work`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from mamori.api.deps import SessionDep
from mamori.calendar.service import TOKYO
from mamori.db.base import utcnow
from mamori.incidents import repository as repo
from mamori.incidents.rules import Certainty, Kind, UnlawfulPurpose
from mamori.incidents.schemas import IncidentCreate
from mamori.incidents.service import bundle, register_incident
from mamori.incidents.views import DraftAssessment, assess_draft, deadlines, incident_view
from mamori.security.rules import Scope
from mamori.web.console.forms import attempt, messages
from mamori.web.console.incident_work import detail_context
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, check_csrf, require_scope

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str | None, Form()]


def when(instant: Any) -> str:
    return instant.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M") if instant else ""


@router.get("/console/incidents")
def register(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """Incidents, newest first, and every running clock, the most urgent first."""
    require_scope(staff, Scope.INCIDENTS_READ)
    lang = console_lang(request)
    rows = [{"incident": i, "known": when(i.known_at)} for i in repo.incidents(session, limit=200)]
    clocks = [{"d": d, "due": d.clock.due_on.isoformat()} for d in deadlines(session)]
    return console_page(
        request,
        "console/incidents/list.html",
        staff=staff,
        lang=lang,
        rows=rows,
        clocks=clocks,
        may_write=Scope.INCIDENTS_WRITE in staff.scopes,
    )


def _form_defaults() -> dict[str, Any]:
    today = utcnow().astimezone(TOKYO)
    return {
        "kind": "leak",
        "certainty": "actual",
        "known_on": today.date().isoformat(),
        "known_time": today.strftime("%H:%M"),
        "occurred_on": "",
        "data_items": [],
        "persons_known": "",
        "persons_max": "",
        "advanced_encryption": False,
        "unlawful_purpose": "",
        "financial_loss_risk": False,
        "jurisdictions": ["JP"],
        "how_found": "",
    }


def _choices(session: Session, lang: str) -> dict[str, Any]:
    policy = bundle(session)
    return {
        "items": [
            {"id": i.id, "name": i.name.get(lang) or i.id, "special": i.special_care}
            for i in policy.data_items
        ],
        "kinds": list(Kind),
        "certainties": list(Certainty),
        "purposes": list(UnlawfulPurpose),
    }


@router.get("/console/incidents/new")
def new_form(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """Register a leak, loss or damage."""
    require_scope(staff, Scope.INCIDENTS_WRITE)
    lang = console_lang(request)
    return console_page(
        request,
        "console/incidents/new.html",
        staff=staff,
        lang=lang,
        form=_form_defaults(),
        answer=None,
        errors=[],
        **_choices(session, lang),
    )


async def _read_form(request: Request) -> dict[str, Any]:
    raw = await request.form()
    form = _form_defaults() | {
        k: str(raw.get(k) or "")
        for k in (
            "kind",
            "certainty",
            "known_on",
            "known_time",
            "occurred_on",
            "persons_known",
            "persons_max",
            "unlawful_purpose",
            "how_found",
        )
    }
    form["data_items"] = [str(v) for v in raw.getlist("data_items")]
    form["jurisdictions"] = [str(v) for v in raw.getlist("jurisdictions")] or ["JP"]
    form["advanced_encryption"] = raw.get("advanced_encryption") == "on"
    form["financial_loss_risk"] = raw.get("financial_loss_risk") == "on"
    form["csrf_token"] = str(raw.get("csrf_token") or "")
    return form


def _create(form: dict[str, Any]) -> IncidentCreate:
    """The facts of the form (raises ValidationError for a wrong field)."""
    known = datetime.combine(
        datetime.fromisoformat(form["known_on"]).date(),
        time.fromisoformat(form["known_time"] or "00:00"),
        TOKYO,
    )
    occurred = (
        datetime.combine(datetime.fromisoformat(form["occurred_on"]).date(), time(), TOKYO)
        if form["occurred_on"]
        else None
    )
    return IncidentCreate.model_validate(
        {
            "kind": form["kind"],
            "certainty": form["certainty"],
            "known_at": known,
            "occurred_at": occurred,
            "data_items": form["data_items"],
            "persons_known": int(form["persons_known"] or 0),
            "persons_max": int(form["persons_max"]) if form["persons_max"] else None,
            "advanced_encryption": form["advanced_encryption"],
            "financial_loss_risk": form["financial_loss_risk"],
            "unlawful_purpose": form["unlawful_purpose"] or None,
            "jurisdictions": form["jurisdictions"],
            "how_found": form["how_found"] or None,
        }
    )


def _answer(session: Session, form: dict[str, Any], lang: str) -> tuple[DraftAssessment | None, list[str]]:
    try:
        data = _create(form)
    except (ValidationError, ValueError) as error:
        return None, [str(error).splitlines()[0]]
    return assess_draft(session, data, lang=lang), []


@router.post("/console/incidents/assess")
async def assess(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """The reportability answer for the facts typed so far (a whole page, or the answer box for scripts)."""
    require_scope(staff, Scope.INCIDENTS_WRITE)
    form = await _read_form(request)
    check_csrf(request, request.app.state.runtime.settings, form["csrf_token"])
    lang = console_lang(request)
    answer, errors = _answer(session, form, lang)
    if request.headers.get("x-mamori-fragment") == "answer":
        return console_page(
            request, "console/incidents/_answer.html", staff=staff, lang=lang, answer=answer, errors=errors
        )
    return console_page(
        request,
        "console/incidents/new.html",
        staff=staff,
        lang=lang,
        form=form,
        answer=answer,
        errors=errors,
        **_choices(session, lang),
    )


@router.post("/console/incidents")
async def create(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """Register the incident: its reference, reportability and clocks are fixed from the facts."""
    require_scope(staff, Scope.INCIDENTS_WRITE)
    form = await _read_form(request)
    settings = request.app.state.runtime.settings
    check_csrf(request, settings, form["csrf_token"])
    lang = console_lang(request)
    incident, error = attempt(
        session, lambda: register_incident(session, settings, staff.actor, _create(form))
    )
    if incident is None:
        answer, _ = _answer(session, form, lang)
        return console_page(
            request,
            "console/incidents/new.html",
            staff=staff,
            lang=lang,
            form=form,
            answer=answer,
            errors=messages(error or ValueError()),
            status=422,
            **_choices(session, lang),
        )
    return RedirectResponse(f"/console/incidents/{incident.id}", status_code=303)


@router.get("/console/incidents/{incident_id}")
def detail(incident_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """One incident: facts, reportability and reasons, clocks, reports, notices, actions, timeline."""
    require_scope(staff, Scope.INCIDENTS_READ)
    lang = console_lang(request)
    from mamori.incidents.service import get_incident

    view = incident_view(session, get_incident(session, incident_id), lang=lang)
    return console_page(
        request,
        "console/incidents/detail.html",
        staff=staff,
        lang=lang,
        view=view,
        known=when(view.known_at),
        may_write=Scope.INCIDENTS_WRITE in staff.scopes,
        **detail_context(request, session, view),
    )

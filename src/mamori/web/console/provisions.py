"""Third-party provisions and processors in the console: the registers, and the gate as a form.

The gate form (recipient, people one identifier a line or from a file, items, basis,
justification) first shows who the gate would refuse and why (:func:`mamori.provisions.gate.preview`,
nothing recorded); the confirmation then records through :func:`mamori.provisions.gate.provide`,
which judges everyone again. Reading needs ``provisions:read``; recording ``provisions:write``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from mamori.api.deps import SessionDep
from mamori.calendar.service import TOKYO
from mamori.db.paging import Cursor
from mamori.errors import MamoriError, NotFound
from mamori.policy.rules import classify_joint_use
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import bundle_of, list_versions, require_current_version
from mamori.provisions import rules
from mamori.provisions.gate import ProvisionPreview, ProvisionRequest, preview, provide
from mamori.provisions.messages import reason_dict
from mamori.provisions.models import Provision
from mamori.provisions.parties import list_parties
from mamori.provisions.processors import list_processors, overdue_assessments
from mamori.provisions.registers import provision_page, record_page
from mamori.security.rules import Scope
from mamori.subjects.lookup import resolve_lines
from mamori.web.console.forms import attempt, messages
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, check_csrf, require_scope

router = APIRouter(include_in_schema=False)
MAX_FILE = 1024 * 1024
CsrfField = Annotated[str | None, Form()]
Cursors = Annotated[str | None, Query(max_length=100)]


def _when(instant: Any) -> str:
    return instant.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M") if instant else ""


def _name(names: dict[str, str] | None, lang: str, fallback: str) -> str:
    return (names or {}).get(lang) or (names or {}).get("ja") or fallback


@router.get("/console/provisions")
def registers(request: Request, session: SessionDep, staff: StaffDep, before: Cursors = None) -> Response:
    """Provisions newest first (keyset pages)."""
    require_scope(staff, Scope.PROVISIONS_READ)
    page = provision_page(session, before=Cursor.parse(before))
    return console_page(
        request,
        "console/provisions/registers.html",
        staff=staff,
        rows=[{"row": r, "at": _when(r.provided_at)} for r in page.rows],
        next_href=f"/console/provisions?{urlencode({'before': page.next_before.text()})}"
        if page.next_before
        else None,
        may_write=Scope.PROVISIONS_WRITE in staff.scopes,
    )


@router.get("/console/provisions/parties")
def parties_page(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """The recipients and joint users, and the processors with their assessments due."""
    require_scope(staff, Scope.PROVISIONS_READ)
    lang = console_lang(request)
    parties = [p for p in list_parties(session) if p.kind != rules.PROCESSOR]
    overdue = {o.processor: o for o in overdue_assessments(session)}
    processors = [
        {
            "party": party,
            "name": _name(party.name, lang, party.key),
            "profile": profile,
            "overdue": overdue.get(party.key),
        }
        for party, profile in list_processors(session)
    ]
    return console_page(
        request,
        "console/provisions/parties.html",
        staff=staff,
        lang=lang,
        parties=[{"party": p, "name": _name(p.name, lang, p.key)} for p in parties],
        processors=processors,
        joint=joint_use_changes(session),
    )


def joint_use_changes(session: Session) -> dict[str, Any] | None:
    """The joint-use changes the latest version made, each with its class (None: a single version)."""
    versions = list_versions(session)
    if len(versions) < 2:  # noqa: PLR2004 - a change needs two versions
        return None
    old, new = versions[-2], versions[-1]
    changes = classify_joint_use(old.content.get("joint_use"), new.content.get("joint_use"))
    return {"old": old.number, "new": new.number, "changes": changes}


def _choices(session: Session, lang: str) -> dict[str, Any]:
    bundle: PolicyBundle = bundle_of(require_current_version(session))
    recipients = [p for p in list_parties(session) if p.kind in {rules.RECIPIENT, rules.GROUP_COMPANY}]
    return {
        "recipients": [
            {"key": p.key, "name": _name(p.name, lang, p.key), "country": p.country} for p in recipients
        ],
        "items": [{"id": i.id, "name": i.name.get(lang) or i.id} for i in bundle.data_items],
        "exceptions": [
            {"code": e.code, "text": e.text.get(lang) or e.code}
            for e in bundle.third_party_provision.exceptions
        ],
    }


@router.get("/console/provisions/new")
def gate_form(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """The provision gate as a form."""
    require_scope(staff, Scope.PROVISIONS_WRITE)
    lang = console_lang(request)
    form = {
        "recipient": "",
        "people": "",
        "items": [],
        "basis": rules.CONSENT,
        "justification": "",
        "approved_by": "",
    }
    return console_page(
        request,
        "console/provisions/gate.html",
        staff=staff,
        lang=lang,
        form=form,
        errors=[],
        **_choices(session, lang),
    )


@router.post("/console/provisions/preview")
async def gate_preview(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    recipient: Annotated[str, Form(max_length=80)],
    basis: Annotated[str, Form(max_length=80)],
    items: Annotated[list[str] | None, Form()] = None,
    people: Annotated[str, Form(max_length=400_000)] = "",
    people_file: Annotated[UploadFile | None, File()] = None,
    justification: Annotated[str, Form(max_length=2000)] = "",
    approved_by: Annotated[str, Form(max_length=100)] = "",
    csrf_token: CsrfField = None,
) -> Response:
    """Who the gate would let through and who it would refuse, before anything is recorded."""
    require_scope(staff, Scope.PROVISIONS_WRITE)
    settings = request.app.state.runtime.settings
    check_csrf(request, settings, csrf_token)
    lang = console_lang(request)
    text = people
    if people_file is not None and people_file.filename:
        text += "\n" + (await people_file.read(MAX_FILE)).decode("utf-8-sig", errors="replace")
    found = resolve_lines(session, settings, text)
    form = {
        "recipient": recipient,
        "people": people,
        "items": items or [],
        "basis": basis,
        "justification": justification,
        "approved_by": approved_by,
    }
    request_ = ProvisionRequest(
        recipient=recipient,
        subjects=found.subject_ids,
        items=items or [],
        basis=basis,
        justification=justification or None,
        approved_by=approved_by or None,
    )
    try:
        shown = preview(session, request_)
    except MamoriError as error:
        return console_page(
            request,
            "console/provisions/gate.html",
            staff=staff,
            lang=lang,
            status=422,
            form=form,
            errors=messages(error),
            lines=found.problems,
            **_choices(session, lang),
        )
    return console_page(
        request,
        "console/provisions/preview.html",
        staff=staff,
        lang=lang,
        form=form,
        shown=_shown(shown, lang, found.typed),
        lines=found.problems,
        subject_ids=[str(s) for s in found.subject_ids],
    )


def _shown(shown: ProvisionPreview, lang: str, typed: dict[uuid.UUID, str]) -> dict[str, Any]:
    return {
        "recipient": _name(shown.recipient.name, lang, shown.recipient.key),
        "country": shown.country,
        "route": shown.route,
        "provided": len(shown.provided),
        "refused": [
            {
                "subject_id": r.subject_id,
                "typed": typed.get(r.subject_id, ""),
                "reasons": [reason_dict(x, lang)["message"] for x in r.reasons],
            }
            for r in shown.refused
        ],
    }


@router.post("/console/provisions")
def record(  # noqa: PLR0913 - the confirmed form
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    recipient: Annotated[str, Form(max_length=80)],
    basis: Annotated[str, Form(max_length=80)],
    subject_ids: Annotated[list[uuid.UUID] | None, Form()] = None,
    items: Annotated[list[str] | None, Form()] = None,
    justification: Annotated[str, Form(max_length=2000)] = "",
    approved_by: Annotated[str, Form(max_length=100)] = "",
    csrf_token: CsrfField = None,
) -> Response:
    """Record the provision the preview showed (everyone judged again now)."""
    require_scope(staff, Scope.PROVISIONS_WRITE)
    settings = request.app.state.runtime.settings
    check_csrf(request, settings, csrf_token)
    lang = console_lang(request)
    request_ = ProvisionRequest(
        recipient=recipient,
        subjects=subject_ids or [],
        items=items or [],
        basis=basis,
        justification=justification or None,
        approved_by=approved_by or None,
    )
    outcome, error = attempt(session, lambda: provide(session, settings, actor=staff.actor, request=request_))
    if outcome is None:
        form = {
            "recipient": recipient,
            "people": "\n".join(map(str, subject_ids or [])),
            "items": items or [],
            "basis": basis,
            "justification": justification,
            "approved_by": approved_by,
        }
        return console_page(
            request,
            "console/provisions/gate.html",
            staff=staff,
            lang=lang,
            status=422,
            form=form,
            errors=messages(error or ValueError()),
            **_choices(session, lang),
        )
    return RedirectResponse(f"/console/provisions/{outcome.provision.id}?recorded=1", status_code=303)


@router.get("/console/provisions/{provision_id}")
def provision_detail(
    provision_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep, before: Cursors = None
) -> Response:
    """One provision: its record (APPI Art. 29) and the people it covered, by page."""
    require_scope(staff, Scope.PROVISIONS_READ)
    lang = console_lang(request)
    provision = session.get(Provision, provision_id)
    if provision is None:
        raise NotFound("no such provision")
    page = record_page(session, provision_id, before=Cursor.parse(before))
    snapshot = provision.recipient_snapshot
    return console_page(
        request,
        "console/provisions/detail.html",
        staff=staff,
        lang=lang,
        provision=provision,
        recipient=_name(snapshot.get("name"), lang, snapshot.get("key", "")),
        at=_when(provision.provided_at),
        records=[{"row": r, "end": _when(r.retention_end)} for r in page.rows],
        recorded=request.query_params.get("recorded") == "1",
        next_href=(
            f"/console/provisions/{provision_id}?{urlencode({'before': page.next_before.text()})}"
            if page.next_before
            else None
        ),
    )

"""Staff pages of inquiries: the inbox by business time left, one thread, assign, reply, close.

Needs a console session and the role's ``inquiries:read`` scope (``inquiries:write`` to act).
Reading a thread decrypts the person's data and is recorded in the audit log. Replies are e-mailed
in the inquiry's language, inside the category's template (the same service as the API).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.api.deps import SessionDep
from mamori.db.base import utcnow
from mamori.errors import MamoriError, NotFound
from mamori.inquiries import replies, service
from mamori.inquiries.escalation import convert_to_request
from mamori.inquiries.schemas import InquiryRead
from mamori.inquiries.texts import CATEGORY_NAMES, CHANNEL_NAMES, answer_templates, local_instant
from mamori.inquiries.timing import centre_calendar
from mamori.inquiries.views import open_views, read_thread, review_views
from mamori.notify.service import outbox_from_settings
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.subjects.validation import current_bundle
from mamori.web.console.request_actions import refusal
from mamori.web.console.shell import console_lang, console_page
from mamori.web.contact_labels import STATES
from mamori.web.staff import StaffDep, check_csrf, require_scope

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]


def _zone(session: SessionDep) -> ZoneInfo:
    """The contact centre's time zone (looked up once per page, not once per row)."""
    return centre_calendar(current_bundle(session)).tz


def _row(view: InquiryRead, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    due = view.resolution_due_at if view.first_responded_at else view.first_response_due_at
    return {
        "view": view,
        "category": CATEGORY_NAMES.label(view.category, lang),
        "channel": CHANNEL_NAMES.label(view.channel, lang),
        "state": STATES.label(view.state, lang),
        "due": local_instant(due, lang, tz),
        "received": local_instant(view.received_at, lang, tz),
        "late": view.remaining_business_minutes < 0,
    }


@router.get("/console/inquiries")
def inquiry_list(request: Request, session: SessionDep, staff: StaffDep, review: str = "") -> Response:
    """Open inquiries, least business time left first; ``review=1``: complaints marked for the review."""
    require_scope(staff, Scope.INQUIRIES_READ)
    lang = console_lang(request)
    tz = _zone(session)
    marked = review == "1"
    views = review_views(session, now=utcnow()) if marked else open_views(session, now=utcnow())
    rows = [_row(view, lang, tz) for view in views]
    return console_page(request, "console/inquiries/list.html", staff=staff, lang=lang, rows=rows,
                        review=marked)  # fmt: skip


def _thread_page(  # noqa: PLR0913 - the page and what an action adds
    request: Request, session: SessionDep, staff: Principal, inquiry_id: uuid.UUID, *,
                 status: int = 200, error: dict[str, Any] | None = None) -> HTMLResponse:  # fmt: skip
    lang = console_lang(request)
    thread = read_thread(session, request.app.state.runtime.settings, staff.actor, inquiry_id)
    templates = answer_templates(thread.language)
    chosen = request.query_params.get("template", "")
    bundle = current_bundle(session)
    return console_page(request, "console/inquiries/inquiry.html", staff=staff, lang=lang, status=status,
                        row=_row(thread, lang, _zone(session)), thread=thread, error=error,
                        can_write=Scope.INQUIRIES_WRITE in staff.scopes, templates=templates,
                        chosen=chosen, draft=next((t for k, _t, t in templates if k == chosen), ""),
                        request_types=[(t.id, t.name.get(lang)) for t in bundle.requests.types],
                        can_convert=Scope.REQUESTS_WRITE in staff.scopes)  # fmt: skip


@router.get("/console/inquiries/{inquiry_id}")
def inquiry_page(inquiry_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """One inquiry: contact data and every message, shown as text."""
    require_scope(staff, Scope.INQUIRIES_READ)
    try:
        return _thread_page(request, session, staff, inquiry_id)
    except NotFound:
        return console_page(request, "console/inquiries/missing.html", staff=staff, status=404)


def _act(  # noqa: PLR0913 - the request, who, which inquiry, the token and the work
    request: Request, session: SessionDep, staff: Principal, inquiry_id: uuid.UUID, token: str,
         work: Any) -> Response:  # fmt: skip
    require_scope(staff, Scope.INQUIRIES_WRITE)
    check_csrf(request, request.app.state.runtime.settings, token)
    try:
        with session.begin_nested():
            work()
    except MamoriError as exc:
        return _thread_page(request, session, staff, inquiry_id, status=422,
                            error=refusal(exc, console_lang(request)))  # fmt: skip
    return RedirectResponse(f"/console/inquiries/{inquiry_id}", status_code=303)


@router.post("/console/inquiries/{inquiry_id}/assign")
def assign(inquiry_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
           csrf_token: Field = "") -> Response:  # fmt: skip
    """Take the inquiry: it becomes this staff member's."""
    return _act(request, session, staff, inquiry_id, csrf_token,
                lambda: service.assign(session, staff.actor, inquiry_id, staff.username))  # fmt: skip


@router.post("/console/inquiries/{inquiry_id}/reply")
def reply(  # noqa: PLR0913 - the form's fields
    inquiry_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
    answer: Field = "", wait: Field = "", csrf_token: Field = "",
) -> Response:  # fmt: skip
    """E-mail the answer in the inquiry's language; with "wait" the clock stops until the person writes."""
    runtime = request.app.state.runtime
    outbox = outbox_from_settings(runtime.settings, runtime.session_factory)
    return _act(request, session, staff, inquiry_id, csrf_token, lambda: replies.reply(
        session, runtime.settings, outbox, staff.actor, inquiry_id, answer=answer,
        wait_for_customer=wait == "yes"))  # fmt: skip


@router.post("/console/inquiries/{inquiry_id}/close")
def close(inquiry_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
          csrf_token: Field = "") -> Response:  # fmt: skip
    """Close the inquiry."""
    return _act(request, session, staff, inquiry_id, csrf_token,
                lambda: service.close(session, staff.actor, inquiry_id))  # fmt: skip


@router.post("/console/inquiries/{inquiry_id}/convert")
def convert(  # noqa: PLR0913 - the form's fields
    inquiry_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
    request_type: Field = "", requester_address: Field = "", response_method: Field = "",
    csrf_token: Field = "",
) -> Response:  # fmt: skip
    """Open a request case from the inquiry (disclosure, correction, ...): both linked, the clock kept."""
    require_scope(staff, Scope.REQUESTS_WRITE)
    settings = request.app.state.runtime.settings
    done: list[uuid.UUID] = []

    def _convert() -> None:
        inquiry = convert_to_request(session, settings, staff.actor, inquiry_id, request_type=request_type,
                                     requester_address=requester_address or None,
                                     response_method=response_method or None)  # fmt: skip
        done.append(inquiry.request_case_id)  # type: ignore[arg-type]

    answer = _act(request, session, staff, inquiry_id, csrf_token, _convert)
    if done:
        return RedirectResponse(f"/console/requests/{done[0]}#from-inquiry", status_code=303)
    return answer


@router.post("/console/inquiries/{inquiry_id}/review")
def mark_for_review(  # noqa: PLR0913 - the form's fields
    inquiry_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
    note: Field = "", csrf_token: Field = "",
) -> Response:  # fmt: skip
    """Mark a complaint for the management review, with why (audited); listed at ``?review=1``."""
    return _act(request, session, staff, inquiry_id, csrf_token,
                lambda: service.mark_for_review(session, staff.actor, inquiry_id, note))  # fmt: skip

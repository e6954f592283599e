"""Staff pages of inquiries: the open list by business time left, and one inquiry's thread.

Needs a console session (``/console/login``) and the role's ``inquiries:read`` scope. Reading a
thread decrypts the person's data and is recorded in the audit log.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mamori.api.deps import Runtime, SessionDep
from mamori.db.base import utcnow
from mamori.errors import NotFound
from mamori.inquiries.schemas import InquiryRead
from mamori.inquiries.texts import CATEGORY_NAMES, CHANNEL_NAMES, local_instant
from mamori.inquiries.timing import centre_calendar
from mamori.inquiries.views import open_views, read_thread
from mamori.notices import messages
from mamori.security.rules import Scope
from mamori.subjects.validation import current_bundle
from mamori.web.console.shell import console_lang, console_page
from mamori.web.contact_labels import STAFF, STATES
from mamori.web.staff import StaffDep, require_scope

router = APIRouter(include_in_schema=False)


def _labels(lang: str) -> dict[str, str]:
    return {**messages.labels(lang), **STAFF.labels(lang)}


def _row(view: InquiryRead, lang: str, session: SessionDep) -> dict[str, Any]:
    tz = centre_calendar(current_bundle(session)).tz
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
def inquiry_list(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """Open inquiries, least business time left first."""
    require_scope(staff, Scope.INQUIRIES_READ)
    chosen = console_lang(request)
    rows = [_row(view, chosen, session) for view in open_views(session, now=utcnow())]
    return console_page(request, "console/inquiries/list.html", staff=staff, lang=chosen,
                        labels=_labels(chosen), rows=rows)  # fmt: skip


@router.get("/console/inquiries/{inquiry_id}")
def inquiry_page(inquiry_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """One inquiry: contact data and every message, shown as text."""
    require_scope(staff, Scope.INQUIRIES_READ)
    chosen = console_lang(request)
    runtime: Runtime = request.app.state.runtime
    try:
        thread = read_thread(session, runtime.settings, staff.actor, inquiry_id)
    except NotFound:
        return HTMLResponse(STAFF.label("none_open", chosen), status_code=404)
    row = _row(thread, chosen, session)
    return console_page(request, "console/inquiries/inquiry.html", staff=staff, lang=chosen,
                        labels=_labels(chosen), row=row, thread=thread)  # fmt: skip

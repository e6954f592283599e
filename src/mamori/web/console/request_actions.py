"""The forms of a request case: each posts here, calls one dsr service and comes back to the case.

What a service refuses (the state machine, a missing proof, a decision without reasons) is shown on
the case page in the staff member's language, with the service's own details underneath; nothing
changes then (the unit of work rolls back).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mamori.api.deps import SessionDep
from mamori.dsr import service
from mamori.dsr.service import delivery
from mamori.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    MamoriError,
    PolicyViolation,
    ValidationFailed,
)
from mamori.notify.service import outbox_from_settings
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.web.console.requests import STATE_NAMES, case_page
from mamori.web.console.shell import console_lang, console_page
from mamori.web.i18n import translator
from mamori.web.staff import StaffDep, check_csrf, require_scope

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
Fields = Annotated[list[str], Form()]


def refusal(exc: MamoriError, lang: str) -> dict[str, Any]:
    """What to tell the staff member: a sentence in their language and the service's own details."""
    _ = translator(lang).gettext
    if isinstance(exc, InvalidTransition) and "state" in exc.details and "requested" in exc.details:
        state = _(STATE_NAMES.get(str(exc.details.get("state")), str(exc.details.get("state"))))
        wanted = _(STATE_NAMES.get(str(exc.details.get("requested")), str(exc.details.get("requested"))))
        text = _("A case that is “%(state)s” cannot become “%(wanted)s”.") % {
            "state": state,
            "wanted": wanted,
        }
        return {"title": _("The case cannot make this move."), "text": text, "details": []}
    details = [f"{e.get('field')}: {e.get('message')}" for e in exc.details.get("errors", [])] or [str(exc)]
    if isinstance(exc, InvalidTransition):
        title = _("This is not allowed in the current state. Nothing was changed.")
    elif isinstance(exc, ValidationFailed):
        title = _("This cannot be done yet. Nothing was changed.")
    elif isinstance(exc, (Forbidden, PolicyViolation)):
        title = _("Your role or the policy does not allow this. Nothing was changed.")
    elif isinstance(exc, Conflict):
        title = _("This was already done or collides with another change. Nothing was changed.")
    else:
        title = _("This cannot be done. Nothing was changed.")
    return {"title": title, "text": None, "details": details}


def act(  # noqa: PLR0913 - the request, who, which case, the form's token and the work
    request: Request, session: SessionDep, staff: Principal, case_id: uuid.UUID, token: str,
         work: Any) -> Response:  # fmt: skip
    """Check the form, do ``work``; back to the case (303), or the case with the refusal (409/422)."""
    require_scope(staff, Scope.REQUESTS_WRITE)
    settings = request.app.state.runtime.settings
    check_csrf(request, settings, token)
    try:
        with session.begin_nested():  # a refusal undoes this action's writes only
            work(settings)
    except MamoriError as exc:
        status = 409 if isinstance(exc, (InvalidTransition, Conflict)) else 422
        return case_page(request, session, staff, case_id, status=status,
                         error=refusal(exc, console_lang(request)))  # fmt: skip
    return RedirectResponse(f"/console/requests/{case_id}#done", status_code=303)


@router.post("/console/requests/{case_id}/transition")
def transition(  # noqa: PLR0913 - the form's fields
    case_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
    to: Field = "", reason: Field = "", csrf_token: Field = "",
) -> Response:  # fmt: skip
    """Move the case (start the ID check, withdraw, close, ...)."""
    return act(request, session, staff, case_id, csrf_token, lambda _s: service.transition_case(
        session, actor=staff.actor, case_id=case_id, to=to, reason=reason))  # fmt: skip


@router.post("/console/requests/{case_id}/identity-check")
def identity_check(  # noqa: PLR0913 - the form's fields
    case_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
    whose: Field = "person", document_type: Field = "", outcome: Field = "", reasons: Field = "",
    matched: Fields = [],  # noqa: B006 - FastAPI copies the default
    csrf_token: Field = "",
) -> Response:  # fmt: skip
    """Record the ID check: document, what matched, outcome and why."""
    return act(request, session, staff, case_id, csrf_token, lambda s: service.record_identity_check(
        session, actor=staff.actor, case_id=case_id, whose=whose, document_type=document_type,
        matched=matched, outcome=outcome, reasons=reasons, settings=s))  # fmt: skip


@router.post("/console/requests/{case_id}/decision")
def decision(  # noqa: PLR0913 - the form's fields
    case_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
    outcome: Field = "", explanation: Field = "",
    reasons: Fields = [],  # noqa: B006 - FastAPI copies the default
    csrf_token: Field = "",
) -> Response:  # fmt: skip
    """Decide with reasons (a refusal needs one, Art. 36)."""
    return act(request, session, staff, case_id, csrf_token, lambda s: service.decide(
        session, actor=staff.actor, case_id=case_id, outcome=outcome, reasons=reasons,
        explanation=explanation, settings=s))  # fmt: skip


@router.post("/console/requests/{case_id}/letter")
def letter(
    case_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
           csrf_token: Field = "") -> Response:  # fmt: skip
    """Render the letter (PDF in the requester's language), kept encrypted."""
    return act(request, session, staff, case_id, csrf_token, lambda s: service.generate_letter(
        session, actor=staff.actor, case_id=case_id, settings=s))  # fmt: skip


@router.post("/console/requests/{case_id}/send")
def send(  # noqa: PLR0913 - the form's fields
    case_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
         method: Field = "post", csrf_token: Field = "") -> Response:  # fmt: skip
    """Approve and send: into the next print batch, or a download link and a one-time code by mail."""
    runtime = request.app.state.runtime

    def _send(s: Any) -> object:
        if method == "electronic":
            outbox = outbox_from_settings(s, runtime.session_factory)
            return delivery.send_electronically(session, actor=staff.actor, case_id=case_id, outbox=outbox,
                                                settings=s)  # fmt: skip
        return delivery.send_by_post(session, actor=staff.actor, case_id=case_id, settings=s)

    return act(request, session, staff, case_id, csrf_token, _send)


@router.post("/console/requests/{case_id}/mailed")
def mailed(  # noqa: PLR0913 - the form's fields
    case_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
    delivery_id: Field = "", tracking_number: Field = "", csrf_token: Field = "",
) -> Response:  # fmt: skip
    """Record the registered-mail number of the printed letter; the case becomes responded."""

    def _mailed(_settings: object) -> object:
        try:
            which = uuid.UUID(delivery_id)
        except ValueError as exc:
            raise ValidationFailed("no such delivery", details={"errors": []}) from exc
        return delivery.record_mailing(
            session, actor=staff.actor, delivery_id=which, tracking_number=tracking_number
        )

    return act(request, session, staff, case_id, csrf_token, _mailed)


@router.post("/console/requests/print-batch")
def print_batch(request: Request, session: SessionDep, staff: StaffDep, csrf_token: Field = "") -> Response:
    """Gather every queued postal letter into a print batch; the mailing list for the mail room (audited)."""
    require_scope(staff, Scope.REQUESTS_WRITE)
    settings = request.app.state.runtime.settings
    check_csrf(request, settings, csrf_token)
    lang = console_lang(request)
    try:
        with session.begin_nested():
            batch, items = delivery.create_print_batch(session, actor=staff.actor, settings=settings)
    except Conflict:
        return console_page(request, "console/requests/batch.html", staff=staff, lang=lang, batch=None,
                            items=[], status=409)  # fmt: skip
    return console_page(request, "console/requests/batch.html", staff=staff, lang=lang, batch=batch,
                        items=items)  # fmt: skip

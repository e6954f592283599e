"""Readings on a request case: the requester's name and contact, an ID document, a failed run retried.

Each reading names a purpose from the staff member's duties (the bundle's ``staff_roles``) and is
audited by the dsr service in the same transaction; what it shows is in this response only (the
page is ``no-store``) and never in a URL. A refused purpose is audited too and explained on the
case page in the staff member's language.
"""

from __future__ import annotations

import base64
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from mamori.api.deps import SessionDep
from mamori.dsr import service
from mamori.dsr.service import reading
from mamori.errors import Conflict, Forbidden, MamoriError, NotFound, PolicyViolation
from mamori.fulfillment.service import get_run, retry_run
from mamori.security.rules import Scope
from mamori.web.console.request_actions import act
from mamori.web.console.requests import RUN_STATUS_NAMES, case_page
from mamori.web.console.shell import console_lang
from mamori.web.i18n import translator
from mamori.web.staff import StaffDep, check_csrf, require_scope

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
# Shown in the page itself (data: images are allowed by the console's CSP); anything else opens alone.
_IN_PAGE = frozenset({"image/png", "image/jpeg"})
_DOCUMENT_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Content-Disposition": "inline",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _purpose_refused(exc: MamoriError, lang: str) -> str:
    _ = translator(lang).gettext
    if isinstance(exc, PolicyViolation):
        return _("This purpose is not in the current policy. Nothing was shown; the attempt was recorded.")
    return _("This purpose is not among your role's duties. Nothing was shown; the attempt was recorded.")


@router.post("/console/requests/{case_id}/reveal")
def reveal(  # noqa: PLR0913 - the form's fields
    case_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
    purpose: Field = "", csrf_token: Field = "",
) -> Response:  # fmt: skip
    """The requester's name, e-mail and address on the case page, for a purpose (audited)."""
    require_scope(staff, Scope.REQUESTS_READ)
    settings = request.app.state.runtime.settings
    check_csrf(request, settings, csrf_token)
    case = service.get_case(session, case_id)
    try:
        revealed = reading.reveal_requester(
            session, case, actor=staff.actor, role=staff.role, purpose=purpose, settings=settings
        )
    except (PolicyViolation, Forbidden) as exc:  # the refusal is audited and kept (committed)
        return case_page(request, session, staff, case_id, status=403,
                         reveal_error=_purpose_refused(exc, console_lang(request)))  # fmt: skip
    return case_page(request, session, staff, case_id, revealed=revealed)


@router.post("/console/requests/{case_id}/documents/{document_id}")
def show_document(  # noqa: PLR0913 - the form's fields
    case_id: uuid.UUID, document_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
    purpose: Field = "", csrf_token: Field = "",
) -> Response:  # fmt: skip
    """An ID document decrypted in memory for a purpose (audited): an image in the case page, a PDF alone.

    Nothing is written to disk or kept by the browser (``no-store``); the URL holds ids only.
    """
    require_scope(staff, Scope.REQUESTS_READ)
    settings = request.app.state.runtime.settings
    check_csrf(request, settings, csrf_token)
    try:
        document, data = service.read_document(session, actor=staff.actor, case_id=case_id,
                                               document_id=document_id, settings=settings,
                                               purpose=purpose, role=staff.role)  # fmt: skip
    except NotFound:
        missing = translator(console_lang(request)).gettext("No such document on this case.")
        return case_page(request, session, staff, case_id, status=404, reveal_error=missing)
    except (PolicyViolation, Forbidden) as exc:
        return case_page(request, session, staff, case_id, status=403,
                         reveal_error=_purpose_refused(exc, console_lang(request)))  # fmt: skip
    if document.content_type not in _IN_PAGE:
        return Response(data, media_type=document.content_type, headers=_DOCUMENT_HEADERS)
    shown = {
        "id": str(document.id),
        "src": f"data:{document.content_type};base64,{base64.b64encode(data).decode('ascii')}",
        "document_type": document.document_type,
        "kind": document.kind,
    }
    return case_page(request, session, staff, case_id, shown=shown)


@router.post("/console/requests/{case_id}/runs/{run_id}/retry")
def retry(  # noqa: PLR0913 - the form's fields
    case_id: uuid.UUID, run_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep,
    csrf_token: Field = "",
) -> Response:  # fmt: skip
    """Queue a failed run of this case again; the systems already done repeat harmlessly (idempotent)."""

    def _retry(_settings: object) -> object:
        case = service.get_case(session, case_id)
        run = get_run(session, run_id, include_package=False)
        if run.case_ref != case.reference:
            raise NotFound(f"no run {run_id} on request case {case.reference}")
        if run.status != "failed":
            _ = translator(console_lang(request)).gettext
            raise Conflict(
                _("Only a failed run can be retried; this one is “%(status)s”.")
                % {"status": _(RUN_STATUS_NAMES.get(run.status, run.status))}
            )
        return retry_run(session, actor=staff.actor, run_id=run_id)

    return act(request, session, staff, case_id, csrf_token, _retry)

"""A postal request registered in the console: the scan of the form and the fields typed from it.

One form, one transaction: the dsr service opens the case (``open_case``, as the API's
``POST /requests`` and ``mamori requests open`` do), then stores the scan of the form and any ID
document encrypted (``upload_document``). What either refuses leaves nothing behind and is shown
in the staff member's language with the service's own details.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from mamori.api.deps import SessionDep
from mamori.dsr import service
from mamori.dsr.rules import MY_NUMBER_FRONT, REGISTERED_LOGIN, DocumentKind, RequesterKind
from mamori.dsr.schemas import RequesterIn
from mamori.errors import MamoriError, ValidationFailed
from mamori.policy.schema import LANGUAGES
from mamori.security.rules import Scope
from mamori.subjects.validation import current_bundle
from mamori.web.console.request_actions import refusal
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, check_csrf, require_scope

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
Upload = Annotated[UploadFile | None, File()]
_FIELDS = ("request_type", "requester_kind", "name", "address", "email", "representation", "language",
           "response_method", "details", "document_type")  # fmt: skip
_MAX_READ = 100 * 1024 * 1024  # the bundle's own (smaller) limit is checked by the service


def _form(  # noqa: PLR0913 - the page and what a refusal adds
    request: Request, session: SessionDep, staff: StaffDep, *, status: int = 200,
    error: dict[str, Any] | None = None, values: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    lang, bundle = console_lang(request), current_bundle(session)
    return console_page(
        request, "console/requests/new.html", staff=staff, status=status, error=error,
        values=values or {**dict.fromkeys(_FIELDS, ""), "requester_kind": "self",
                          "language": lang if lang in LANGUAGES else "ja", "response_method": "post"},
        types=[(t.id, t.name.get(lang)) for t in bundle.requests.types],
        documents=[(d.id, d.name.get(lang)) for d in bundle.requests.id_documents
                   if d.id != REGISTERED_LOGIN],
        requester_kinds=[(r.id, r.name.get(lang)) for r in bundle.requests.requesters],
        answer_languages=list(LANGUAGES),
    )  # fmt: skip


@router.get("/console/requests/new")
def new_request(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """The form: the scan of the paper form and what it says."""
    require_scope(staff, Scope.REQUESTS_WRITE)
    return _form(request, session, staff)


def _requester(values: dict[str, str]) -> RequesterIn:
    try:
        return RequesterIn(
            kind=values["requester_kind"] or RequesterKind.SELF,
            name=values["name"],
            email=values["email"] or None,
            address=values["address"] or None,
            representation=values["representation"] or None,
        )
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        raise ValidationFailed("the requester", details={"errors": errors}) from exc


@router.post("/console/requests/new")
async def register(  # noqa: PLR0913 - the fields of a postal form
    request: Request, session: SessionDep, staff: StaffDep,
    request_type: Field = "", requester_kind: Field = "self", name: Field = "", address: Field = "",
    email: Field = "", representation: Field = "", language: Field = "ja", response_method: Field = "post",
    details: Field = "", document_type: Field = "", csrf_token: Field = "",
    scan: Upload = None, id_document: Upload = None,
) -> Response:  # fmt: skip
    """Open the case from the form, then store the scan (and an ID document) encrypted; all or nothing."""
    require_scope(staff, Scope.REQUESTS_WRITE)
    settings = request.app.state.runtime.settings
    check_csrf(request, settings, csrf_token)
    values = dict(zip(_FIELDS, (request_type, requester_kind, name, address, email, representation, language,
                                response_method, details, document_type), strict=True))  # fmt: skip
    form_scan = await scan.read(_MAX_READ + 1) if scan is not None and scan.filename else b""
    id_scan = (
        await id_document.read(_MAX_READ + 1) if id_document is not None and id_document.filename else b""
    )
    try:
        with session.begin_nested():  # a refusal undoes the case and the files
            if not form_scan:
                message = "attach the scan of the paper form (PDF, JPEG or PNG)"
                raise ValidationFailed(message, details={"errors": [{"field": "scan", "message": message}]})
            case = service.open_case(
                session, actor=staff.actor, request_type=request_type, channel="post", language=language,
                requester=_requester(values), response_method=response_method, details=details or None,
                settings=settings,
            )  # fmt: skip
            service.upload_document(session, actor=staff.actor, case_id=case.id, kind=DocumentKind.OTHER,
                                    whose="requester", data=form_scan, settings=settings)  # fmt: skip
            if id_scan:
                service.upload_document(
                    session, actor=staff.actor, case_id=case.id, kind=DocumentKind.ID_DOCUMENT,
                    whose="person" if requester_kind in ("", RequesterKind.SELF) else "requester",
                    data=id_scan, document_type=document_type or None, settings=settings,
                    side="front" if document_type == MY_NUMBER_FRONT else None,
                )  # fmt: skip
    except MamoriError as exc:
        return _form(request, session, staff, status=422, error=refusal(exc, console_lang(request)),
                     values=values)  # fmt: skip
    return RedirectResponse(f"/console/requests/{case.id}#registered", status_code=303)

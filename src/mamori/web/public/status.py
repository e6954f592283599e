"""Request status (``/requests/status``): a one-time code opens a short visit of one case.

The reference and code are posted, never put in a URL; the visit is a cookie limited to
``/requests/status``. Every POST is rate-limited per address (and per recipient for the code mail).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from mamori.api.deps import ReadSessionDep, Runtime, SessionDep, get_runtime
from mamori.centre.status import (
    VISIT_MINUTES,
    CodeRefused,
    StatusView,
    answer_pdf,
    open_status,
    send_status_code,
    status_view,
    upload_missing,
    visit_case,
)
from mamori.dsr.service import common
from mamori.errors import NotFound, ValidationFailed
from mamori.notices import messages as m
from mamori.notify.service import outbox_from_settings
from mamori.web.i18n import N_, gettext_for
from mamori.web.limits import limit_form
from mamori.web.public.page import form_lang, page, page_lang, set_private_cookie

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
VISIT_COOKIE = "mamori_status"
PATH = "/requests/status"

STATES = {
    "received": N_("Received: we are checking what you sent"),
    "identity_check": N_("Checking your identity"),
    "in_progress": N_("In progress: we are looking into your request"),
    "decided": N_("Decided: the answer is being prepared"),
    "responded": N_("Answered"),
    "closed": N_("Closed"),
    "rejected": N_("Not accepted"),
    "withdrawn": N_("Withdrawn"),
}
MISSING = {
    "person_id": N_("A copy of an identity document of the person the request is about"),
    "requester_id": N_("A copy of your own identity document"),
    "power_of_attorney": N_("A power of attorney signed by the person"),
    "relation_proof": N_("A document proving your relation to the person"),
    "death_proof": N_("A document showing that the person has died"),
    "representation": N_("Which legal representation applies (minor or adult ward)"),
}
UPLOADS = {  # what is missing → (document kind, whose)
    "person_id": ("id_document", "person"),
    "requester_id": ("id_document", "requester"),
    "power_of_attorney": ("power_of_attorney", "requester"),
    "relation_proof": ("relation_proof", "requester"),
    "death_proof": ("death_proof", "requester"),
}
WRONG_CODE = N_("This reference and code do not open a request. Check them, or ask for a new code.")
VISIT_OVER = N_("Your visit has ended. Enter the reference and a new code to see the request again.")
FILE_REFUSED = N_(
    "The file was not accepted: send a PDF, JPEG or PNG file, within the size limit, of the document"
    " asked for."
)


def _here(lang: str, path: str = PATH) -> str:
    return f"{path}?{urlencode({'lang': lang})}"


@router.get(PATH)
def status_start(request: Request) -> Response:
    """Ask for the reference and code, or for a code by e-mail."""
    return page(request, "public/status/start.html", page_lang(request), problem=None, sent=False)


@router.post(f"{PATH}/code")
def status_send_code(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    reference: Annotated[str, Form(max_length=40)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    lang: Annotated[str, Form()] = "ja",
) -> Response:
    """Mail a code when the address is the request's; the page reads the same either way."""
    chosen = form_lang(lang)
    limit_form(request, session, runtime.settings, action="status.code", lang=chosen, recipient=email)
    outbox = outbox_from_settings(runtime.settings, runtime.session_factory)
    send_status_code(session, reference=reference, email=email, language=chosen, outbox=outbox,
                     settings=runtime.settings)  # fmt: skip
    return page(request, "public/status/start.html", chosen, problem=None, sent=True, reference=reference)


@router.post(PATH)
def status_open(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    reference: Annotated[str, Form(max_length=40)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
    lang: Annotated[str, Form()] = "ja",
) -> Response:
    """Spend the code; the visit's token goes into a cookie and the case opens."""
    chosen = form_lang(lang)
    limit_form(request, session, runtime.settings, action="status.open", lang=chosen)
    token = open_status(session, reference=reference, code=code, settings=runtime.settings)
    if token is None:
        problem = gettext_for(
            chosen, "This reference and code do not open a request. Check them, or ask for a new code."
        )
        return page(request, "public/status/start.html", chosen, status=422, problem=problem, sent=False)
    response = RedirectResponse(_here(chosen, f"{PATH}/case"), status_code=303)
    set_private_cookie(response, runtime.settings, VISIT_COOKIE, token, path=PATH, max_age=VISIT_MINUTES * 60)
    return response


def _expired(request: Request, lang: str) -> Response:
    problem = gettext_for(
        lang, "Your visit has ended. Enter the reference and a new code to see the request again."
    )
    return page(request, "public/status/start.html", lang, status=401, problem=problem, sent=False)


def _view_context(view: StatusView, lang: str) -> dict[str, Any]:
    def long(day: date) -> str:
        return m.long_date(day, lang)

    return {
        "view": view,
        "state": gettext_for(lang, STATES.get(view.state, view.state)),
        "dates": {
            "received": long(view.received_on),
            "target": long(view.target_on),
            "art39": long(view.art39_on),
            "cap": long(view.cap_on) if view.cap_on else None,
        },
        "missing": [
            {"key": key, "text": gettext_for(lang, MISSING.get(key, key)), "upload": key in UPLOADS}
            for key in view.missing
        ],
    }


@router.get(f"{PATH}/case")
def status_case(request: Request, session: ReadSessionDep, runtime: RuntimeDep) -> Response:
    """The case of the visit: state, dates, what is still needed (with an upload), the answer."""
    lang = page_lang(request)
    try:
        case = visit_case(session, token=request.cookies.get(VISIT_COOKIE), settings=runtime.settings)
    except CodeRefused:
        return _expired(request, lang)
    view = status_view(session, case)
    accepted = common.policy(session).requests.id_documents
    documents = [{"id": d.id, "name": d.name.get(lang)} for d in accepted if d.id != "registered_login"]
    uploaded = request.query_params.get("uploaded") == "1"
    return page(request, "public/status/case.html", lang, documents=documents, problem=None,
                uploaded=uploaded, **_view_context(view, lang))  # fmt: skip


@router.post(f"{PATH}/upload")
async def status_upload(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    missing: Annotated[str, Form()] = "",
    document_type: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    lang: Annotated[str, Form()] = "ja",
) -> Response:
    """Add the missing document to the case (checked by content and size, stored encrypted)."""
    chosen = form_lang(lang)
    limit_form(request, session, runtime.settings, action="status.upload", lang=chosen)
    kind, whose = UPLOADS.get(missing, ("", ""))
    data = await file.read() if file is not None else b""
    try:
        upload_missing(session, token=request.cookies.get(VISIT_COOKIE), kind=kind, whose=whose, data=data,
                       document_type=document_type if kind == "id_document" else None,
                       settings=runtime.settings)  # fmt: skip
    except CodeRefused:
        return _expired(request, chosen)
    except ValidationFailed:
        return _upload_refused(request, session, runtime, chosen)
    return RedirectResponse(f"{PATH}/case?{urlencode({'lang': chosen, 'uploaded': '1'})}", status_code=303)


def _upload_refused(request: Request, session: SessionDep, runtime: Runtime, lang: str) -> Response:
    case = visit_case(session, token=request.cookies.get(VISIT_COOKIE), settings=runtime.settings)
    view = status_view(session, case)
    accepted = common.policy(session).requests.id_documents
    documents = [{"id": d.id, "name": d.name.get(lang)} for d in accepted if d.id != "registered_login"]
    problem = gettext_for(lang, FILE_REFUSED)
    return page(request, "public/status/case.html", lang, status=422, documents=documents, problem=problem,
                uploaded=False, **_view_context(view, lang))  # fmt: skip


@router.get(f"{PATH}/answer.pdf")
def status_answer(request: Request, session: SessionDep, runtime: RuntimeDep) -> Response:
    """The electronic answer of the visit's case, as a download (its reading is audited)."""
    lang = page_lang(request)
    try:
        reference, pdf = answer_pdf(
            session, token=request.cookies.get(VISIT_COOKIE), settings=runtime.settings
        )
    except CodeRefused:
        return _expired(request, lang)
    except NotFound:
        return RedirectResponse(_here(lang, f"{PATH}/case"), status_code=303)
    headers = {
        "Content-Disposition": f'attachment; filename="answer-{reference}.pdf"',
        "Cache-Control": "no-store",
    }
    return Response(pdf, media_type="application/pdf", headers=headers)

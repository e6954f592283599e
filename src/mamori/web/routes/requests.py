"""Public request form: a plain page in four languages, e-mail confirmed by a one-time link; downloads."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from mamori.api.deps import ReadSessionDep, Runtime, SessionDep, get_runtime
from mamori.centre.acknowledgements import acknowledge_request
from mamori.dsr import messages as dsr_messages
from mamori.dsr.rules import Ground
from mamori.dsr.service import common, delivery
from mamori.dsr.service.web import WebRequest, confirm_web_request, submit_web_request
from mamori.errors import NotFound, ValidationFailed
from mamori.notices import letter_messages
from mamori.notices import messages as m
from mamori.notices.privacy import negotiate_language
from mamori.notify.service import outbox_from_settings
from mamori.policy.schema import LANGUAGES
from mamori.security.mynumber import NOTE as MY_NUMBER_NOTE
from mamori.security.mynumber import masked_count
from mamori.web.limits import limit_form
from mamori.web.templating import render

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
LangQuery = Annotated[str | None, Query()]
_FIELDS = {  # service field → (form anchor, label key)
    "request_type": ("request_type", "form.request_type"),
    "ground": ("ground", "form.ground"),
    "erasure": ("ground", "form.erasure"),
    "requester.name": ("name", "form.name"),
    "requester.email": ("email", "form.email"),
    "requester.address": ("address", "form.address"),
    "requester.kind": ("request_type", "form.request_type"),
    "response_method": ("response_method", "form.response_method"),
    "details": ("details", "form.details"),
}


_BLANK: dict[str, Any] = dict.fromkeys(
    ("request_type", "name", "email", "address", "member_number", "ground", "details"), ""
) | {"erasure": False, "response_method": "electronic"}


def _lang(lang: str | None) -> str:
    try:
        return negotiate_language(lang, None)
    except ValidationFailed:
        return "ja"


def _labels(lang: str) -> dict[str, str]:
    return {**m.labels(lang), **dsr_messages.texts(lang)}


def _languages(path: str, current: str) -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "name": m.ENDONYMS[code],
            "href": f"{path}?{urlencode({'lang': code})}",
            "current": code == current,
        }
        for code in LANGUAGES
    ]


def _page(template: str, lang: str, path: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = render(
        template,
        lang=lang,
        labels=_labels(lang),
        languages=_languages(path, lang),
        for_print=False,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers={"Content-Language": lang})


def _message(lang: str, path: str, heading: str, body: str, status: int = 200) -> HTMLResponse:
    return _page("public/message.html", lang, path, status, heading=heading, body=body, choices=[])


def _form(
    session: ReadSessionDep | SessionDep,
    lang: str,
    values: dict[str, Any],
    errors: list[dict[str, str]],
    status: int = 200,
) -> HTMLResponse:
    bundle = common.policy(session)
    types = [{"id": t.id, "name": t.name.get(lang)} for t in bundle.requests.types]
    methods = [{"id": c.id, "name": c.name.get(lang)} for c in bundle.requests.response_methods]
    grounds = [{"id": g.value, "name": letter_messages.label(f"ground.{g.value}", lang)} for g in Ground]
    return _page(
        "public/request_form.html",
        lang,
        "/requests/new",
        status,
        types=types,
        methods=methods,
        grounds=grounds,
        values=_BLANK | values,
        errors=errors,
    )


@router.get("/requests/new")
def request_form(session: ReadSessionDep, lang: LangQuery = None) -> HTMLResponse:
    """The public request form."""
    chosen = _lang(lang)
    return _form(session, chosen, {}, [])


@router.post("/requests/new")
def submit_request(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    request_type: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    response_method: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    member_number: Annotated[str, Form()] = "",
    ground: Annotated[str, Form()] = "",
    erasure: Annotated[str, Form()] = "",
    details: Annotated[str, Form()] = "",
    lang: LangQuery = None,
) -> HTMLResponse:
    """Check the form, keep it and mail the one-time confirmation link."""
    chosen = _lang(lang)
    limit_form(request, session, runtime.settings, action="requests.new", lang=chosen, recipient=email)
    values = {
        "request_type": request_type,
        "name": name,
        "email": email,
        "response_method": response_method,
        "address": address,
        "member_number": member_number,
        "ground": ground,
        "erasure": bool(erasure),
        "details": details,
    }
    errors = (
        [
            {
                "anchor": "name",
                "label": _labels(chosen)["form.name"],
                "message": dsr_messages.text("error.required", chosen),
            }
        ]
        if not name.strip()
        else []
    )
    if not email.strip():
        errors.append(
            {
                "anchor": "email",
                "label": _labels(chosen)["form.email"],
                "message": dsr_messages.text("error.required", chosen),
            }
        )
    if errors:
        return _form(session, chosen, values, errors, 422)
    form = WebRequest(
        request_type=request_type,
        language=chosen,
        name=name,
        email=email,
        response_method=response_method,
        address=address or None,
        member_number=member_number or None,
        ground=ground or None,
        erasure=bool(erasure),
        details=details or None,
    )
    outbox = outbox_from_settings(runtime.settings, runtime.session_factory)
    try:
        submit_web_request(session, form=form, outbox=outbox, settings=runtime.settings)
    except ValidationFailed as exc:
        return _form(session, chosen, values, _form_errors(exc, chosen), 422)
    labels = _labels(chosen)
    body = labels["form.sent_body"]
    if masked_count(session.info):
        body = f"{body} {MY_NUMBER_NOTE[chosen]}"
    return _message(chosen, "/requests/new", labels["form.sent_title"], body)


def _form_errors(exc: ValidationFailed, lang: str) -> list[dict[str, str]]:
    labels, found = _labels(lang), []
    for error in exc.details.get("errors", []):
        anchor, key = _FIELDS.get(str(error.get("field")), ("request_type", "form.request_type"))
        found.append(
            {"anchor": anchor, "label": labels[key], "message": dsr_messages.text("error.invalid", lang)}
        )
    return found


@router.get("/requests/confirm/{token}")
def confirm(
    request: Request, token: str, session: SessionDep, runtime: RuntimeDep, lang: LangQuery = None
) -> HTMLResponse:
    """The one-time link of the confirmation mail: the request is received now."""
    chosen = _lang(lang)
    limit_form(request, session, runtime.settings, action="requests.confirm", lang=chosen)
    labels = _labels(chosen)
    try:
        case = confirm_web_request(session, token=token, settings=runtime.settings)
        outbox = outbox_from_settings(runtime.settings, runtime.session_factory)
        acknowledge_request(session, case, outbox=outbox, settings=runtime.settings)
    except NotFound:
        return _message(
            chosen, "/requests/new", labels["form.expired_title"], labels["form.expired_body"], 404
        )
    body = labels["form.confirmed_body"].format(
        reference=case.reference, target=m.long_date(case.target_on, chosen)
    )
    return _message(chosen, "/requests/new", labels["form.confirmed_title"], body)


@router.get("/requests/download/{token}")
def download_form(
    token: str, session: ReadSessionDep, runtime: RuntimeDep, lang: LangQuery = None
) -> HTMLResponse:
    """The page asking for the one-time code of a download link."""
    chosen = _lang(lang)
    try:
        delivery.delivery_by_token(session, token, runtime.settings)
    except NotFound:
        labels = _labels(chosen)
        return _message(chosen, "/requests/new", labels["form.expired_title"], labels["download.locked"], 404)
    action = f"/requests/download/{token}?{urlencode({'lang': chosen})}"
    return _page(
        "public/request_download.html",
        chosen,
        f"/requests/download/{token}",
        action=action,
        problem=None,
        locked=False,
    )


@router.post("/requests/download/{token}")
def download(  # noqa: PLR0913 - the form's fields
    request: Request,
    token: str,
    session: SessionDep,
    runtime: RuntimeDep,
    code: Annotated[str, Form()] = "",
    lang: LangQuery = None,
) -> Response:
    """The letter, for the right code; a wrong code is counted and the page says how many tries are left."""
    chosen = _lang(lang)
    limit_form(request, session, runtime.settings, action="requests.download", lang=chosen)
    labels = _labels(chosen)
    try:
        attempt = delivery.open_download(session, token=token, code=code, settings=runtime.settings)
    except NotFound:
        return _message(chosen, "/requests/new", labels["form.expired_title"], labels["download.locked"], 404)
    if attempt.pdf is not None:
        headers = {"Content-Disposition": 'attachment; filename="answer.pdf"', "Cache-Control": "no-store"}
        return Response(attempt.pdf, media_type="application/pdf", headers=headers)
    problem = (
        labels["download.locked"]
        if attempt.locked
        else labels["download.wrong"].format(left=attempt.attempts_left)
    )
    action = f"/requests/download/{token}?{urlencode({'lang': chosen})}"
    return _page(
        "public/request_download.html",
        chosen,
        f"/requests/download/{token}",
        403,
        action=action,
        problem=problem,
        locked=attempt.locked,
    )

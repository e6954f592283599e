"""The preferences centre (``/preferences``): sign-in by e-mailed link, consents, receipts.

Asking for a link sets a random nonce cookie in this browser; the link opens only with it (a
button on the link's page posts it, so a mail scanner that fetches links spends nothing). The
visit is another cookie. A change is recorded at once (decisions see it) and answered with a
receipt by e-mail and as a PDF on the page.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from mamori.api.deps import ReadSessionDep, Runtime, SessionDep, get_runtime
from mamori.centre.preferences import change_consent, preferences_view, receipt_event
from mamori.centre.signin import (
    LINK_MINUTES,
    VISIT_MINUTES,
    SignInRefused,
    new_nonce,
    open_sign_in,
    request_sign_in,
    sign_out,
    visit_link,
)
from mamori.cookies.service import link_browser, parse_browser_id
from mamori.errors import ValidationFailed
from mamori.notices.receipt import receipt_for_subject
from mamori.notify.service import outbox_from_settings
from mamori.policy.service import bundle_of, require_current_version
from mamori.subjects.models import Subject
from mamori.web.i18n import N_, gettext_for
from mamori.web.limits import limit_form
from mamori.web.public.cookies_banner import BROWSER_COOKIE
from mamori.web.public.page import form_lang, page, page_lang, set_private_cookie
from mamori.web.receipts import receipt_pdf

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
NONCE_COOKIE, VISIT_COOKIE = "mamori_signin", "mamori_preferences"
PATH = "/preferences"

SECTION_TITLES = {
    "purposes": N_("Uses of your data that need your consent"),
    "channels": N_("How we may contact you for these uses"),
    "third_parties": N_("Provision to third parties"),
    "cross_border": N_("Transfers to other countries"),
    "pipl": N_("Separate consents under China's PIPL"),
    "cookies": N_("Cookies and tags in the browsers you signed in from"),
}
STATES = {
    "given": N_("You have given consent"),
    "withdrawn": N_("You have withdrawn consent"),
    "expired": N_("Your consent has expired"),
    "none": N_("Not asked yet (no consent)"),
}
LINK_REFUSED = N_(
    "This link cannot be used: it was used already, it is older than 15 minutes, or it was opened in"
    " another browser than the one that asked for it. Ask for a new link here."
)


def _to(path: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode(query)}", status_code=303)


@router.get(f"{PATH}/sign-in")
def sign_in_form(request: Request) -> Response:
    """Ask for a sign-in link by e-mail."""
    return page(request, "public/preferences/sign_in.html", page_lang(request), sent=False, problem=None)


@router.post(f"{PATH}/sign-in")
def sign_in_request(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=254)] = "",
    lang: Annotated[str, Form()] = "ja",
) -> Response:
    """Mail a link bound to this browser; the page says the same whether the address is known or not."""
    chosen = form_lang(lang)
    limit_form(request, session, runtime.settings, action="preferences.sign_in", lang=chosen, recipient=email)
    nonce = new_nonce()
    outbox = outbox_from_settings(runtime.settings, runtime.session_factory)
    request_sign_in(
        session, email=email, language=chosen, nonce=nonce, outbox=outbox, settings=runtime.settings
    )
    response = page(request, "public/preferences/sign_in.html", chosen, sent=True, problem=None,
                    minutes=LINK_MINUTES)  # fmt: skip
    set_private_cookie(response, runtime.settings, NONCE_COOKIE, nonce, path=PATH, max_age=LINK_MINUTES * 60)
    return response


@router.get(f"{PATH}/sign-in/{{token}}")
def sign_in_link(request: Request, token: str) -> Response:
    """The link's page: one button that opens the preferences in this browser."""
    return page(request, "public/preferences/open.html", page_lang(request), token=token)


@router.post(f"{PATH}/sign-in/{{token}}")
def sign_in_open(
    request: Request,
    token: str,
    session: SessionDep,
    runtime: RuntimeDep,
    lang: Annotated[str, Form()] = "ja",
) -> Response:
    """Spend the link (only with this browser's nonce) and open a visit."""
    chosen = form_lang(lang)
    limit_form(request, session, runtime.settings, action="preferences.open", lang=chosen)
    visit = open_sign_in(
        session, token=token, nonce=request.cookies.get(NONCE_COOKIE), settings=runtime.settings
    )
    if visit is None:
        problem = gettext_for(chosen, LINK_REFUSED)
        return page(
            request, "public/preferences/sign_in.html", chosen, status=403, sent=False, problem=problem
        )
    _link_this_browser(request, session, runtime, visit)
    response = _to(PATH, lang=chosen)
    set_private_cookie(response, runtime.settings, VISIT_COOKIE, visit, path=PATH, max_age=VISIT_MINUTES * 60)
    response.delete_cookie(NONCE_COOKIE, path=PATH)
    response.delete_cookie(BROWSER_COOKIE, path=PATH)
    return response


def _link_this_browser(request: Request, session: SessionDep, runtime: Runtime, visit: str) -> None:
    """The banner handed this browser's ID over (``mamori_browser``): it is now the person's (audited)."""
    browser = parse_browser_id(request.cookies.get(BROWSER_COOKIE))
    if browser is None:
        return
    link = visit_link(session, visit=visit, settings=runtime.settings)
    link_browser(session, actor=f"subject:{link.subject_id}", browser_id=browser, subject_id=link.subject_id)


@router.get(PATH)
def preferences_page(request: Request, session: ReadSessionDep, runtime: RuntimeDep) -> Response:
    """The person's page: data held (kinds), each consent with its state and a give/withdraw button."""
    lang = page_lang(request)
    try:
        link = visit_link(session, visit=request.cookies.get(VISIT_COOKIE), settings=runtime.settings)
    except SignInRefused:
        return _to(f"{PATH}/sign-in", lang=lang)
    subject = session.get_one(Subject, link.subject_id)
    view = preferences_view(session, subject, bundle_of(require_current_version(session)), lang)
    changed = request.query_params.get("changed")
    return page(request, "public/preferences/page.html", lang, view=view, changed=changed,
                titles={k: gettext_for(lang, v) for k, v in SECTION_TITLES.items()},
                states={k: gettext_for(lang, v) for k, v in STATES.items()},
                problem=request.query_params.get("problem") == "stale")  # fmt: skip


@router.post(f"{PATH}/consents")
def preferences_change(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    scope: Annotated[str, Form(max_length=120)] = "",
    action: Annotated[str, Form(max_length=20)] = "",
    notice_hash: Annotated[str, Form(max_length=64)] = "",
    lang: Annotated[str, Form()] = "ja",
) -> Response:
    """Record one give or withdraw; the receipt goes by e-mail and waits on the page as a PDF."""
    chosen = form_lang(lang)
    limit_form(request, session, runtime.settings, action="preferences.change", lang=chosen)
    try:
        link = visit_link(session, visit=request.cookies.get(VISIT_COOKIE), settings=runtime.settings)
    except SignInRefused:
        return _to(f"{PATH}/sign-in", lang=chosen)
    outbox = outbox_from_settings(runtime.settings, runtime.session_factory)
    try:
        event = change_consent(session, link=link, scope=scope, action=action, lang=chosen, outbox=outbox,
                               notice_hash=notice_hash or None, settings=runtime.settings,
                               render_receipt=receipt_pdf)  # fmt: skip
    except ValidationFailed:
        return _to(PATH, lang=chosen, problem="stale")
    return _to(PATH, lang=chosen, changed=str(event.id))


@router.get(f"{PATH}/receipts/{{event_id}}.pdf")
def preferences_receipt(
    event_id: uuid.UUID, request: Request, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The consent receipt as of one change, as a PDF (only the signed-in person's own changes)."""
    lang = page_lang(request)
    try:
        link = visit_link(session, visit=request.cookies.get(VISIT_COOKIE), settings=runtime.settings)
    except SignInRefused:
        return _to(f"{PATH}/sign-in", lang=lang)
    event = receipt_event(session, link, event_id)
    if event is None:
        return _to(PATH, lang=lang)
    receipt = receipt_for_subject(
        session, link.subject_id, lang, at=event.recorded_at, actor=f"subject:{link.subject_id}"
    )
    headers = {
        "Content-Disposition": f'attachment; filename="consent-receipt-{event.id}.pdf"',
        "Cache-Control": "no-store",
    }
    return Response(receipt_pdf(receipt), media_type="application/pdf", headers=headers)


@router.post(f"{PATH}/sign-out")
def preferences_sign_out(
    request: Request, session: SessionDep, runtime: RuntimeDep, lang: Annotated[str, Form()] = "ja"
) -> Response:
    """End the visit now."""
    chosen = form_lang(lang)
    sign_out(session, visit=request.cookies.get(VISIT_COOKIE), settings=runtime.settings)
    response = _to(f"{PATH}/sign-in", lang=chosen)
    response.delete_cookie(VISIT_COOKIE, path=PATH)
    return response

"""Public contact form (``/contact?lang=…``) and the staff pages of inquiries (``/console/inquiries``).

Everything a person typed is shown back through Jinja's autoescaping, and the pages carry a
Content-Security-Policy without scripts, so markup in a message is displayed as text, never run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.api.deps import ReadSessionDep, Runtime, SessionDep
from mamori.api.limits import client_address
from mamori.calendar.rules import is_open, next_opening
from mamori.db.base import utcnow
from mamori.errors import NotFound, ValidationFailed
from mamori.inquiries.intake import NewInquiry, clean_text, open_inquiry
from mamori.inquiries.rules import CATEGORIES, Channel
from mamori.inquiries.service import find_by_reference
from mamori.inquiries.texts import CATEGORY_NAMES, local_instant
from mamori.inquiries.timing import centre_calendar
from mamori.notices import messages
from mamori.notices.privacy import closed_days, negotiate_language
from mamori.policy.schema import LANGUAGES, PolicyBundle
from mamori.security.mynumber import NOTE as MY_NUMBER_NOTE
from mamori.security.mynumber import masked_count
from mamori.security.ratelimit import RateLimited
from mamori.subjects.validation import current_bundle
from mamori.web.contact_labels import FORM
from mamori.web.limits import limit_form
from mamori.web.templating import render

router = APIRouter(include_in_schema=False)
LangQuery = Annotated[str | None, Query(description="ja, en, zh-Hans or zh-Hant")]
FIELDS = ("name", "email", "phone", "category", "message")
# No scripts at all on these pages: even text that slipped through escaping could not run.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}


def _labels(lang: str) -> dict[str, str]:
    return {**messages.labels(lang), **FORM.labels(lang)}


def _languages(path: str, current: str | None) -> list[dict[str, Any]]:
    return [
        {"code": code, "name": messages.ENDONYMS[code], "href": f"{path}?{urlencode({'lang': code})}",
         "current": code == current}
        for code in LANGUAGES
    ]  # fmt: skip


def _html(html: str, status: int, lang: str, extra: dict[str, str] | None = None) -> HTMLResponse:
    headers = {**PAGE_HEADERS, "Content-Language": lang, **(extra or {})}
    return HTMLResponse(html, status_code=status, headers=headers)


def _message_page(lang: str, status: int, heading: str, body: str, *, choices: bool = False) -> HTMLResponse:
    html = render("public/message.html", lang=lang, labels=_labels(lang), for_print=False, status=status,
                  languages=[] if choices else _languages("/contact", lang), heading=heading, body=body,
                  choices=_languages("/contact", None) if choices else [])  # fmt: skip
    return _html(html, status, lang)


def _language(request: Request, lang: str | None) -> str | None:
    try:
        return negotiate_language(lang, request.headers.get("accept-language"))
    except ValidationFailed:
        return None


def _bad_language(request: Request) -> HTMLResponse:
    lang = negotiate_language(None, request.headers.get("accept-language"))
    body = f"{FORM.label('bad_lang_body', lang)} {', '.join(LANGUAGES)}"
    return _message_page(lang, 400, FORM.label("bad_lang_title", lang), body, choices=True)


def _centre(bundle: PolicyBundle, lang: str, now: datetime) -> dict[str, str]:
    centre, cal = bundle.contact_centre, centre_calendar(bundle)
    state = (
        FORM.label("open_now", lang)
        if is_open(cal, now)
        else FORM.label("closed_now", lang) + local_instant(next_opening(cal, now), lang, cal.tz)
    )
    return {
        "name": centre.name.get(lang),
        "topics": centre.topics.get(lang),
        "hours": messages.hours(centre.opens, centre.closes, lang),
        "closed": messages.join(closed_days(centre, lang), lang),
        "now": state,
    }


def _form_page(  # noqa: PLR0913 - a form page is this many things
    bundle: PolicyBundle, lang: str, *, values: dict[str, str], errors: dict[str, str], status: int = 200,
    alert: str | None = None, headers: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    limit = bundle.inquiries.form.max_message_length
    labels = _labels(lang)
    html = render(
        "contact/form.html", lang=lang, labels=labels, for_print=False,
        languages=_languages("/contact", lang),
        centre=_centre(bundle, lang, utcnow()), values=values, errors=errors, alert=alert,
        categories=[(c, CATEGORY_NAMES.label(c, lang)) for c in CATEGORIES],
        message_hint=labels["message_hint"].format(limit=limit), privacy_href=f"/privacy?lang={lang}",
    )  # fmt: skip
    return _html(html, status, lang, headers)


@router.get("/contact")
def contact_form(request: Request, session: ReadSessionDep, lang: LangQuery = None) -> Response:
    """The contact form in the person's language, with the centre's hours."""
    chosen = _language(request, lang)
    if chosen is None:
        return _bad_language(request)
    try:
        bundle = current_bundle(session)
    except NotFound:
        return _message_page(chosen, 503, FORM.label("title", chosen), FORM.label("no_policy", chosen))
    return _form_page(bundle, chosen, values=dict.fromkeys(FIELDS, ""), errors={})


def _field_errors(error: ValidationFailed, values: dict[str, str], lang: str, limit: int) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in error.details.get("errors", []):
        field = item.get("field", "") if isinstance(item, dict) else ""
        if field == "message":
            count = len(clean_text(values["message"]))
            key = "err_message_empty" if not clean_text(values["message"]).strip() else "err_message_long"
            found[field] = FORM.label(key, lang).format(limit=limit, count=count)
        elif field in {"email", "phone", "name", "category"}:
            found[field] = FORM.label(f"err_{field}", lang)
        else:
            found["form"] = FORM.label("err_other", lang)
    return found


@router.post("/contact")
def submit_contact(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    lang: Annotated[str, Form()] = "ja",
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "other",
    message: Annotated[str, Form()] = "",
) -> Response:
    """Open an inquiry from the form; on a problem, the same form with every field as typed."""
    chosen = _language(request, lang)
    if chosen is None:
        return _bad_language(request)
    runtime: Runtime = request.app.state.runtime
    limit_form(request, session, runtime.settings, action="contact", lang=chosen, recipient=email)
    try:
        bundle = current_bundle(session)
    except NotFound:
        return _message_page(chosen, 503, FORM.label("title", chosen), FORM.label("no_policy", chosen))
    values = {"name": name, "email": email, "phone": phone, "category": category, "message": message}
    new = NewInquiry(channel=Channel.WEB_FORM, language=chosen, category=category, message=message,
                     name=name or None, email=email or None, phone=phone or None,
                     client_address=client_address(request, runtime.settings))  # fmt: skip
    try:
        inquiry = open_inquiry(session, runtime.settings, "web:contact-form", new)
    except ValidationFailed as exc:
        errors = _field_errors(exc, values, chosen, bundle.inquiries.form.max_message_length)
        return _form_page(bundle, chosen, values=values, errors=errors, status=422,
                          alert=FORM.label("errors_heading", chosen))  # fmt: skip
    except RateLimited as exc:
        alert = FORM.label("rate_limited", chosen).format(minutes=exc.retry_after // 60 + 1)
        return _form_page(bundle, chosen, values=values, errors={}, status=429, alert=alert,
                          headers={"Retry-After": str(exc.retry_after)})  # fmt: skip
    masked = {"masked": "1"} if masked_count(session.info) else {}
    query = urlencode({"lang": chosen, "ref": inquiry.reference, **masked})
    # FastAPI ends request-scoped dependencies after the response is sent: commit first, so the
    # browser that follows the redirect at once finds the inquiry (and a failed commit is an error page).
    session.commit()
    return RedirectResponse(f"/contact/received?{query}", status_code=303)


@router.get("/contact/received")
def received(
    request: Request, session: ReadSessionDep, ref: str = "", lang: LangQuery = None, masked: str = ""
) -> Response:
    """What the person sees after sending: the reference and by when to expect an answer."""
    chosen = _language(request, lang) or "ja"
    try:
        inquiry = find_by_reference(session, ref)
        bundle = current_bundle(session)
    except NotFound:
        return _message_page(chosen, 404, FORM.label("title", chosen), FORM.label("err_other", chosen))
    cal = centre_calendar(bundle)
    html = render("contact/received.html", lang=chosen, labels=_labels(chosen), for_print=False,
                  languages=_languages("/contact", chosen), reference=inquiry.reference,
                  due=local_instant(inquiry.first_response_due_at, chosen, cal.tz),
                  centre=_centre(bundle, chosen, utcnow()),
                  my_number_note=MY_NUMBER_NOTE[chosen] if masked else None)  # fmt: skip
    return _html(html, 200, chosen)

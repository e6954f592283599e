"""Public pages (no token): the privacy notice of the published policy, as a page and as a PDF."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.api.deps import ReadSessionDep
from mamori.errors import ValidationFailed
from mamori.notices import messages
from mamori.notices.document import PrivacyNotice
from mamori.notices.pdf import html_to_pdf
from mamori.notices.privacy import build_privacy_notice, negotiate_language
from mamori.policy.schema import LANGUAGES
from mamori.policy.service import bundle_of, current_version
from mamori.web.templating import render

router = APIRouter(include_in_schema=False)

LangQuery = Annotated[str | None, Query(description="ja, en, zh-Hans or zh-Hant")]
AcceptLanguage = Annotated[str | None, Header()]


@router.get("/")
def home(lang: LangQuery = None) -> RedirectResponse:
    """Send visitors to the privacy notice."""
    query = f"?{urlencode({'lang': lang})}" if lang else ""
    return RedirectResponse(f"/privacy{query}", status_code=302)


@router.get("/privacy")
def privacy_page(
    session: ReadSessionDep, lang: LangQuery = None, accept_language: AcceptLanguage = None
) -> Response:
    """The privacy notice of the published policy, as a web page."""
    try:
        chosen = negotiate_language(lang, accept_language)
    except ValidationFailed:
        return _bad_language(accept_language, "/privacy")
    notice = _current_notice(session, chosen)
    if notice is None:
        return _unavailable(chosen, "/privacy")
    html = _render_notice(notice, for_print=False)
    return HTMLResponse(html, headers=_language_headers(chosen))


@router.get("/privacy.pdf")
def privacy_pdf(
    session: ReadSessionDep, lang: LangQuery = None, accept_language: AcceptLanguage = None
) -> Response:
    """The privacy notice of the published policy, as a PDF document."""
    try:
        chosen = negotiate_language(lang, accept_language)
    except ValidationFailed:
        return _bad_language(accept_language, "/privacy.pdf")
    notice = _current_notice(session, chosen)
    if notice is None:
        return _unavailable(chosen, "/privacy.pdf")
    pdf = _pdf(_render_notice(notice, for_print=True))
    filename = f"privacy-policy-v{notice.version_number}-{chosen}.pdf"
    headers = {**_language_headers(chosen), "Content-Disposition": f'inline; filename="{filename}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@lru_cache(maxsize=8)
def _pdf(html: str) -> bytes:
    # The HTML of a version in a language never changes, and rendering takes seconds.
    return html_to_pdf(html)


def _current_notice(session: ReadSessionDep, lang: str) -> PrivacyNotice | None:
    version = current_version(session)
    if version is None:
        return None
    return build_privacy_notice(
        bundle_of(version), lang, version_number=version.number, content_hash=version.content_hash
    )


def _language_headers(lang: str) -> dict[str, str]:
    return {"Content-Language": lang, "Vary": "Accept-Language"}


def _languages(path: str, current: str | None) -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "name": messages.ENDONYMS[code],
            "href": f"{path}?{urlencode({'lang': code})}",
            "current": code == current,
        }
        for code in LANGUAGES
    ]


def _render_notice(notice: PrivacyNotice, *, for_print: bool) -> str:
    return render(
        "public/privacy.html",
        lang=notice.lang,
        labels=messages.labels(notice.lang),
        notice=notice,
        languages=_languages("/privacy", notice.lang),
        pdf_href=f"/privacy.pdf?{urlencode({'lang': notice.lang})}",
        for_print=for_print,
    )


def _message(
    lang: str, status: int, texts: tuple[str, str], path: str, *, list_choices: bool
) -> HTMLResponse:
    """A short page in ``lang``; ``list_choices`` lists the languages in the page rather than the header."""
    choices = _languages(path, None)
    html = render(
        "public/message.html",
        lang=lang,
        labels=messages.labels(lang),
        languages=[] if list_choices else _languages(path, lang),
        for_print=False,
        status=status,
        heading=texts[0],
        body=texts[1],
        choices=choices if list_choices else [],
    )
    return HTMLResponse(html, status_code=status, headers=_language_headers(lang))


def _unavailable(lang: str, path: str) -> HTMLResponse:
    heading, body = messages.label("unavailable_title", lang), messages.label("unavailable_body", lang)
    return _message(lang, 503, (heading, body), path, list_choices=False)


def _bad_language(accept_language: str | None, path: str) -> HTMLResponse:
    lang = negotiate_language(None, accept_language)
    heading, body = messages.label("bad_lang_title", lang), messages.label("bad_lang_body", lang)
    return _message(lang, 400, (heading, f"{body} {', '.join(LANGUAGES)}"), path, list_choices=True)

"""The cookie policy (``/cookies``) and the external-transmission notice (``/external-transmission``).

Both are generated from the cookie inventory of the policy in force, in the four languages; the
banner's own routes (configuration, consent post, ``/.well-known/gpc.json``) are in
:mod:`mamori.web.public.cookies_banner` and included here.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse, Response

from mamori.api.deps import ReadSessionDep
from mamori.cookies import pages, service
from mamori.errors import NotFound, ValidationFailed
from mamori.notices import messages
from mamori.notices.privacy import negotiate_language
from mamori.policy.schema import LANGUAGES
from mamori.web.i18n import gettext_for
from mamori.web.public.cookies_banner import router as banner_router
from mamori.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(banner_router)
LangQuery = Annotated[str | None, Query(description="ja, en, zh-Hans or zh-Hant")]
AcceptLanguage = Annotated[str | None, Header()]


def retention_text(value: tuple[int, int, int] | None, lang: str) -> str:
    """``(2, 0, 0)`` → "2 years"; None → until the browser is closed; (0, 0, 0) → under a day."""
    if value is None:
        return gettext_for(lang, "Until you close the browser")
    if value == (0, 0, 0):
        return gettext_for(lang, "Less than a day")
    years, months, days = value
    parts = []
    if years:
        parts.append(gettext_for(lang, "1 year") if years == 1 else gettext_for(lang, "%(n)s years", n=years))
    if months:
        parts.append(
            gettext_for(lang, "1 month") if months == 1 else gettext_for(lang, "%(n)s months", n=months)
        )
    if days:
        parts.append(gettext_for(lang, "1 day") if days == 1 else gettext_for(lang, "%(n)s days", n=days))
    return " ".join(parts)


def _languages(path: str, current: str) -> list[dict[str, Any]]:
    return [
        {"code": code, "name": messages.ENDONYMS[code], "href": f"{path}?{urlencode({'lang': code})}",
         "current": code == current}
        for code in LANGUAGES
    ]  # fmt: skip


def _page(
    template: str, path: str, session: ReadSessionDep, lang: str | None, accept: str | None
) -> Response:
    try:
        chosen = negotiate_language(lang, accept)
    except ValidationFailed:
        chosen = negotiate_language(None, accept)
    headers = {"Content-Language": chosen, "Vary": "Accept-Language"}
    try:
        inventory = service.current_inventory(session)
    except NotFound:
        html = render("public/cookies/unavailable.html", lang=chosen, labels=messages.labels(chosen),
                      languages=_languages(path, chosen), for_print=False)  # fmt: skip
        return HTMLResponse(html, status_code=503, headers=headers)
    cookies = inventory.cookies
    query = urlencode({"lang": chosen})
    html = render(
        template,
        lang=chosen,
        labels=messages.labels(chosen),
        languages=_languages(path, chosen),
        for_print=False,
        statement=cookies.statement.get(chosen),
        categories=pages.categories(cookies, chosen),
        properties=pages.transmissions(cookies, chosen),
        version=inventory.version,
        retention=lambda value: retention_text(value, chosen),
        country=lambda code: messages.country_name(code, chosen),
        cookies_href=f"/cookies?{query}",
        external_href=f"/external-transmission?{query}",
        privacy_href=f"/privacy?{query}",
    )
    return HTMLResponse(html, headers=headers)


@router.get("/cookies")
def cookie_policy(
    session: ReadSessionDep, lang: LangQuery = None, accept_language: AcceptLanguage = None
) -> Response:
    """The cookie policy: categories, and the cookies and tags in each."""
    return _page("public/cookies/policy.html", "/cookies", session, lang, accept_language)


@router.get("/external-transmission")
def external_transmission(
    session: ReadSessionDep, lang: LangQuery = None, accept_language: AcceptLanguage = None
) -> Response:
    """What the browser sends to whom and why (Telecommunications Business Act Art. 27-12)."""
    return _page("public/cookies/external.html", "/external-transmission", session, lang, accept_language)

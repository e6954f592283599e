"""What the privacy-centre pages share: the language (remembered), the layout's parts, cookies.

The language is the ``lang`` query (the switch links to it), else the one this browser chose
before (a cookie), else Accept-Language, else Japanese. Cookies of the centre are HttpOnly,
SameSite=Lax (a cross-site POST carries none of them) and Secure when the public URL is https.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from mamori.config import Settings
from mamori.errors import ValidationFailed
from mamori.notices import messages
from mamori.notices.privacy import negotiate_language
from mamori.policy.schema import LANGUAGES
from mamori.web.i18n import language_of, render

LANG_COOKIE = "mamori_lang"
YEAR = 365 * 24 * 3600


def page_lang(request: Request) -> str:
    """The page's language: the ``lang`` query, the remembered choice, Accept-Language, Japanese."""
    asked = request.query_params.get("lang")
    if asked and asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGUAGES:
        return str(remembered)
    try:
        return negotiate_language(None, request.headers.get("accept-language"))
    except ValidationFailed:
        return "ja"


def form_lang(value: str | None) -> str:
    """The language a form posted (hidden field), Japanese when unknown."""
    return language_of(value)


def languages(request: Request, lang: str) -> list[dict[str, Any]]:
    """The language switch: this page in each language (query kept, ``lang`` replaced)."""
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    return [
        {
            "code": code,
            "name": messages.ENDONYMS[code],
            "href": f"{request.url.path}?{urlencode({**query, 'lang': code})}",
            "current": code == lang,
        }
        for code in LANGUAGES
    ]


def page(request: Request, template: str, lang: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A centre page in ``lang``, with the shared layout's labels and the language remembered."""
    html = render(template, lang, labels=messages.labels(lang), languages=languages(request, lang),
                  for_print=False, **context)  # fmt: skip
    response = HTMLResponse(html, status_code=status, headers={"Content-Language": lang})
    if request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=YEAR, path="/", httponly=True, samesite="lax")
    return response


def set_private_cookie(  # noqa: PLR0913 - a cookie is this many things
    response: Response, settings: Settings, name: str, value: str, *, path: str, max_age: int
) -> None:
    secure = settings.public_url("/").startswith("https://")
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="lax", secure=secure)

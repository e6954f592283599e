"""What every console page shares: its language, its headers, the navigation and the rendering.

A console page calls :func:`console_page` with its template and context; the page gets the
layout's navigation (the sections this person's role may open and that exist in this build),
the CSRF token of its forms and headers that keep personal data out of caches.

The language is the ``lang`` query when one is given (the switch in the layout links to it), else
the one this browser chose before (a cookie), else the browser's Accept-Language, else Japanese.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.routing import Route

from mamori.notices.messages import ENDONYMS
from mamori.notices.privacy import negotiate_language
from mamori.policy.schema import LANGUAGES
from mamori.security.rules import Role, Scope
from mamori.security.service import Principal
from mamori.web.i18n import N_, language_of, render
from mamori.web.staff import Csrf, csrf_for

LANG_COOKIE = "mamori_console_lang"
# Scripts only from Mamori's origin (none on most pages); styles from its stylesheet; images inline
# (QR codes and charts are inline SVG). Nothing may frame a console page.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True, slots=True)
class Section:
    """A console section in the navigation: shown when its page exists and the role may open it."""

    href: str
    label: str
    scope: Scope | None


SECTIONS: tuple[Section, ...] = (
    Section("/console/", N_("Dashboard"), None),
    Section("/console/requests", N_("Requests"), Scope.REQUESTS_READ),
    Section("/console/inquiries", N_("Inquiries"), Scope.INQUIRIES_READ),
    Section("/console/incidents", N_("Incidents"), Scope.INCIDENTS_READ),
    Section("/console/provisions", N_("Third-party provisions"), Scope.PROVISIONS_READ),
    Section("/console/people", N_("People"), Scope.SUBJECTS_READ),
    Section("/console/audiences", N_("Audiences"), Scope.AUDIENCES),
    Section("/console/policy", N_("Policy"), Scope.POLICY_READ),
    Section("/console/audit", N_("Audit log"), Scope.AUDIT_READ),
    Section("/console/jobs", N_("Jobs"), Scope.JOBS_READ),
    Section("/console/users", N_("Users"), Scope.USERS_ADMIN),
    Section("/console/datamap", N_("Data map"), Scope.DATAMAP_READ),
    Section("/console/campaigns", N_("Campaigns"), Scope.POLICY_WRITE),
    Section("/console/discovery", N_("Discovery"), Scope.DATAMAP_READ),
    Section("/console/pms", N_("Management system"), Scope.PMS_READ),
)
ROLE_NAMES: dict[str, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.PRIVACY_OFFICER: N_("Privacy officer"),
    Role.AGENT: N_("Contact centre agent"),
    Role.ENGINEER: N_("Engineer"),
    Role.AUDITOR: N_("Auditor"),
}


def console_lang(request: Request, lang: str | None = None) -> str:
    """The page's language: the ``lang`` query, the remembered choice, Accept-Language, Japanese."""
    asked = lang if lang is not None else request.query_params.get("lang")
    if asked and asked.strip().lower() in {code.lower() for code in LANGUAGES}:
        return language_of(asked)
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    try:
        return negotiate_language(None, request.headers.get("accept-language"))
    except Exception:  # noqa: BLE001 - a malformed header on a staff page falls back to Japanese
        return "ja"


@cache
def _pages() -> frozenset[str]:
    """The console's GET paths (a section whose page is not built yet stays out of the menu)."""
    from mamori.web.console import ROUTERS  # the package imports this module: import when first asked

    return frozenset(
        route.path for router in ROUTERS for route in router.routes
        if isinstance(route, Route) and "GET" in (route.methods or ())
    )  # fmt: skip


def navigation(request: Request, staff: Principal | None) -> list[dict[str, Any]]:
    if staff is None:
        return []
    pages, here = _pages(), request.url.path
    return [
        {"href": s.href, "label": s.label, "current": _is_current(s.href, here)}
        for s in SECTIONS
        if s.href in pages and (s.scope is None or s.scope in staff.scopes)
    ]


def _is_current(href: str, here: str) -> bool:
    if href == "/console/":
        return here in {"/console", "/console/"}
    return here == href or here.startswith(href + "/")


def languages(request: Request, lang: str) -> list[dict[str, Any]]:
    """The language switch: the same page in each language (the choice is then remembered)."""
    return [
        {
            "code": code,
            "name": ENDONYMS[code],
            "href": f"{request.url.path}?{urlencode({**request.query_params, 'lang': code})}",
            "current": code == lang,
        }
        for code in LANGUAGES
    ]


def console_page(  # noqa: PLR0913 - the page's parts, all keyword
    request: Request,
    template: str,
    *,
    staff: Principal | None,
    lang: str | None = None,
    status: int = 200,
    csrf: Csrf | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a console page in the layout, with its CSRF token and no caching of personal data."""
    settings = request.app.state.runtime.settings
    chosen = lang or console_lang(request)
    token = csrf or csrf_for(request, settings)
    html = render(template, chosen, staff=staff, csrf_token=token.token, nav=navigation(request, staff),
                  role_name=ROLE_NAMES[staff.role] if staff else "",
                  languages=languages(request, chosen), for_print=False, **context)  # fmt: skip
    response = HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, "Content-Language": chosen})
    token.apply(response, request)
    if request.query_params.get("lang") and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, path="/console", httponly=True,
                            samesite="lax", secure=request.url.scheme == "https")  # fmt: skip
    return response

"""Public page: the joint-use declaration of the published policy."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from mamori.api.deps import ReadSessionDep
from mamori.errors import ValidationFailed
from mamori.notices import messages
from mamori.notices.privacy import build_joint_use_section, negotiate_language
from mamori.policy.service import bundle_of, current_version
from mamori.web.routes.public import (
    AcceptLanguage,
    LangQuery,
    _bad_language,
    _language_headers,
    _languages,
    _unavailable,
)
from mamori.web.templating import render

router = APIRouter(include_in_schema=False)
PATH = "/joint-use"


@router.get(PATH)
def joint_use_page(
    session: ReadSessionDep, lang: LangQuery = None, accept_language: AcceptLanguage = None
) -> Response:
    """Who uses customer data jointly, which items, for what, and who is responsible."""
    try:
        chosen = negotiate_language(lang, accept_language)
    except ValidationFailed:
        return _bad_language(accept_language, PATH)
    version = current_version(session)
    bundle = bundle_of(version) if version is not None else None
    section = build_joint_use_section(bundle, chosen) if bundle is not None else None
    if version is None or bundle is None or section is None:
        return _unavailable(chosen, PATH)
    html = render(
        "public/joint_use.html",
        lang=chosen,
        labels=messages.labels(chosen),
        languages=_languages(PATH, chosen),
        for_print=False,
        section=section,
        controller=bundle.controller.name.get(chosen),
        version_number=version.number,
        privacy_href=f"/privacy?{urlencode({'lang': chosen})}",
    )
    return HTMLResponse(html, headers=_language_headers(chosen))

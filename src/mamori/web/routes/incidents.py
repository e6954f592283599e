"""Public page: the statement about an incident and its inquiry desk, in the reader's language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse, Response

from mamori.api.deps import ReadSessionDep
from mamori.errors import NotFound, ValidationFailed
from mamori.incidents import outreach
from mamori.incidents import repository as repo
from mamori.notices import incident_messages as im
from mamori.notices import messages
from mamori.notices.privacy import negotiate_language
from mamori.web.routes.public import _bad_language, _language_headers, _languages, _message
from mamori.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/incidents/{reference}")
def statement_page(
    reference: str,
    session: ReadSessionDep,
    lang: Annotated[str | None, Query()] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    """The latest published statement of an incident (``INC-2026-0001``), as a web page."""
    path = f"/incidents/{reference}"
    try:
        chosen = negotiate_language(lang, accept_language)
    except ValidationFailed:
        return _bad_language(accept_language, path)
    incident = repo.by_reference(session, reference.strip().upper())
    try:
        published = outreach.statement(session, incident.id) if incident else None
    except NotFound:
        published = None
    if published is None or chosen not in published.texts:
        texts = (im.label("statement_missing_title", chosen), im.label("statement_missing_body", chosen))
        return _message(chosen, 404, texts, path, list_choices=False)
    html = render("public/incident_statement.html", lang=chosen, labels=messages.labels(chosen),
                  statement=published.texts[chosen], reference=published.reference,
                  languages=_languages(path, chosen), for_print=False)  # fmt: skip
    return HTMLResponse(html, headers=_language_headers(chosen))

"""Audiences in the console: who may be contacted for a purpose, counted, then downloaded.

The form takes what the audience service supports (purpose, category, channel, jurisdiction,
language, minimum age). Counting shows the number only (no one is listed on the page); the
download streams the same list as CSV or JSON lines (ids, language and jurisdiction: no
identifier) and, like the CLI and the API, writes the read to the audit log. The parameters
travel in the form's body, never in the URL. Needs ``audiences:read``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from mamori.api.deps import SessionDep, get_read_session
from mamori.consents.decisions import audiences
from mamori.db.base import utcnow
from mamori.errors import MamoriError
from mamori.policy.changes.purposes import purposes_of
from mamori.policy.service import latest_version
from mamori.security.rules import Scope
from mamori.web.console.forms import guard, messages, text_in
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, require_scope

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=80)]
CHANNELS = ("any", "email", "post", "phone")
JURISDICTIONS = ("", "JP", "CN")
# A read transaction that lasts until the download has been sent (the request's own ends before).
StreamSession = Annotated[Session, Depends(get_read_session)]
FIELDS = ("purpose", "channel", "jurisdiction", "language", "min_age")


def _purposes(session: Session, lang: str) -> list[dict[str, str]]:
    version = latest_version(session)
    if version is None:
        return []
    return [
        {"id": pid, "category": category, "name": text_in(purpose.get("name"), lang, pid)}
        for pid, (category, purpose) in sorted(purposes_of(version.content).items())
    ]


def _page(request: Request, session: Session, staff: StaffDep, **context: Any) -> Response:
    lang = console_lang(request)
    return console_page(
        request,
        "console/audiences/build.html",
        staff=staff,
        purposes=_purposes(session, lang),
        channels=CHANNELS,
        jurisdictions=JURISDICTIONS,
        **{"asked": dict.fromkeys(FIELDS, ""), "count": None, "error": None, **context},
    )


def _request(form: dict[str, str], known: dict[str, str]) -> audiences.AudienceRequest:
    """The audience request of the form (category: the purpose's own unless one was chosen)."""
    age = form["min_age"].strip()
    filters = audiences.AudienceFilters(
        jurisdiction=form["jurisdiction"] or None,
        language=form["language"].strip() or None,
        min_age=int(age) if age.isdigit() else None,
    )
    purpose = form["purpose"]
    return audiences.AudienceRequest(purpose, form["channel"], known.get(purpose, "customers"), filters)


@router.get("/console/audiences")
def build(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """The form to build an audience."""
    require_scope(staff, Scope.AUDIENCES)
    return _page(request, session, staff)


@router.post("/console/audiences")
def count_or_download(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    reader: StreamSession,
    staff: StaffDep,
    purpose: Short,
    channel: Short = "any",
    jurisdiction: Annotated[str, Form(max_length=2)] = "",
    language: Annotated[str, Form(max_length=10)] = "",
    min_age: Annotated[str, Form(max_length=3)] = "",
    action: Annotated[str, Form(max_length=10)] = "count",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Count the audience (``action=count``) or download it (``csv`` or ``jsonl``, audited)."""
    guard(request, staff, Scope.AUDIENCES, csrf_token)
    form = {"purpose": purpose, "channel": channel, "jurisdiction": jurisdiction, "language": language,
            "min_age": min_age}  # fmt: skip
    known = {p["id"]: p["category"] for p in _purposes(session, console_lang(request))}
    wanted = _request(form, known)
    try:
        policy, _, _ = audiences.prepare(session, wanted)
    except MamoriError as error:
        return _page(request, session, staff, asked=form, error="; ".join(messages(error)), status=422)
    if action not in {"csv", "jsonl"}:
        return _page(request, session, staff, asked=form, count=audiences.count_audience(session, wanted))
    audiences.record_audience(session, actor=staff.actor, request=wanted, policy=policy)
    as_csv = action == "csv"
    name = f"audience-{purpose}-{utcnow().strftime('%Y%m%d-%H%M%S')}.{'csv' if as_csv else 'jsonl'}"
    return StreamingResponse(
        audiences.stream_audience_text(reader, wanted, csv_format=as_csv),
        media_type="text/csv; charset=utf-8" if as_csv else "application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )

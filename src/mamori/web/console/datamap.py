"""The data map in the console: systems and datasets, the last check against the live schema, the ledger.

Reading needs ``datamap:read``; running a check (which connects to each system) ``datamap:write``.
The personal-information ledger (JIS Q 15001 columns) downloads as CSV or XLSX in the page's language.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from mamori.api.deps import SessionDep
from mamori.calendar.service import TOKYO
from mamori.datamap import ledger
from mamori.datamap.checks import last_check, run_check
from mamori.errors import NotFound
from mamori.policy.service import bundle_of, require_current_version
from mamori.security.rules import Scope
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, check_csrf, require_scope

router = APIRouter(include_in_schema=False)


def _text(value: Any, lang: str) -> str:
    return (
        (value or {}).get(lang) or (value or {}).get("ja") or ""
        if isinstance(value, dict)
        else str(value or "")
    )


@router.get("/console/datamap")
def datamap(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """The systems and datasets of the policy in force, and the last check."""
    require_scope(staff, Scope.DATAMAP_READ)
    lang = console_lang(request)
    bundle = bundle_of(require_current_version(session))
    systems = [
        {
            "id": s.id,
            "name": _text(s.name, lang),
            "location": _text(s.location, lang),
            "kind": s.connection.kind,
            "datasets": [
                {
                    "id": d.id,
                    "name": _text(d.name, lang),
                    "retention": d.retention or "",
                    "columns": len(d.columns),
                }
                for d in s.datasets
            ],
        }
        for s in bundle.datamap
    ]
    checked = last_check(session)
    return console_page(
        request,
        "console/datamap/map.html",
        staff=staff,
        lang=lang,
        systems=systems,
        checked=checked,
        checked_at=checked.at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M") if checked else "",
        may_check=Scope.DATAMAP_WRITE in staff.scopes,
    )


@router.post("/console/datamap/check")
def check(
    request: Request, session: SessionDep, staff: StaffDep, csrf_token: Annotated[str | None, Form()] = None
) -> Response:
    """Check every system against its live schema now (the result is kept)."""
    require_scope(staff, Scope.DATAMAP_WRITE)
    check_csrf(request, request.app.state.runtime.settings, csrf_token)
    try:
        run_check(session, actor=staff.actor)
    except NotFound:
        session.rollback()
    return RedirectResponse("/console/datamap", status_code=303)


@router.get("/console/datamap/ledger.{fmt}")
def ledger_download(
    fmt: Literal["csv", "xlsx"],
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    lang: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """The personal-information ledger (JIS Q 15001) as CSV or XLSX."""
    require_scope(staff, Scope.DATAMAP_READ)
    chosen = console_lang(request, lang)
    rows = ledger.ledger_rows(bundle_of(require_current_version(session)), chosen)
    if fmt == "csv":
        body, media = ledger.ledger_csv(rows), "text/csv; charset=utf-8"
    else:
        body, media = (
            ledger.ledger_xlsx(rows),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="mamori-ledger-{chosen}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )

"""The audit log in the console: filters (actor, action, target, time), keyset pages, verify with an anchor.

Needs ``audit:read`` (admin, privacy officer, auditor). Nothing here changes anything: verifying
recomputes the chains and the policy versions' hashes; the anchor shown is the log's current
heads, to keep where the database's writers cannot reach it (decision 0012).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from mamori.api.deps import SessionDep
from mamori.audit.anchors import check_anchor, make_anchor
from mamori.audit.search import AuditFilter, search_events
from mamori.audit.service import verify_chain
from mamori.calendar.service import TOKYO
from mamori.errors import ValidationFailed
from mamori.policy.integrity import verify_versions
from mamori.security.rules import Scope
from mamori.web.console.shell import console_page
from mamori.web.staff import StaffDep, check_csrf, require_scope

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=200)]
MAX_ANCHOR_BYTES = 64 * 1024


def _day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            "invalid date", details={"errors": [{"field": field, "message": "YYYY-MM-DD"}]}
        ) from None


def _filters(  # noqa: PLR0913 - the form's fields
    actor: str | None,
    action: str | None,
    target_type: str | None,
    target_id: str | None,
    since: str | None,
    until: str | None,
) -> AuditFilter:
    """The form's days are days in Japan (from the start of ``since`` to the end of ``until``)."""
    first, last = _day(since, "since"), _day(until, "until")
    return AuditFilter(
        actor=actor or None,
        action=action or None,
        target_type=target_type or None,
        target_id=target_id or None,
        since=datetime.combine(first, time(), TOKYO) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(), TOKYO) if last else None,
    )


def _row(event: Any) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.occurred_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M:%S"),
        "actor": event.actor,
        "action": event.action,
        "target": f"{event.target_type}:{event.target_id}",
        "details": event.details,
    }


@router.get("/console/audit")
def audit_log(  # noqa: PLR0913 - the filters
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    actor: Text = None,
    action: Text = None,
    target_type: Text = None,
    target_id: Text = None,
    since: Text = None,
    until: Text = None,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """The audit log, newest first, filtered."""
    require_scope(staff, Scope.AUDIT_READ)
    form = {
        "actor": actor or "",
        "action": action or "",
        "target_type": target_type or "",
        "target_id": target_id or "",
        "since": since or "",
        "until": until or "",
    }
    try:
        page = search_events(
            session, _filters(actor, action, target_type, target_id, since, until), before=before
        )
    except ValidationFailed as error:
        errors = error.details.get("errors", [])
        return console_page(
            request,
            "console/audit/log.html",
            staff=staff,
            status=422,
            form=form,
            rows=[],
            errors=errors,
            next_href=None,
        )
    next_href = None
    if page.next_before is not None:
        query = urlencode({**{k: v for k, v in form.items() if v}, "before": page.next_before})
        next_href = f"/console/audit?{query}"
    return console_page(
        request,
        "console/audit/log.html",
        staff=staff,
        form=form,
        rows=[_row(e) for e in page.events],
        errors=[],
        next_href=next_href,
    )


@router.post("/console/audit/verify")
async def verify(
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    csrf_token: Annotated[str | None, Form()] = None,
    anchor: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Recompute the chains (and, given an anchor saved earlier, check the log still extends it)."""
    require_scope(staff, Scope.AUDIT_READ)
    check_csrf(request, request.app.state.runtime.settings, csrf_token)
    result = verify_chain(session)
    versions = verify_versions(session)
    anchor_problems: list[str] | None = None
    if anchor is not None and anchor.filename:
        anchor_problems = _check_uploaded(session, await anchor.read(MAX_ANCHOR_BYTES + 1), result.ok)
    current = make_anchor(session)
    return console_page(
        request,
        "console/audit/verify.html",
        staff=staff,
        result=result,
        versions=versions,
        anchor_problems=anchor_problems,
        anchor_json=json.dumps(current, ensure_ascii=False, indent=2),
    )


def _check_uploaded(session: SessionDep, data: bytes, chains_ok: bool) -> list[str]:
    if len(data) > MAX_ANCHOR_BYTES:
        return ["the anchor file is larger than 64 KB"]
    try:
        saved = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ["the anchor file is not JSON"]
    if not isinstance(saved, dict) or not isinstance(saved.get("chains"), list):
        return ["the anchor file is not a Mamori audit anchor"]
    if not chains_ok:
        return ["the chains are broken: the anchor cannot be checked"]
    try:
        return check_anchor(session, saved)
    except (KeyError, TypeError, ValueError):
        return ["the anchor file is not a Mamori audit anchor"]


@router.get("/console/audit/anchor.json")
def anchor_download(session: SessionDep, staff: StaffDep) -> Response:
    """The log's current anchor as a file to keep elsewhere."""
    require_scope(staff, Scope.AUDIT_READ)
    body = json.dumps(make_anchor(session), ensure_ascii=False, indent=2)
    return Response(
        body.encode("utf-8"),
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="mamori-audit-anchor.json"',
            "Cache-Control": "no-store",
        },
    )

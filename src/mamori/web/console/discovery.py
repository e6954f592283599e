"""Staff pages of PII discovery: the scans with their progress, and one scan's findings against the map.

Needs a console session and the role's ``datamap:read`` scope. No personal value is shown: scans
store types, positions and keyed hashes only.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from mamori.api.deps import SessionDep
from mamori.datamap.service import current_bundle
from mamori.discovery import findings, runner
from mamori.discovery.models import DiscoveryScan
from mamori.discovery.scan import get_scan
from mamori.discovery.spans import LABELS
from mamori.errors import NotFound
from mamori.security.rules import Scope
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, require_scope

router = APIRouter(include_in_schema=False)


@router.get("/console/discovery")
def scan_list(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """The latest scans, newest first, with their progress."""
    require_scope(staff, Scope.DATAMAP_READ)
    scans = list(session.scalars(select(DiscoveryScan).order_by(DiscoveryScan.created_at.desc()).limit(100)))
    return console_page(request, "console/discovery/list.html", staff=staff, scans=scans)


@router.get("/console/discovery/{scan_id}")
def scan_page(request: Request, session: SessionDep, staff: StaffDep, scan_id: str) -> Response:
    """One scan: its progress and what it found that the data map in force does not declare."""
    require_scope(staff, Scope.DATAMAP_READ)
    try:
        ident = uuid.UUID(scan_id)
    except ValueError:
        raise NotFound("no such discovery scan") from None
    scan = get_scan(session, ident)
    try:
        systems = current_bundle(session).datamap
    except NotFound:
        systems = []
    found = findings.findings(runner.column_results(session, ident), systems)
    lang = console_lang(request)
    types = {t: names.get(lang, names["en"]) for t, names in LABELS.items()}
    return console_page(request, "console/discovery/scan.html", staff=staff, lang=lang, scan=scan,
                        findings=found, types=types)  # fmt: skip

"""PII discovery: scans' progress and their findings against the data map in force."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import select

from mamori.api.deps import SessionDep, require
from mamori.datamap.service import current_bundle
from mamori.discovery import findings, runner
from mamori.discovery.models import DiscoveryScan
from mamori.discovery.scan import get_scan
from mamori.security.rules import Scope
from mamori.security.service import Principal

router = APIRouter(tags=["discovery"])
Reader = Annotated[Principal, Depends(require(Scope.DATAMAP_READ))]


class ScanRead(BaseModel):
    id: uuid.UUID
    target: str
    mode: str
    status: str
    sources_total: int
    sources_done: int
    rows_scanned: int
    spans_found: int
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, scan: DiscoveryScan) -> ScanRead:
        return cls.model_validate(scan, from_attributes=True)


class FindingRead(BaseModel):
    kind: str
    source: str
    column: str
    types: dict[str, float]
    confidence: float
    declared: str | None
    proposed: list[str]


@router.get("/discovery/scans")
def list_scans(session: SessionDep, _: Reader) -> list[ScanRead]:
    """The latest scans (at most 100), newest first, with their progress."""
    query = select(DiscoveryScan).order_by(DiscoveryScan.created_at.desc()).limit(100)
    return [ScanRead.of(s) for s in session.scalars(query)]


@router.get("/discovery/scans/{scan_id}")
def read_scan(session: SessionDep, _: Reader, scan_id: uuid.UUID) -> ScanRead:
    """One scan's progress: sources done of all, rows read, spans found, status."""
    return ScanRead.of(get_scan(session, scan_id))


@router.get("/discovery/scans/{scan_id}/findings")
def scan_findings(session: SessionDep, _: Reader, scan_id: uuid.UUID) -> list[FindingRead]:
    """What the scan found that the data map in force does not declare (columns, files, My Number)."""
    columns = runner.column_results(session, scan_id)
    found = findings.findings(columns, current_bundle(session).datamap)
    return [FindingRead.model_validate(f, from_attributes=True) for f in found]

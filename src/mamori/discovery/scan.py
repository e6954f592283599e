"""Scans: start one, run it batch by batch with a checkpoint per batch, resume it after a kill.

Each batch is one transaction (its spans, column counts and checkpoint together), so a scan killed
at any point starts again after the last committed batch and counts no row twice. ``throttle``
sleeps between batches, so a production database is read gently.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.service import record_event
from mamori.db.base import utcnow
from mamori.db.session import unit_of_work
from mamori.discovery.engine import detect
from mamori.discovery.models import DiscoveryCheckpoint, DiscoveryColumn, DiscoveryScan, DiscoverySpan
from mamori.discovery.sources import Batch
from mamori.errors import NotFound


class Source(Protocol):
    name: str

    def batches(self, position: Any, *, limit: int | None, size: int) -> Any: ...


@dataclass(frozen=True)
class Options:
    mode: str = "sample"  # sample | full
    sample: int = 200  # rows per source in sample mode
    batch: int = 200
    throttle: float = 0.0  # seconds between batches
    company_phones: Collection[str] = ()


Progress = Callable[[DiscoveryScan, str], None]


def start_scan(session: Session, *, actor: str, target: str, options: Options, sources: int) -> DiscoveryScan:
    scan = DiscoveryScan(
        target=target,
        mode=options.mode,
        sample=options.sample,
        status="running",
        sources_total=sources,
        sources_done=0,
        rows_scanned=0,
        spans_found=0,
        created_by=actor,
    )
    session.add(scan)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="discovery.scan_started",
        target_type="discovery_scan",
        target_id=str(scan.id),
        details={"target": target, "mode": options.mode, "sources": sources},
    )
    return scan


def get_scan(session: Session, scan_id: uuid.UUID) -> DiscoveryScan:
    scan = session.get(DiscoveryScan, scan_id)
    if scan is None:
        raise NotFound("no such discovery scan")
    return scan


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def run_scan(  # noqa: PLR0913 - the scan's inputs
    factory: sessionmaker[Session],
    scan_id: uuid.UUID,
    sources: Sequence[Source],
    options: Options,
    *,
    key: bytes,
    progress: Progress | None = None,
) -> None:
    """Scan every source not yet done, from its checkpoint; one transaction per batch."""
    for source in sources:
        with unit_of_work(factory) as session:
            point = session.get(DiscoveryCheckpoint, (scan_id, source.name))
            if point is None:
                point = DiscoveryCheckpoint(scan_id=scan_id, source=source.name, rows=0, done=False)
                session.add(point)
            done, position = point.done, json.loads(point.position) if point.position else None
        if done:
            continue
        limit = options.sample if options.mode == "sample" else None
        for batch in source.batches(position, limit=limit, size=options.batch):
            _store_batch(factory, scan_id, source.name, batch, options, key)
            if progress is not None:
                with unit_of_work(factory) as session:
                    progress(get_scan(session, scan_id), source.name)
            if options.throttle:
                time.sleep(options.throttle)
        with unit_of_work(factory) as session:
            point = session.get(DiscoveryCheckpoint, (scan_id, source.name))
            assert point is not None  # noqa: S101 - made above
            point.done = True
            get_scan(session, scan_id).sources_done += 1
    with unit_of_work(factory) as session:
        scan = get_scan(session, scan_id)
        scan.status, scan.finished_at = "done", utcnow()
        record_event(
            session,
            actor=scan.created_by,
            action="discovery.scan_finished",
            target_type="discovery_scan",
            target_id=str(scan.id),
            details={"rows": scan.rows_scanned, "spans": scan.spans_found},
        )


def _store_batch(  # noqa: PLR0913 - one batch and where it goes
    factory: sessionmaker[Session],
    scan_id: uuid.UUID,
    source: str,
    batch: Batch,
    options: Options,
    key: bytes,
) -> None:
    rows, position = batch
    columns: dict[str, dict[str, list[float]]] = {}
    counted: dict[str, int] = {}
    spans: list[DiscoverySpan] = []
    for row_key, values in rows:
        row_hash = keyed_hash(key, f"{source}\x1f{row_key}")
        for column, text in values.items():
            counted[column] = counted.get(column, 0) + 1
            found = detect(text, company_phones=options.company_phones)
            hits = columns.setdefault(column, {})
            for kind in {s.type for s in found}:
                best = max(s.confidence for s in found if s.type == kind)
                entry = hits.setdefault(kind, [0, 0.0])
                entry[0] += 1
                entry[1] = max(entry[1], best)
            spans += [
                DiscoverySpan(
                    scan_id=scan_id,
                    source=source,
                    column=column,
                    row=row_hash,
                    type=s.type,
                    start=s.start,
                    end=s.end,
                    confidence=s.confidence,
                    value_hash=keyed_hash(key, text[s.start : s.end]),
                )
                for s in found
            ]
    with unit_of_work(factory) as session:
        _merge_columns(session, scan_id, source, counted, columns)
        session.add_all(spans)
        point = session.get(DiscoveryCheckpoint, (scan_id, source))
        assert point is not None  # noqa: S101 - made before the first batch
        point.position, point.rows = json.dumps(position), point.rows + len(rows)
        scan = get_scan(session, scan_id)
        scan.rows_scanned += len(rows)
        scan.spans_found += len(spans)
        scan.updated_at = utcnow()


def _merge_columns(
    session: Session,
    scan_id: uuid.UUID,
    source: str,
    counted: dict[str, int],
    hits: dict[str, dict[str, list[float]]],
) -> None:
    for column, rows in counted.items():
        current = session.get(DiscoveryColumn, (scan_id, source, column))
        if current is None:
            current = DiscoveryColumn(scan_id=scan_id, source=source, column=column, rows=0, hits={})
            session.add(current)
        merged = {k: list(v) for k, v in (current.hits or {}).items()}
        for kind, (count, best) in hits.get(column, {}).items():
            old = merged.get(kind, [0, 0.0])
            merged[kind] = [int(old[0]) + int(count), max(float(old[1]), best)]
        current.rows += rows
        current.hits = merged


def columns_of(session: Session, scan_id: uuid.UUID) -> list[DiscoveryColumn]:
    query = select(DiscoveryColumn).where(DiscoveryColumn.scan_id == scan_id)
    return list(session.scalars(query.order_by(DiscoveryColumn.source, DiscoveryColumn.column)))

"""Read the data map of a run's policy version; write a run's state per system and table."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.db.base import utcnow
from mamori.errors import NotFound
from mamori.fulfillment.models import FulfillmentRun, FulfillmentRunSystem, FulfillmentRunTable
from mamori.fulfillment.rules import Graph
from mamori.fulfillment.runner import Outcome
from mamori.policy.models import PolicyVersion
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import TOKYO

_bundles: dict[str, tuple[PolicyBundle, Graph]] = {}
_lock = threading.Lock()


def run_bundle(version: PolicyVersion) -> tuple[PolicyBundle, Graph]:
    """The validated bundle of a version and its reference graph (parsed once per content hash)."""
    with _lock:
        cached = _bundles.get(version.content_hash)
    if cached is None:
        bundle = PolicyBundle.model_validate(version.content)
        cached = (bundle, Graph(bundle.datamap))
        with _lock:
            _bundles[version.content_hash] = cached
    return cached


def record_outcome(session: Session, run: FulfillmentRun, graph: Graph, outcome: Outcome) -> None:
    """Upsert the state of every system and table; values changed add up over attempts."""
    now = utcnow()
    systems = {
        s.system: s
        for s in session.scalars(select(FulfillmentRunSystem).where(FulfillmentRunSystem.run_id == run.id))
    }
    for system_id in graph.systems:
        row = systems.get(system_id)
        if row is None:
            row = FulfillmentRunSystem(run_id=run.id, system=system_id, attempts=0)
            session.add(row)
        row.status = "failed" if system_id in outcome.failed else "done"
        row.error = outcome.failed.get(system_id)
        row.attempts = (row.attempts or 0) + 1
        row.updated_at = now
    tables = {
        (t.system, t.dataset): t
        for t in session.scalars(select(FulfillmentRunTable).where(FulfillmentRunTable.run_id == run.id))
    }
    for result in outcome.tables:
        table = tables.get((result.system, result.dataset))
        if table is None:
            table = FulfillmentRunTable(
                run_id=run.id, system=result.system, dataset=result.dataset, changed=0, places=[]
            )
            session.add(table)
        table.found, table.residual = result.found, result.residual
        table.changed = (table.changed or 0) + result.changed
        table.places = _merge_places(table.places or [], result.places)
        table.updated_at = now


def _merge_places(old: list[dict[str, object]], new: list[dict[str, object]]) -> list[dict[str, object]]:
    before = {str(p.get("field")): p for p in old}
    merged = []
    for place in new:
        earlier = before.pop(str(place.get("field")), {})
        changed = int(str(earlier.get("changed", 0))) + int(str(place.get("changed", 0)))
        merged.append({**place, "changed": changed})
    return merged + list(before.values())


def version_bundle(session: Session, number: int | None = None) -> tuple[int, PolicyBundle, Graph]:
    """The version in force (or ``number``) with its bundle; the content is read only when not cached.

    Raises:
        NotFound: no such version (none published yet).
    """
    stmt = select(PolicyVersion.number, PolicyVersion.content_hash)
    if number is None:
        stmt = stmt.where(PolicyVersion.effective_date <= datetime.now(TOKYO).date())
    else:
        stmt = stmt.where(PolicyVersion.number == number)
    row = session.execute(stmt.order_by(PolicyVersion.number.desc()).limit(1)).first()
    if row is None:
        raise NotFound("no policy has been published yet; run 'mamori policy publish DIR'")
    with _lock:
        cached = _bundles.get(row.content_hash)
    if cached is None:
        version = session.scalars(select(PolicyVersion).where(PolicyVersion.number == row.number)).one()
        cached = run_bundle(version)
    return row.number, *cached

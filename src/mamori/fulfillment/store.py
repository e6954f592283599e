"""Read the data map of a run's policy version; write a run's state per system and table."""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.db.base import utcnow
from mamori.fulfillment.models import FulfillmentRun, FulfillmentRunSystem, FulfillmentRunTable
from mamori.fulfillment.rules import Graph
from mamori.fulfillment.runner import Outcome
from mamori.policy.models import PolicyVersion
from mamori.policy.schema import PolicyBundle

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

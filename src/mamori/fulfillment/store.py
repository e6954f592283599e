"""Read the data map of a run's policy version; claim a run; write its state per system and table.

A run is executed by one executor at a time: :func:`claim_run` takes it with a lease (a token and
an expiry) in one conditional ``UPDATE``, and every later write of that execution first checks with
:func:`still_held` that the token is still the run's. An executor that died leaves its lease to
expire; the next one takes the run over, and an outcome arriving late from the old one is dropped.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
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


def claim_run(session: Session, run_id: uuid.UUID, *, lease: timedelta) -> str | None:
    """Take the run for one execution; the lease's token, or None (finished, failed, or held now).

    Pending runs are taken, and running ones whose lease has passed (their executor died; a run
    without a lease was left by a version of Mamori that had none).
    """
    now = utcnow()
    token = uuid.uuid4().hex
    run = FulfillmentRun
    expired = run.lease_until.is_(None) | (run.lease_until < now)
    statement = (
        update(run)
        .where(run.id == run_id, (run.status == "pending") | ((run.status == "running") & expired))
        .values(status="running", attempts=run.attempts + 1, started_at=now)
        .values(lease_token=token, lease_until=now + lease)
        .returning(run.id)
        .execution_options(synchronize_session=False)
    )
    return token if session.execute(statement).first() is not None else None


def still_held(session: Session, run_id: uuid.UUID, token: str) -> bool:
    """Whether ``token`` still holds the run; on PostgreSQL the row stays locked until commit."""
    run = FulfillmentRun
    statement = (
        update(run)
        .where(run.id == run_id, run.status == "running", run.lease_token == token)
        .values(lease_token=token)
        .returning(run.id)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).first() is not None


def holder_until(session: Session, run_id: uuid.UUID) -> tuple[str, datetime] | None:
    """The token and expiry of the lease a running run is held under, or None."""
    row = session.execute(
        select(FulfillmentRun.lease_token, FulfillmentRun.lease_until).where(
            FulfillmentRun.id == run_id, FulfillmentRun.status == "running"
        )
    ).first()
    if row is None or row.lease_token is None or row.lease_until is None:
        return None
    return row.lease_token, row.lease_until


def record_outcome(session: Session, run: FulfillmentRun, graph: Graph, outcome: Outcome) -> None:
    """Upsert the state of every system and table; values changed add up over attempts.

    A first attempt finds no rows (they are written only with the outcome, in one transaction):
    its rows go in as two multi-row inserts. Later attempts merge into what is there.
    """
    now = utcnow()
    if run.attempts == 1:
        _insert_first_outcome(session, run, graph, outcome, now)
        return
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


def _insert_first_outcome(
    session: Session, run: FulfillmentRun, graph: Graph, outcome: Outcome, now: datetime
) -> None:
    systems = [
        {
            "run_id": run.id,
            "system": system_id,
            "status": "failed" if system_id in outcome.failed else "done",
            "error": outcome.failed.get(system_id),
            "attempts": 1,
            "updated_at": now,
        }
        for system_id in graph.systems
    ]
    tables = [
        {
            "run_id": run.id,
            "system": r.system,
            "dataset": r.dataset,
            "found": r.found,
            "changed": r.changed,
            "residual": r.residual,
            "places": _merge_places([], r.places),
            "updated_at": now,
        }
        for r in outcome.tables
    ]
    if systems:
        session.execute(insert(FulfillmentRunSystem), systems)
    if tables:
        session.execute(insert(FulfillmentRunTable), tables)


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
        raise NotFound(
            "no policy has been published yet; run 'mamori policy publish DIR'",
            details={"reason": "no_policy"},
        )
    with _lock:
        cached = _bundles.get(row.content_hash)
    if cached is None:
        version = session.scalars(select(PolicyVersion).where(PolicyVersion.number == row.number)).one()
        cached = run_bundle(version)
    return row.number, *cached

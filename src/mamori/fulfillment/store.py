"""Read the data map of a run's policy version; claim a run; write its state per system and table.

A run is executed by one executor at a time: :func:`claim_run` takes it with a lease (a token and
an expiry) in one conditional ``UPDATE``, and every later write of that execution first checks with
:func:`still_held` that the token is still the run's. An executor that died leaves its lease to
expire; the next one takes the run over, and an outcome arriving late from the old one is dropped.
"""

from __future__ import annotations

import functools
import json
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, text, update
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


@dataclass(frozen=True, slots=True)
class Claim:
    """A run taken for one execution: the lease's token and what the execution needs of the row."""

    token: str
    attempts: int
    action: str
    case_ref: str
    language: str
    policy_version: int
    content_hash: str | None
    identities_encrypted: str
    changes_encrypted: str | None
    snapshot_encrypted: str | None


_CLAIMED = (
    FulfillmentRun.attempts,
    FulfillmentRun.action,
    FulfillmentRun.case_ref,
    FulfillmentRun.language,
    FulfillmentRun.policy_version,
)
_CLAIMED_SECRETS = (
    FulfillmentRun.identities_encrypted,
    FulfillmentRun.changes_encrypted,
    FulfillmentRun.snapshot_encrypted,
)


def _core(session: Session) -> Connection:
    """The session's connection, its pending ORM changes flushed.

    The hot path's statements run as Core: the ORM's bulk machinery costs more than they do.
    """
    session.flush()
    return session.connection()


def _claim_statement() -> Any:
    run = FulfillmentRun
    now: Any = bindparam("now", type_=run.lease_until.type)
    expired = run.lease_until.is_(None) | (run.lease_until < now)
    content_hash = (
        select(PolicyVersion.content_hash).where(PolicyVersion.number == run.policy_version).scalar_subquery()
    )
    return (
        update(run)
        .where(run.id == bindparam("run_id"))
        .where((run.status == "pending") | ((run.status == "running") & expired))
        .values(status="running", attempts=run.attempts + 1, started_at=now)
        .values(lease_token=bindparam("token"), lease_until=bindparam("until", type_=run.lease_until.type))
        .returning(*_CLAIMED, content_hash, *_CLAIMED_SECRETS)
        .execution_options(synchronize_session=False)
    )


_CLAIM = _claim_statement()  # built once: a run is claimed for every execution


def claim_run(session: Session, run_id: uuid.UUID, *, lease: timedelta) -> Claim | None:
    """Take the run for one execution; None when it is finished, failed, or held now.

    Pending runs are taken, and running ones whose lease has passed (their executor died; a run
    without a lease was left by a version of Mamori that had none). One statement: the claim
    returns the row's inputs and its policy version's content hash.
    """
    now = utcnow()
    token = uuid.uuid4().hex
    params = {"run_id": run_id, "now": now, "token": token, "until": now + lease}
    row = _core(session).execute(_CLAIM, params).first()
    return None if row is None else Claim(token, *row)


@functools.cache
def _held_statement(columns: frozenset[str]) -> Any:
    run = FulfillmentRun
    table = cast("Table", run.__table__)
    values: dict[str, Any] = {
        name: bindparam(f"set_{name}", type_=table.c[name].type) for name in sorted(columns)
    }
    values = values or {"lease_token": run.lease_token}  # only the check
    return (
        update(run)
        .where(run.id == bindparam("run_id"), run.status == "running", run.lease_token == bindparam("token"))
        .values(values)
        .returning(run.id)
        .execution_options(synchronize_session=False)
    )


def still_held(session: Session, run_id: uuid.UUID, token: str, **values: object) -> bool:
    """Whether ``token`` still holds the run, setting ``values`` if so (one statement).

    On PostgreSQL the row stays locked until commit.
    """
    statement = _held_statement(frozenset(values))
    params = {"run_id": run_id, "token": token, **{f"set_{k}": v for k, v in values.items()}}
    return _core(session).execute(statement, params).first() is not None


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


def record_outcome(
    session: Session, run_id: uuid.UUID, attempts: int, graph: Graph, outcome: Outcome
) -> None:
    """Upsert the state of every system and table; values changed add up over attempts.

    A first attempt finds no rows (they are written only with the outcome, in one transaction):
    its rows go in as two multi-row inserts. Later attempts merge into what is there.
    """
    now = utcnow()
    if attempts == 1:
        _insert_first_outcome(session, run_id, graph, outcome, now)
        return
    systems = {
        s.system: s
        for s in session.scalars(select(FulfillmentRunSystem).where(FulfillmentRunSystem.run_id == run_id))
    }
    for system_id in graph.systems:
        row = systems.get(system_id)
        if row is None:
            row = FulfillmentRunSystem(run_id=run_id, system=system_id, attempts=0)
            session.add(row)
        row.status = "failed" if system_id in outcome.failed else "done"
        row.error = outcome.failed.get(system_id)
        row.attempts = (row.attempts or 0) + 1
        row.updated_at = now
    tables = {
        (t.system, t.dataset): t
        for t in session.scalars(select(FulfillmentRunTable).where(FulfillmentRunTable.run_id == run_id))
    }
    for result in outcome.tables:
        table = tables.get((result.system, result.dataset))
        if table is None:
            table = FulfillmentRunTable(
                run_id=run_id, system=result.system, dataset=result.dataset, changed=0, places=[]
            )
            session.add(table)
        table.found, table.residual = result.found, result.residual
        table.changed = (table.changed or 0) + result.changed
        table.places = _merge_places(table.places or [], result.places)
        table.updated_at = now


def _insert_first_outcome(
    session: Session, run_id: uuid.UUID, graph: Graph, outcome: Outcome, now: datetime
) -> None:
    systems = [
        {
            "run_id": run_id,
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
            "run_id": run_id,
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
    connection = _core(session)
    if connection.dialect.name == "postgresql" and systems and tables:
        rows = {"systems": json.dumps(systems, default=str), "tables": json.dumps(tables, default=str)}
        connection.execute(_FIRST_OUTCOME_PG, rows)  # one statement, one plan: both tables' rows
        return
    if systems:
        connection.execute(insert(FulfillmentRunSystem), systems)
    if tables:
        connection.execute(insert(FulfillmentRunTable), tables)


# The rows come as two JSON arrays of objects keyed by column name; each table's own row type
# turns them into its columns, in order.
_FIRST_OUTCOME_PG = text(
    "WITH systems AS (INSERT INTO fulfillment_run_systems"
    " SELECT * FROM jsonb_populate_recordset(NULL::fulfillment_run_systems, CAST(:systems AS jsonb)))"
    " INSERT INTO fulfillment_run_tables"
    " SELECT * FROM jsonb_populate_recordset(NULL::fulfillment_run_tables, CAST(:tables AS jsonb))"
)


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
    row = _core(session).execute(stmt.order_by(PolicyVersion.number.desc()).limit(1)).first()
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


def claimed_bundle(session: Session, claim: Claim) -> tuple[PolicyBundle, Graph]:
    """The bundle of a claimed run's policy version: from the cache when its content hash is there."""
    if claim.content_hash is not None:
        with _lock:
            cached = _bundles.get(claim.content_hash)
        if cached is not None:
            return cached
    _, bundle, graph = version_bundle(session, claim.policy_version)
    return bundle, graph

"""Retention runs: plan, sweep (or count, for a dry run), record per table, resume, audit.

A run is planned against the policy version in force: one record per covered dataset of the data
map and per own table of :mod:`mamori.retention.own`. Executing it commits after every batch (the
cursor and counts of its table), because the connected systems lie outside Mamori's transaction:
a run killed half-way is resumed from its cursors by executing it again. The run's audit event
(``retention.swept`` or ``retention.dry_run``) carries counts per table, never a value.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.errors import NotFound
from mamori.fulfillment.connectors.base import Connector, ConnectorError
from mamori.fulfillment.runner import connectors_for
from mamori.policy.models import PolicyVersion
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import bundle_of, require_current_version
from mamori.retention.holds import Holds, resolve_holds
from mamori.retention.models import RetentionRun, RetentionRunTable
from mamori.retention.own import OWN_TABLES, own_cutoff, own_table, sweep_own
from mamori.retention.rules import MAMORI, cutoff, targets
from mamori.retention.sweep import BATCH, Counts, Job, sweep_dataset
from mamori.security.crypto import cipher_from_settings

TASK_KIND = "retention.sweep"
Report = Callable[[RetentionRunTable], None]


def start_run(session: Session, *, actor: str, dry_run: bool, now: datetime | None = None) -> RetentionRun:
    """Plan a run against the policy in force: one pending table record per covered dataset.

    Raises:
        NotFound: no policy has been published.
    """
    version = require_current_version(session)
    bundle = bundle_of(version)
    now = now or utcnow()
    run = RetentionRun(
        id=uuid.uuid4(),
        status="running",
        dry_run=dry_run,
        policy_version=version.number,
        now=now,
        created_by=actor,
    )
    session.add(run)
    session.flush()
    for target in targets(bundle):
        _table_row(session, run, target.system, target.dataset, target.action, target.retention, now)
    for spec in OWN_TABLES:
        found = own_cutoff(spec, bundle, now)
        if found is not None:
            _table_row(session, run, MAMORI, spec.table, "anonymise", found[0], now)
    session.flush()
    return run


def _table_row(  # noqa: PLR0913 - the fields of a table record
    session: Session, run: RetentionRun, system: str, dataset: str, action: str, retention: str, now: datetime
) -> None:
    session.add(
        RetentionRunTable(
            run_id=run.id,
            system=system,
            dataset=dataset,
            action=action,
            retention=retention,
            cutoff=cutoff(now, retention),
            status="pending",
            items=[],
        )
    )


@dataclass
class _Context:
    session: Session
    run: RetentionRun
    bundle: PolicyBundle
    connectors: Mapping[str, Connector]
    holds: Holds
    batch: int
    report: Report | None


def execute_run(  # noqa: PLR0913 - the run, where it runs, and how it reports
    session: Session,
    settings: Settings,
    run_id: uuid.UUID,
    *,
    environ: Mapping[str, str] | None = None,
    batch: int = BATCH,
    report: Report | None = None,
) -> RetentionRun:
    """Sweep every table of the run not done yet, from its cursor; commit after every batch.

    Raises:
        NotFound: no such run.
    """
    run = session.get(RetentionRun, run_id)
    if run is None:
        raise NotFound("no such retention run")
    version = session.scalars(select(PolicyVersion).where(PolicyVersion.number == run.policy_version)).one()
    bundle = bundle_of(version)
    connectors = connectors_for(bundle.datamap, environ)
    holds = resolve_holds(session, bundle, cipher_from_settings(settings), connectors)
    ctx = _Context(session, run, bundle, connectors, holds, batch, report)
    tables = session.scalars(
        select(RetentionRunTable).where(
            RetentionRunTable.run_id == run.id, RetentionRunTable.status != "done"
        )
    ).all()
    for row in sorted(tables, key=lambda r: (r.system == MAMORI, r.system, r.dataset)):
        _sweep_table(ctx, row)
    _finish(ctx)
    return run


def _sweep_table(ctx: _Context, row: RetentionRunTable) -> None:
    counts = Counts(row.expired, row.changed, row.held, row.residual, row.cursor)

    def progress(now_counts: Counts) -> None:
        _save(row, now_counts)
        if not ctx.run.dry_run:
            ctx.session.commit()
        if ctx.report is not None:
            ctx.report(row)

    status, error = "done", None
    try:
        counts = _one_table(ctx, row, counts, progress)
    except ConnectorError as exc:
        status, error = "failed", str(exc)
    _save(row, counts)
    row.status, row.error = status, error
    ctx.session.flush()
    if not ctx.run.dry_run:
        ctx.session.commit()
    if ctx.report is not None:
        ctx.report(row)


def _one_table(
    ctx: _Context, row: RetentionRunTable, counts: Counts, progress: Callable[[Counts], None]
) -> Counts:
    if row.system == MAMORI:
        spec = own_table(row.dataset)
        if spec is None:
            return counts
        return sweep_own(
            ctx.session, spec, row.cutoff, counts, progress, dry_run=ctx.run.dry_run, batch=ctx.batch
        )
    if ctx.holds.failed:  # a held person's rows may be anywhere: sweep no mapped system blind
        failed = ", ".join(sorted(ctx.holds.failed))
        raise ConnectorError(f"legal holds could not be resolved (unreachable: {failed}); nothing swept")
    if (row.system, row.dataset) in ctx.holds.datasets:
        return _held_dataset(ctx, row, counts)
    return _sweep_mapped(ctx, row, counts, progress)


def _sweep_mapped(
    ctx: _Context,
    row: RetentionRunTable,
    counts: Counts,
    progress: Callable[[Counts], None],
    *,
    count_only: bool = False,
) -> Counts:
    connector = ctx.connectors.get(row.system)
    system = next((s for s in ctx.bundle.datamap if s.id == row.system), None)
    dataset = system.dataset(row.dataset) if system else None
    if connector is None or dataset is None:
        raise ConnectorError(f"{row.system}: {row.dataset} is no longer in the data map")
    job = Job(
        connector=connector,
        dataset=dataset,
        cutoff=row.cutoff,
        held=ctx.holds.held_keys(row.system, row.dataset),
        dry_run=ctx.run.dry_run or count_only,
        batch=ctx.batch,
    )
    return sweep_dataset(job, counts, progress)


def _held_dataset(ctx: _Context, row: RetentionRunTable, counts: Counts) -> Counts:
    """A dataset under a hold as a whole: count what has expired and keep all of it."""
    found = _sweep_mapped(ctx, row, Counts(), lambda _: None, count_only=True)
    counts.expired = counts.held = found.expired
    counts.items = found.items
    return counts


def _save(row: RetentionRunTable, counts: Counts) -> None:
    row.expired, row.changed, row.held, row.residual = (
        counts.expired,
        counts.changed,
        counts.held,
        counts.residual,
    )
    row.cursor = counts.cursor
    if counts.items:
        row.items = counts.items
    row.updated_at = utcnow()


def _finish(ctx: _Context) -> None:
    run = ctx.run
    rows = ctx.session.scalars(select(RetentionRunTable).where(RetentionRunTable.run_id == run.id)).all()
    run.expired = sum(r.expired for r in rows)
    run.changed = sum(r.changed for r in rows)
    run.held = sum(r.held for r in rows)
    run.residual = sum(r.residual for r in rows)
    failed = [r for r in rows if r.status == "failed"]
    run.status = "failed" if failed or run.residual else "done"
    run.error = "; ".join(f"{r.system}.{r.dataset}: {r.error}" for r in failed)[:2000] or (
        f"{run.residual} values left after the sweep" if run.residual else None
    )
    run.finished_at = utcnow()
    record_event(
        ctx.session,
        actor=run.created_by,
        action="retention.dry_run" if run.dry_run else "retention.swept",
        target_type="retention_run",
        target_id=str(run.id),
        details={
            "status": run.status,
            "policy_version": run.policy_version,
            "holds": ctx.holds.summary(),
            "tables": [_table_dict(r) for r in rows],
        },
    )
    ctx.session.flush()


def _table_dict(row: RetentionRunTable) -> dict[str, Any]:
    return {
        "system": row.system,
        "dataset": row.dataset,
        "action": row.action,
        "retention": row.retention,
        "cutoff": row.cutoff.isoformat(),
        "status": row.status,
        "expired": row.expired,
        "changed": row.changed,
        "held": row.held,
        "residual": row.residual,
        "items": list(row.items or []),
        "error": row.error,
    }


def run_dict(session: Session, run: RetentionRun) -> dict[str, Any]:
    rows = session.scalars(
        select(RetentionRunTable)
        .where(RetentionRunTable.run_id == run.id)
        .order_by(RetentionRunTable.system, RetentionRunTable.dataset)
    ).all()
    return {
        "id": str(run.id),
        "status": run.status,
        "dry_run": run.dry_run,
        "policy_version": run.policy_version,
        "now": run.now.isoformat(),
        "expired": run.expired,
        "changed": run.changed,
        "held": run.held,
        "residual": run.residual,
        "error": run.error,
        "created_by": run.created_by,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "tables": [_table_dict(r) for r in rows],
    }


def get_run(session: Session, run_id: uuid.UUID) -> RetentionRun:
    run = session.get(RetentionRun, run_id)
    if run is None:
        raise NotFound("no such retention run")
    return run


def list_runs(session: Session, *, limit: int = 50) -> list[RetentionRun]:
    return list(session.scalars(select(RetentionRun).order_by(RetentionRun.created_at.desc()).limit(limit)))


def unfinished_run(session: Session) -> RetentionRun | None:
    """The newest sweep (not a dry run) left running by a killed process, to be resumed."""
    stmt = (
        select(RetentionRun)
        .where(RetentionRun.status == "running", RetentionRun.dry_run.is_(False))
        .order_by(RetentionRun.created_at.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def enqueue_sweep(session: Session, run: RetentionRun) -> uuid.UUID:
    """Queue the run for the worker; the job executes it (and resumes it if a worker dies)."""
    from mamori.db.queue import enqueue

    return enqueue(session, kind=TASK_KIND, payload={"run_id": str(run.id)}, key=f"{TASK_KIND}:{run.id}")

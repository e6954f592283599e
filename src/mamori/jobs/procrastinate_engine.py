"""Scale-out through procrastinate on PostgreSQL.

Our ``jobs`` table stays the record of every job; procrastinate delivers them to workers on any
machine. ``mamori.db.queue.enqueue`` defers a procrastinate job through the SQL function
``procrastinate_defer_jobs_v1`` on the caller's connection, in the caller's transaction, so a job
is deferred exactly when its row commits. A procrastinate task ``mamori.run_job(job_id)`` claims the
row and runs it with the same :class:`~mamori.jobs.runner.Runner` as the embedded worker (effects
and ``done`` in one transaction). Jobs of a worker that stopped sending heartbeats are handed back
to procrastinate (``retry_job``) by every other worker's housekeeping loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from dataclasses import dataclass

import procrastinate
from procrastinate.schema import SchemaManager
from psycopg.conninfo import make_conninfo
from sqlalchemy import func, make_url, select, text
from sqlalchemy.orm import Session, sessionmaker

from mamori.db.base import utcnow
from mamori.db.queue import (
    PROCRASTINATE_QUEUE,
    PROCRASTINATE_TASK,
    EngineName,
    JobState,
    defer_to_procrastinate,
)
from mamori.db.queue_models import ENGINE_ROW_ID, Job, JobEngine
from mamori.db.session import unit_of_work
from mamori.errors import ValidationFailed
from mamori.jobs.builtin import with_builtin
from mamori.jobs.registry import Registry
from mamori.jobs.scheduler import PeriodicScheduler
from mamori.jobs.store import claim_one
from mamori.jobs.worker import Tally, WorkerConfig, default_name, runner_for

logger = logging.getLogger("mamori.jobs")


def conninfo_from_url(url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL (procrastinate's connector uses it)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise ValidationFailed(
            "procrastinate needs PostgreSQL",
            details={"errors": [{"field": "database_url", "message": "a postgresql:// URL"}]},
        )
    parts = {
        "host": parsed.host, "port": parsed.port, "user": parsed.username,
        "password": parsed.password, "dbname": parsed.database,
    }  # fmt: skip
    options = {key: value for key, value in parts.items() if value is not None}
    return make_conninfo("", **options, **{k: str(v) for k, v in parsed.query.items()})


def schema_installed(session: Session) -> bool:
    return session.scalar(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")) is True


def use_engine(session: Session, engine: EngineName) -> int:
    """Switch the database to ``engine`` in the caller's transaction; return how many jobs were handed over.

    For procrastinate: install its schema if missing and defer every job waiting now.

    Raises:
        ValidationFailed: procrastinate on a database that is not PostgreSQL.
    """
    dialect = session.get_bind().dialect.name
    if engine == EngineName.PROCRASTINATE and dialect != "postgresql":
        raise ValidationFailed(
            "procrastinate needs PostgreSQL",
            details={"errors": [{"field": "engine", "message": "embedded is the engine on SQLite"}]},
        )
    row = session.get(JobEngine, ENGINE_ROW_ID)
    previous = EngineName(row.engine) if row is not None else EngineName.EMBEDDED
    if row is None:
        row = JobEngine(id=ENGINE_ROW_ID, engine=engine, changed_at=utcnow())
        session.add(row)
    row.engine, row.changed_at = engine, utcnow()
    if engine != EngineName.PROCRASTINATE or previous == EngineName.PROCRASTINATE:
        return 0
    if not schema_installed(session):
        raw = session.connection().connection.driver_connection
        with raw.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(SchemaManager.get_schema())
    waiting = session.execute(
        select(Job.id, Job.run_after).where(Job.state.in_([JobState.PENDING, JobState.RUNNING]))
    ).all()
    for job_id, run_after in waiting:
        defer_to_procrastinate(session, job_id, run_after)
    return len(waiting)


@dataclass
class ProcrastinateWorker:
    """A procrastinate worker that runs Mamori's jobs, plus scheduling and stalled-job recovery."""

    database_url: str
    session_factory: sessionmaker[Session]
    registry: Registry
    config: WorkerConfig
    stalled_after: float = 30.0
    name: str = ""

    def __post_init__(self) -> None:
        self.registry = with_builtin(self.registry)
        self.name = self.name or default_name()
        self.tally = Tally()
        self.scheduler = PeriodicScheduler(self.registry.periodic)
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(conninfo=conninfo_from_url(self.database_url))
        )
        self.app.task(name=PROCRASTINATE_TASK, queue=PROCRASTINATE_QUEUE)(self._run_job)

    def _run_job(self, job_id: str) -> None:
        owner = f"{self.name}/{threading.get_ident()}"
        runner = runner_for(self.session_factory, self.registry, self.config, owner=owner)
        with unit_of_work(self.session_factory) as session:
            claimed = claim_one(session, uuid.UUID(job_id), owner=runner.owner, lease=runner.lease)
        if claimed is not None:
            self.tally.add(runner.run(claimed))

    def run(self, *, once: bool = False) -> Tally:
        """Run until stopped by a signal; with ``once``, until the queue has been caught up."""
        asyncio.run(self._main(once=once))
        return self.tally

    async def _main(self, *, once: bool) -> None:
        async with self.app.open_async():
            await self._housekeeping()
            loop = None if once else asyncio.create_task(self._housekeeping_loop())
            logger.info(
                "worker %s (procrastinate) started: concurrency %d", self.name, self.config.concurrency
            )
            try:
                await self.app.run_worker_async(
                    queues=[PROCRASTINATE_QUEUE],
                    name=self.name,
                    concurrency=self.config.concurrency,
                    wait=not once,
                    delete_jobs="successful",
                    update_heartbeat_interval=max(self.stalled_after / 3, 0.5),
                    stalled_worker_timeout=self.stalled_after,
                    fetch_job_polling_interval=self.config.poll_seconds,
                )
            finally:
                if loop is not None:
                    loop.cancel()
            logger.info("worker %s stopped: %s", self.name, self.tally.line())

    async def _housekeeping_loop(self) -> None:
        while True:
            await asyncio.sleep(max(self.stalled_after / 3, 0.5))
            try:
                await self._housekeeping()
            except Exception:  # the next round tries again; a worker must not die of this
                logger.exception("housekeeping round failed")

    async def _housekeeping(self) -> None:
        await asyncio.to_thread(self.scheduler.tick, self.session_factory)
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(
            queue=PROCRASTINATE_QUEUE,
            task_name=PROCRASTINATE_TASK,
            seconds_since_heartbeat=self.stalled_after,
        )
        for job in stalled:
            logger.warning("procrastinate job %s of a stalled worker handed back", job.id)
            await manager.retry_job(job)


def procrastinate_backlog(session: Session) -> int:
    """Procrastinate jobs waiting in Mamori's queue (for status output)."""
    if not schema_installed(session):
        return 0
    return int(
        session.scalar(
            select(func.count())
            .select_from(text("procrastinate_jobs"))
            .where(text("queue_name = :q AND status = 'todo'"))
            .params(q=PROCRASTINATE_QUEUE)
        )
        or 0
    )

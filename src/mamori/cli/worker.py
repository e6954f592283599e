"""`mamori worker …`: run and inspect the durable background queue."""

from __future__ import annotations

import logging
import signal
import threading
import uuid
from datetime import timedelta
from enum import StrEnum

import typer
from sqlalchemy import make_url

from mamori.cli.common import cli_actor, session_scope
from mamori.cli.guard import require_real_keys
from mamori.cli.main import DEV_KEYS_HELP
from mamori.config import get_settings
from mamori.db.queue import EngineName, engine_of
from mamori.db.session import make_engine, make_session_factory
from mamori.jobs import service
from mamori.jobs.registry import load_registry
from mamori.jobs.worker import Tally, Worker, WorkerConfig, default_concurrency

app = typer.Typer(help="Run and inspect the durable background queue.", no_args_is_help=True)


class EngineChoice(StrEnum):
    EMBEDDED = "embedded"
    PROCRASTINATE = "procrastinate"


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command("run")
def run_cmd(  # noqa: PLR0913 - a worker has this many knobs
    once: bool = typer.Option(False, "--once", help="Run every job due now, then exit."),
    concurrency: int = typer.Option(
        None, min=1, max=64, help="Jobs run at the same time (threads); default: sized to the machine."
    ),
    engine: EngineChoice = typer.Option(
        None, help="embedded (the jobs table) or procrastinate (PostgreSQL); default: the database's choice."
    ),
    lease: float = typer.Option(60.0, min=0.5, help="Seconds a claimed job stays with this worker."),
    poll: float = typer.Option(1.0, min=0.01, help="Seconds between looks at the queue when idle."),
    retry_base: float = typer.Option(5.0, min=0, help="Seconds before the first retry; doubles each time."),
    stalled_after: float = typer.Option(
        30.0, min=1, help="procrastinate: seconds without a heartbeat before a worker's jobs go back."
    ),
    tasks: list[str] = typer.Option([], "--tasks", help="Also load TASKS from this module (repeatable)."),
    dev_keys: bool = typer.Option(False, "--dev-keys", help=DEV_KEYS_HELP),
) -> None:
    """Run background jobs: claim, run, retry with backoff, schedule periodic work.

    Log lines name job ids and kinds only, never personal data. Stop with Ctrl+C or SIGTERM: the
    current job finishes first. Refuses the public development keys unless --dev-keys or
    MAMORI_ALLOW_DEV_KEYS=true. Example: mamori worker run --concurrency 4.
    """
    settings = get_settings()
    require_real_keys(settings, dev_keys=dev_keys, what="worker run")
    _configure_logging()
    with session_scope(settings) as session:
        chosen = EngineName(engine.value) if engine is not None else engine_of(session)
    dialect = make_url(settings.database_url).get_backend_name()
    concurrency = concurrency or default_concurrency(dialect)
    db_engine = make_engine(settings.database_url, pool_size=concurrency + 2)
    factory = make_session_factory(db_engine)
    registry = load_registry(extra=tasks)
    config = WorkerConfig(
        concurrency=concurrency,
        lease=timedelta(seconds=lease),
        poll_seconds=poll,
        retry_base=timedelta(seconds=retry_base),
    )
    try:
        if chosen == EngineName.PROCRASTINATE:
            from mamori.jobs.procrastinate_engine import ProcrastinateWorker

            tally = ProcrastinateWorker(
                settings.database_url, factory, registry, config, stalled_after=stalled_after
            ).run(once=once)
        else:
            listen = settings.database_url if dialect == "postgresql" else None
            tally = _run_embedded(Worker(factory, registry, config), once=once, listen_url=listen)
    finally:
        db_engine.dispose()
    typer.echo(f"worker finished: {tally.line()}")


def _run_embedded(worker: Worker, *, once: bool, listen_url: str | None) -> Tally:
    if once:
        return worker.run_once()
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    worker.start(listen_url=listen_url)  # PostgreSQL: woken by NOTIFY when a job is queued
    while not stopping.wait(1.0):
        pass
    worker.stop()
    return worker.tally


@app.command("status")
def status_cmd() -> None:
    """Jobs per kind and state, and the engine that runs them.

    Example: mamori worker status.
    """
    with session_scope() as session:
        typer.echo(f"engine: {engine_of(session).value}")
        rows = service.counts(session)
    if not rows:
        typer.echo("no jobs")
    for row in rows:
        typer.echo(f"{row.kind:<40} {row.state:<8} {row.count:>8}")


@app.command("list")
def list_cmd(
    state: str = typer.Option(None, help="pending, running, done or dead."),
    kind: str = typer.Option(None, help="Only this kind, e.g. notify.deliver."),
    limit: int = typer.Option(50, min=1, max=500),
) -> None:
    """Jobs, newest first, with attempts and the last error.

    Example: mamori worker list --state dead.
    """
    with session_scope() as session:
        for job in service.list_jobs(session, state=state, kind=kind, limit=limit):
            error = f"  {job.last_error}" if job.last_error else ""
            typer.echo(
                f"{job.id}  {job.kind:<32} {job.state:<8} {job.attempts}/{job.max_attempts}"
                f"  {job.created_at:%Y-%m-%d %H:%M:%S}{error}"
            )


@app.command("retry")
def retry_cmd(job_id: uuid.UUID = typer.Argument(..., help="The dead job's id.")) -> None:
    """Give a dead job a fresh set of attempts (recorded in the audit log).

    Example: mamori worker retry 4f6c…
    """
    with session_scope() as session:
        job = service.retry_job(session, actor=cli_actor(), job_id=job_id)
        typer.echo(f"{job.id} {job.kind}: queued again")


@app.command("engine")
def engine_cmd(
    choice: EngineChoice = typer.Argument(None, help="Switch to this engine; omit to show the current one."),
) -> None:
    """Show or switch the engine that runs committed jobs (kept in the database for every process).

    Switching to procrastinate (PostgreSQL only) installs its schema if missing and hands over the
    jobs waiting now. Example: mamori worker engine procrastinate.
    """
    with session_scope() as session:
        if choice is None:
            typer.echo(engine_of(session).value)
            return
        from mamori.jobs.procrastinate_engine import use_engine

        moved = use_engine(session, EngineName(choice.value))
    typer.echo(f"engine: {choice.value} ({moved} waiting job(s) handed over)")

"""The embedded default: the worker runs as threads inside the server process."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mamori.db.queue import EngineName, engine_of
from mamori.db.session import unit_of_work
from mamori.jobs.registry import load_registry
from mamori.jobs.worker import Worker, WorkerConfig, default_concurrency

logger = logging.getLogger("mamori.jobs")


def embedded_config(dialect: str, concurrency: int = 0) -> WorkerConfig:
    """The embedded worker's settings: ``concurrency`` threads, or as many as suit the machine (0)."""
    return WorkerConfig(concurrency=concurrency or default_concurrency(dialect))


def start_embedded(
    session_factory: sessionmaker[Session], config: WorkerConfig | None = None
) -> Worker | None:
    """Start the in-process worker unless the database hands its jobs to another engine.

    Jobs queued by this process wake it at once (an in-process signal after commit).
    """
    try:
        with unit_of_work(session_factory) as session:
            engine = engine_of(session)
    except SQLAlchemyError as exc:
        logger.warning("no embedded worker: the job table cannot be read (%s)", type(exc).__name__)
        return None
    if engine != EngineName.EMBEDDED:
        logger.info("no embedded worker: jobs run on %s workers ('mamori worker run')", engine.value)
        return None
    worker = Worker(session_factory, load_registry(), config)
    worker.start()
    return worker

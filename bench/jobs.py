"""Durable job queue throughput on SQLite and PostgreSQL: enqueue and process, against baselines.

Run:  .venv/bin/python bench/jobs.py [--jobs 2000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432]
Baselines measured in the same run, on the same database:
- enqueue: a bare one-row INSERT per transaction (the cost of a commit, nothing of the queue);
- process: the same handler called directly, one transaction per call (no claim, no lease).
PostgreSQL also runs the procrastinate path (deferral in the caller's transaction, procrastinate
workers). Use --pg '' to skip PostgreSQL (a temporary database is created and dropped).
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, text
from sqlalchemy.orm import Session, sessionmaker

from mamori.db.migrate import upgrade
from mamori.db.queue import EngineName, enqueue
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.jobs.procrastinate_engine import ProcrastinateWorker, use_engine
from mamori.jobs.registry import Registry
from mamori.jobs.worker import Worker, WorkerConfig

rows = Table("bench_rows", MetaData(), Column("id", Integer, primary_key=True), Column("tag", String(40)))


def touch(session: Session, payload: dict[str, Any]) -> None:
    session.execute(insert(rows).values(tag=str(payload["n"])))


REGISTRY = Registry(tasks={"bench.touch": touch})


def rate(count: int, work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


def _rows(factory: sessionmaker[Session]) -> int:
    with unit_of_work(factory) as session:
        return int(session.execute(text("SELECT count(*) FROM bench_rows")).scalar_one())


def _require_rows(added: int, count: int, what: str) -> None:
    """Each timed phase must have done its work: every call or job ran once (rows written, jobs queued)."""
    if added != count:
        raise SystemExit(f"{what}: {count} expected, {added} written")


def _jobs(factory: sessionmaker[Session], state: str) -> int:
    with unit_of_work(factory) as session:
        return int(
            session.execute(text("SELECT count(*) FROM jobs WHERE state = :s"), {"s": state}).scalar_one()
        )


def enqueue_each(factory: sessionmaker[Session], count: int) -> None:
    for n in range(count):
        with unit_of_work(factory) as session:
            enqueue(session, kind="bench.touch", payload={"n": n})


def enqueue_batched(factory: sessionmaker[Session], count: int, batch: int = 500) -> None:
    for start in range(0, count, batch):
        with unit_of_work(factory) as session:
            for n in range(start, min(start + batch, count)):
                enqueue(session, kind="bench.touch", payload={"n": n})


def bare_inserts(factory: sessionmaker[Session], count: int) -> None:
    for n in range(count):
        with unit_of_work(factory) as session:
            session.execute(insert(rows).values(tag=str(n)))


def direct_calls(factory: sessionmaker[Session], count: int) -> None:
    for n in range(count):
        with unit_of_work(factory) as session:
            touch(session, {"n": n})


def measure(name: str, url: str, count: int) -> list[str]:
    engine = make_engine(url, pool_size=8)
    rows.metadata.create_all(engine)
    factory = make_session_factory(engine)
    lines = []
    rows_before = _rows(factory)
    base_enqueue = rate(count, lambda: bare_inserts(factory, count))
    _require_rows(_rows(factory) - rows_before, count, "bare inserts")
    each = rate(count, lambda: enqueue_each(factory, count))
    _require_rows(_jobs(factory, "pending"), count, "jobs queued")
    rows_before = _rows(factory)
    base_process = rate(count, lambda: direct_calls(factory, count))
    _require_rows(_rows(factory) - rows_before, count, "direct calls")
    for concurrency in (1, 2):
        worker = Worker(factory, REGISTRY, WorkerConfig(concurrency=concurrency, retry_base=timedelta(0)))
        rows_before = _rows(factory)
        processed = rate(count, worker.run_once)
        _require_rows(_rows(factory) - rows_before, count, f"jobs run by the worker x{concurrency}")
        _require_rows(_jobs(factory, "pending"), 0, "jobs left pending")
        lines.append(
            f"{name:<10} process, embedded worker x{concurrency}:  {processed:>8,.0f} jobs/s"
            f"  ({processed / base_process:.2f}x direct calls)"
        )
        enqueue_batched(factory, count)
    lines.insert(0, f"{name:<10} baseline: bare insert + commit:   {base_enqueue:>8,.0f} rows/s")
    lines.insert(
        1, f"{name:<10} enqueue, one per transaction:     {each:>8,.0f} jobs/s  ({each / base_enqueue:.2f}x)"
    )
    lines.insert(2, f"{name:<10} baseline: handler called directly: {base_process:>8,.0f} calls/s")
    if url.startswith("postgresql"):
        lines += procrastinate_path(name, url, factory, count, base_enqueue, base_process)
    engine.dispose()
    return lines


def procrastinate_path(  # noqa: PLR0913 - the figures it is compared with
    name: str, url: str, factory: sessionmaker[Session], count: int, base_enqueue: float, base_process: float
) -> list[str]:
    with unit_of_work(factory) as session:
        session.execute(text("DELETE FROM jobs"))
        use_engine(session, EngineName.PROCRASTINATE)
    deferred = rate(count, lambda: enqueue_each(factory, count))
    ratio = deferred / base_enqueue
    lines = [f"{name:<10} enqueue + procrastinate defer:    {deferred:>8,.0f} jobs/s  ({ratio:.2f}x)"]
    for concurrency in (1, 2):
        config = WorkerConfig(concurrency=concurrency, retry_base=timedelta(0), poll_seconds=0.05)
        worker = ProcrastinateWorker(url, factory, REGISTRY, config)
        rows_before = _rows(factory)
        processed = rate(count, lambda w=worker: w.run(once=True))
        _require_rows(_rows(factory) - rows_before, count, f"jobs run by procrastinate x{concurrency}")
        lines.append(
            f"{name:<10} process, procrastinate x{concurrency}:      {processed:>8,.0f} jobs/s"
            f"  ({processed / base_process:.2f}x direct calls)"
        )
        enqueue_batched(factory, count)
    return lines


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    name = f"mamori_bench_jobs_{uuid.uuid4().hex[:8]}"
    admin = make_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        lines += measure("SQLite", url, args.jobs)
    if args.pg:
        with postgres_database(args.pg) as url:
            upgrade(url)
            lines += measure("PostgreSQL", url, args.jobs)
    print(f"{args.jobs:,} jobs each")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Handlers for queue tests; ``--tasks tests.factories.jobs`` loads them into a worker process too.

Each handler writes one row to ``job_effects`` in the job's transaction, so counting rows counts the
effects that were committed.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session

effects_metadata = MetaData()
job_effects = Table(
    "job_effects",
    effects_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tag", String(200), nullable=False),
)
failures: Counter[str] = Counter()  # failed attempts per tag, in this process


def create_effects_table(engine: Engine) -> None:
    effects_metadata.create_all(engine)


def effect_count(engine: Engine, tag: str | None = None) -> int:
    query = select(func.count()).select_from(job_effects)
    if tag is not None:
        query = query.where(job_effects.c.tag == tag)
    with engine.connect() as conn:
        return int(conn.scalar(query) or 0)


def _write(session: Session, payload: dict[str, Any]) -> None:
    session.execute(insert(job_effects).values(tag=str(payload["tag"])))


def count(session: Session, payload: dict[str, Any]) -> None:
    _write(session, payload)


def fail(session: Session, payload: dict[str, Any]) -> None:
    _write(session, payload)
    msg = "could not reach yamada.hanako@example.jp"  # personal data that must not reach the job row
    raise ValueError(msg)


def flaky(session: Session, payload: dict[str, Any]) -> None:
    """Fail ``fail_times`` times (in this process), then succeed."""
    _write(session, payload)
    tag = str(payload["tag"])
    if failures[tag] < int(payload["fail_times"]):
        failures[tag] += 1
        raise ConnectionError(tag)


def slow(session: Session, payload: dict[str, Any]) -> None:
    """Write the effect, say so in ``started``, then hold while ``block`` exists (at most 120 s)."""
    _write(session, payload)
    session.flush()
    started, block = Path(payload["started"]), Path(payload["block"])
    started.write_text("started")
    deadline = time.monotonic() + 120
    while block.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


TASKS = {"testing.count": count, "testing.fail": fail, "testing.flaky": flaky, "testing.slow": slow}

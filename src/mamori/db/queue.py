"""Enqueue durable background work inside the caller's transaction.

``enqueue`` writes a ``jobs`` row in the caller's unit of work: the job exists once that
transaction commits and never if it rolls back, so accepted work cannot be lost or phantom. A
``key`` makes it idempotent (the same key returns the job already queued). When the database's
engine is procrastinate (PostgreSQL), the job is also deferred to procrastinate through its SQL
function on the same connection, in the same transaction.

Rooms import only this module; the ``mamori.jobs`` package runs the work.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mamori.db.base import utcnow
from mamori.db.queue_models import ENGINE_ROW_ID, Job, JobEngine
from mamori.db.session import after_commit
from mamori.db.signals import JOBS
from mamori.errors import ValidationFailed

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
MAX_KIND = 120
MAX_KEY = 200
MAX_PAYLOAD = 4000  # characters of JSON: ids and small options, never documents
PROCRASTINATE_QUEUE = "mamori"
PROCRASTINATE_TASK = "mamori.run_job"
_DEFER_SQL = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL,"
    " CAST(:args AS jsonb), :scheduled_at)::procrastinate_job_to_defer_v1])"
)

_listeners: list[Callable[[], None]] = []


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"


class EngineName(StrEnum):
    EMBEDDED = "embedded"
    PROCRASTINATE = "procrastinate"


def enqueue(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    key: str | None = None,
    run_after: datetime | None = None,
) -> uuid.UUID:
    """Queue ``kind`` with ``payload`` in the caller's transaction; return the job's id.

    Raises:
        ValidationFailed: the kind, key, payload or run_after cannot be used (nothing is written).
    """
    encoded = _check(kind=kind, payload=payload, key=key, run_after=run_after)
    when = run_after or utcnow()
    job_id = uuid.uuid4()
    values = {
        "id": job_id, "kind": kind, "payload": json.loads(encoded), "key": key,
        "state": JobState.PENDING, "attempts": 0, "max_attempts": 5, "run_after": when,
        "created_at": utcnow(),
    }  # fmt: skip
    engine = _insert_job(session, values, key)
    if isinstance(engine, uuid.UUID):
        return engine  # a job with this key exists
    if engine == EngineName.PROCRASTINATE:
        defer_to_procrastinate(session, job_id, when)
    if _listeners:
        after_commit(session, _wake_listeners)
    return job_id


def add_enqueue_listener(callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` after a unit of work that enqueued a job commits (in-process workers wake up).

    Returns the function that removes it.
    """
    _listeners.append(callback)
    return lambda: _listeners.remove(callback)


def _wake_listeners() -> None:
    for callback in _listeners:
        callback()


def engine_of(session: Session) -> EngineName:
    """The executor this database hands committed jobs to (embedded unless set otherwise)."""
    if session.get_bind().dialect.name != "postgresql":
        return EngineName.EMBEDDED
    row = session.get(JobEngine, ENGINE_ROW_ID)
    return EngineName(row.engine) if row is not None else EngineName.EMBEDDED


def defer_to_procrastinate(session: Session, job_id: uuid.UUID, when: datetime) -> None:
    """Defer ``job_id`` to procrastinate on the caller's connection (same transaction)."""
    session.execute(
        _DEFER_SQL,
        {
            "queue": PROCRASTINATE_QUEUE,
            "task": PROCRASTINATE_TASK,
            "args": json.dumps({"job_id": str(job_id)}),
            "scheduled_at": when,
        },
    )


@functools.cache
def _insert_statement(dialect: str, *, keyed: bool) -> Any:
    """The job insert, built once per database kind: on PostgreSQL it reads the engine too."""
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = builder(Job)
    if keyed:
        statement = statement.on_conflict_do_nothing(index_elements=["key"])
    if dialect != "postgresql":
        return statement.returning(Job.id)
    engine = select(JobEngine.engine).where(JobEngine.id == ENGINE_ROW_ID).scalar_subquery()
    # NOTIFY at commit wakes workers in other processes (mamori.db.signals), in the same round trip.
    return statement.returning(Job.id, engine, func.pg_notify(JOBS, literal("")))


def _insert_job(session: Session, values: dict[str, Any], key: str | None) -> EngineName | uuid.UUID:
    """Insert the job; the engine it goes to, or the id of the job already queued under ``key``.

    On PostgreSQL the engine is read, and the workers notified, by the insert itself (one round trip).
    """
    dialect = session.get_bind().dialect.name
    statement = _insert_statement(dialect, keyed=key is not None)
    row = session.connection().execute(statement, values).first()  # Core: no ORM bulk machinery
    if row is None:
        return _queued(session, key)
    if dialect != "postgresql" or row[1] is None:
        return EngineName.EMBEDDED
    return EngineName(row[1])


def _queued(session: Session, key: str | None) -> uuid.UUID:
    """The job a concurrent or earlier enqueue committed under ``key``."""
    return session.scalars(select(Job.id).where(Job.key == key)).one()


def _check(*, kind: str, payload: dict[str, Any], key: str | None, run_after: datetime | None) -> str:
    problems: list[str] = []
    if len(kind) > MAX_KIND or not KIND_PATTERN.match(kind):
        problems.append("kind: a dotted lower-case name such as 'room.task'")
    if key is not None and (not key.strip() or len(key) > MAX_KEY):
        problems.append(f"key: 1 to {MAX_KEY} characters")
    if run_after is not None and run_after.tzinfo is None:
        problems.append("run_after: an aware instant (with a time zone)")
    encoded = ""
    try:
        encoded = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        problems.append("payload: JSON values only (ids, numbers, short strings)")
    if not isinstance(payload, dict):
        problems.append("payload: an object")
    elif len(encoded) > MAX_PAYLOAD:
        problems.append(f"payload: at most {MAX_PAYLOAD} characters of JSON (ids, not documents)")
    if problems:
        raise ValidationFailed("the job cannot be queued", details={"errors": problems})
    return encoded

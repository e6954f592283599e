"""Waiting a short while for a run to finish, for a caller that asked to (``Prefer: wait=N``).

A finished run is signalled when its outcome commits (:mod:`mamori.db.signals`: in-process, and
``NOTIFY`` on PostgreSQL for workers in other processes); the waiter also reads the run's state
every :data:`LOOK_AGAIN` seconds, so a signal that never comes (SQLite with a separate worker)
costs time, never the answer.
"""

from __future__ import annotations

import threading
import time
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.db import signals
from mamori.db.session import unit_of_work
from mamori.fulfillment.models import FulfillmentRun

FINISHED = frozenset({"completed", "failed"})
LOOK_AGAIN = 0.25


def wait_for_run(session_factory: sessionmaker[Session], run_id: uuid.UUID, seconds: float) -> bool:
    """Whether the run has finished (completed or failed) within ``seconds``."""
    key = str(run_id)
    woken = threading.Event()

    def on_signal(payload: str) -> None:
        if payload in {"", key}:  # "": a listener reconnected and may have missed it
            woken.set()

    remove = signals.subscribe(signals.RUNS, on_signal)
    deadline = time.monotonic() + seconds
    try:
        while not _finished(session_factory, run_id):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            woken.wait(min(left, LOOK_AGAIN))
            woken.clear()  # the state is read next, after any signal that came before this
        return True
    finally:
        remove()


def _finished(session_factory: sessionmaker[Session], run_id: uuid.UUID) -> bool:
    with unit_of_work(session_factory) as session:
        status = session.scalar(select(FulfillmentRun.status).where(FulfillmentRun.id == run_id))
    return status in FINISHED

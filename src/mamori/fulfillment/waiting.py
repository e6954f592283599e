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
from typing import Self

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.db import signals
from mamori.db.session import unit_of_work
from mamori.fulfillment.models import FulfillmentRun

FINISHED = frozenset({"completed", "failed"})
LOOK_AGAIN = 0.25


class RunWaiter:
    """Listens for one run's end; made before the run is committed, so no signal can be missed."""

    def __init__(self, run_id: uuid.UUID) -> None:
        self.run_id = run_id
        self._key = str(run_id)
        self._woken = threading.Event()
        self._ended = threading.Event()  # this run's own signal: sent after its outcome committed
        self._remove = signals.subscribe(signals.RUNS, self._on_signal)

    def _on_signal(self, payload: str) -> None:
        if payload == self._key:
            self._ended.set()
        if payload in {"", self._key}:  # "": a listener reconnected and may have missed it
            self._woken.set()

    def wait(self, session_factory: sessionmaker[Session], seconds: float) -> bool:
        """Whether the run has finished (completed or failed) within ``seconds``.

        The run's own signal is sent only once its outcome has committed, so it answers without a
        read; otherwise the state is read when a signal comes and every :data:`LOOK_AGAIN` seconds,
        and once more at the end.
        """
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            self._woken.wait(max(0.0, min(left, LOOK_AGAIN)))
            self._woken.clear()  # the state is read next, after any signal that came before this
            if self._ended.is_set() or _finished(session_factory, self.run_id):
                return True
            if left <= 0:
                return False

    def close(self) -> None:
        self._remove()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _finished(session_factory: sessionmaker[Session], run_id: uuid.UUID) -> bool:
    with unit_of_work(session_factory) as session:
        status = session.scalar(select(FulfillmentRun.status).where(FulfillmentRun.id == run_id))
    return status in FINISHED

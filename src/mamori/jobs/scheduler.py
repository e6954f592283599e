"""Periodic jobs: each interval's run is one job keyed ``kind@slot``.

Any number of workers scheduling the same slot at the same time create it once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from mamori.db.base import utcnow
from mamori.db.queue import enqueue
from mamori.db.session import unit_of_work
from mamori.jobs.rules import slot_key


class PeriodicScheduler:
    def __init__(self, periodic: Mapping[str, timedelta]) -> None:
        self.periodic = dict(periodic)
        self._scheduled: dict[str, str] = {}

    def due_keys(self, now: datetime) -> dict[str, str]:
        """The kinds whose current slot this scheduler has not queued yet, with the slot's key."""
        keys = {kind: slot_key(kind, now, interval) for kind, interval in self.periodic.items()}
        return {kind: key for kind, key in keys.items() if self._scheduled.get(kind) != key}

    def tick(self, session_factory: sessionmaker[Session], now: datetime | None = None) -> int:
        """Queue the current slot of each periodic kind not queued yet; return how many keys were new."""
        due = self.due_keys(now or utcnow())
        if not due:
            return 0
        with unit_of_work(session_factory) as session:
            for kind, key in due.items():
                enqueue(session, kind=kind, payload={}, key=key)
        self._scheduled.update(due)
        return len(due)

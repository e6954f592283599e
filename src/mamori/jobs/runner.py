"""Run one claimed job: the handler's effects and ``done`` commit together, or the attempt is recorded."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from mamori.db.queue import EngineName, JobState, defer_to_procrastinate, engine_of
from mamori.db.session import unit_of_work
from mamori.jobs.registry import Registry
from mamori.jobs.rules import error_text
from mamori.jobs.store import Claimed, claim_due, mark_done, mark_failed, still_owned

logger = logging.getLogger("mamori.jobs")


class Outcome(StrEnum):
    DONE = "done"
    RETRY = "retry"
    DEAD = "dead"
    LOST = "lost"  # the lease passed to another worker; nothing of this attempt was kept


class UnknownKindError(Exception):
    """No room declares a handler for the job's kind (in this process)."""


@dataclass(frozen=True)
class Runner:
    """What running a job needs; one per worker thread (``owner`` names the lease holder)."""

    session_factory: sessionmaker[Session]
    registry: Registry
    owner: str
    lease: timedelta = timedelta(seconds=60)
    retry_base: timedelta = timedelta(seconds=5)

    def claim(self, limit: int = 1) -> list[Claimed]:
        with unit_of_work(self.session_factory) as session:
            return claim_due(session, owner=self.owner, lease=self.lease, limit=limit)

    def run(self, claimed: Claimed) -> Outcome:
        """Run the handler in this worker's unit of work and commit ``done`` with its effects."""
        started = time.perf_counter()
        try:
            outcome = self._apply(claimed)
        except Exception as exc:  # noqa: BLE001 - any failure of a handler is one failed attempt
            outcome = self._record_failure(claimed, exc)
        else:
            if outcome is Outcome.DONE:
                logger.info(
                    "job %s %s attempt %d: done in %.3fs",
                    claimed.id, claimed.kind, claimed.attempt, time.perf_counter() - started,
                )  # fmt: skip
        return outcome

    def _apply(self, claimed: Claimed) -> Outcome:
        handler = self.registry.handler(claimed.kind)
        with unit_of_work(self.session_factory) as session:
            if not still_owned(session, claimed.id, owner=self.owner):
                logger.warning("job %s %s: lease lost; another worker has it", claimed.id, claimed.kind)
                return Outcome.LOST
            if handler is None:
                raise UnknownKindError(f"no handler for kind {claimed.kind!r} in this worker")
            handler(session, dict(claimed.payload))
            mark_done(session, claimed.id)
        return Outcome.DONE

    def _record_failure(self, claimed: Claimed, exc: Exception) -> Outcome:
        error = error_text(exc)
        with unit_of_work(self.session_factory) as session:
            job = mark_failed(session, claimed.id, owner=self.owner, error=error, retry_base=self.retry_base)
            if job is None:
                return Outcome.LOST
            if job.state == JobState.PENDING and engine_of(session) == EngineName.PROCRASTINATE:
                defer_to_procrastinate(session, job.id, job.run_after)
            state, run_after = job.state, job.run_after
        if state == JobState.DEAD:
            logger.error("job %s %s attempt %d: dead: %s", claimed.id, claimed.kind, claimed.attempt, error)
            return Outcome.DEAD
        logger.warning(
            "job %s %s attempt %d failed (%s); next try at %s",
            claimed.id, claimed.kind, claimed.attempt, error, run_after.isoformat(timespec="seconds"),
        )  # fmt: skip
        return Outcome.RETRY

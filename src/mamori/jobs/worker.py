"""The worker: threads that claim due jobs and run them, plus the periodic scheduler.

The same worker runs inside the server process (embedded default) and as ``mamori worker run``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mamori.db import signals
from mamori.db.queue import add_enqueue_listener
from mamori.jobs.builtin import with_builtin
from mamori.jobs.registry import Registry
from mamori.jobs.runner import Outcome, Runner
from mamori.jobs.scheduler import PeriodicScheduler

logger = logging.getLogger("mamori.jobs")


@dataclass(frozen=True)
class WorkerConfig:
    concurrency: int = 1
    lease: timedelta = timedelta(seconds=60)
    poll_seconds: float = 1.0
    retry_base: timedelta = timedelta(seconds=5)


def default_concurrency(dialect: str) -> int:
    """Threads sized to the machine: jobs mostly wait on databases, so a few per core.

    SQLite takes one writer at a time; two threads keep one job's reads beside another's commit.
    """
    if dialect == "sqlite":
        return 2
    return max(2, min(16, 4 * (os.cpu_count() or 1)))


class Wakeup:
    """Wake-ups for idle threads, at most one per thread held back (a busy thread looks again anyway)."""

    def __init__(self, cap: int) -> None:
        self._cond = threading.Condition()
        self._count = 0
        self._cap = max(cap, 1)

    def set(self) -> None:
        with self._cond:
            if self._count < self._cap:
                self._count += 1
                self._cond.notify()

    def set_all(self) -> None:
        with self._cond:
            self._count = self._cap
            self._cond.notify_all()

    def wait(self, timeout: float) -> bool:
        """Sleep until woken or ``timeout``; whether a wake-up was taken."""
        with self._cond:
            if not self._count:
                self._cond.wait(timeout)
            if self._count:
                self._count -= 1
                return True
            return False


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def runner_for(
    session_factory: sessionmaker[Session], registry: Registry, config: WorkerConfig, *, owner: str
) -> Runner:
    return Runner(session_factory, registry, owner=owner, lease=config.lease, retry_base=config.retry_base)


@dataclass
class Tally:
    """Outcomes counted across the worker's threads."""

    counts: Counter[Outcome] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, outcome: Outcome) -> None:
        with self._lock:
            self.counts[outcome] += 1

    def line(self) -> str:
        with self._lock:
            return ", ".join(f"{self.counts[o]} {o.value}" for o in Outcome)


class Worker:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        registry: Registry,
        config: WorkerConfig | None = None,
        *,
        name: str | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.registry = with_builtin(registry)
        self.config = config or WorkerConfig()
        self.name = name or default_name()
        self.tally = Tally()
        self.scheduler = PeriodicScheduler(self.registry.periodic)
        self._stop = threading.Event()
        self._wake = Wakeup(self.config.concurrency)
        self._threads: list[threading.Thread] = []
        self._remove_listener: list[object] = []
        self._listener: signals.Listener | None = None

    def runner(self, index: int) -> Runner:
        return runner_for(self.session_factory, self.registry, self.config, owner=f"{self.name}/{index}")

    def run_once(self) -> Tally:
        """Schedule what is due, run every due job, and return when none is left."""
        self.scheduler.tick(self.session_factory)
        threads = [
            threading.Thread(target=self._drain, args=(i,), name=f"mamori-worker-{i}")
            for i in range(self.config.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self.tally

    def start(self, *, listen_url: str | None = None) -> None:
        """Start the worker threads in the background (the server's embedded worker uses this).

        Jobs queued in this process wake an idle thread at once; with ``listen_url`` (PostgreSQL)
        so do jobs queued by other processes (``NOTIFY``); otherwise they wait for the next poll.
        """
        self._stop.clear()
        self._remove_listener.append(add_enqueue_listener(self._wake.set))
        if listen_url is not None:
            self._remove_listener.append(signals.subscribe(signals.JOBS, lambda _: self._wake.set()))
            self._listener = signals.Listener(listen_url, [signals.JOBS]).start()
        self._threads = [
            threading.Thread(target=self._loop, args=(i,), name=f"mamori-worker-{i}", daemon=True)
            for i in range(self.config.concurrency)
        ]
        for thread in self._threads:
            thread.start()
        logger.info("worker %s started: %d thread(s)", self.name, self.config.concurrency)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the threads to finish their current job and wait for them."""
        self._stop.set()
        self._wake.set_all()
        for remove in self._remove_listener:
            remove()  # type: ignore[operator]
        self._remove_listener.clear()
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        for thread in self._threads:
            thread.join(timeout)
        logger.info("worker %s stopped: %s", self.name, self.tally.line())

    def wait(self) -> None:
        """Block until the threads end (after :meth:`stop`, from a signal handler)."""
        while any(thread.is_alive() for thread in self._threads):
            for thread in self._threads:
                thread.join(0.5)

    def _drain(self, index: int) -> None:
        runner = self.runner(index)
        while self._step(runner):
            pass

    def _loop(self, index: int) -> None:
        runner = self.runner(index)
        while not self._stop.is_set():
            if index == 0:
                self._tick()
            if self._step(runner):
                continue
            self._wake.wait(self.config.poll_seconds)

    def _tick(self) -> None:
        try:
            self.scheduler.tick(self.session_factory)
        except SQLAlchemyError as exc:
            logger.warning("periodic scheduling skipped this round: %s", type(exc).__name__)

    def _step(self, runner: Runner) -> bool:
        """Claim and run one job; False when none is due (or the database cannot be reached)."""
        try:
            claimed = runner.claim()
        except SQLAlchemyError as exc:
            logger.warning("claiming jobs failed (%s); trying again", type(exc).__name__)
            return False
        for job in claimed:
            self.tally.add(runner.run(job))
        return bool(claimed)

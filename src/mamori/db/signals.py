"""Wake-ups between threads and processes: a job was queued, a fulfillment run finished.

:func:`announce` tells, once the caller's transaction commits, the callbacks subscribed in this
process (after commit) and, on PostgreSQL, every process that LISTENs (``NOTIFY`` is delivered at
commit, never for a rolled-back transaction). A :class:`Listener` is the one thread and connection
of a process that LISTENs and hands what arrives to the same callbacks. Nothing here carries
personal data: payloads are ids.

Signals only shorten waits: every waiter also looks again on its own after a while, so a lost
notification (a listener reconnecting) costs time, never work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

import psycopg
from psycopg import sql
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from mamori.db.session import after_commit

JOBS = "mamori_jobs"  # a job was queued (payload empty)
RUNS = "mamori_runs"  # a fulfillment run finished (payload: the run id)
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")
logger = logging.getLogger("mamori.db")
_subscribers: dict[str, list[Callable[[str], None]]] = {}
_lock = threading.Lock()


def subscribe(channel: str, callback: Callable[[str], None]) -> Callable[[], None]:
    """Call ``callback(payload)`` for every signal on ``channel``; returns the function that stops it."""
    with _lock:
        _subscribers.setdefault(channel, []).append(callback)

    def remove() -> None:
        with _lock:
            _subscribers[channel].remove(callback)

    return remove


def deliver(channel: str, payload: str) -> None:
    """Hand a signal to this process's subscribers (a callback must be short and must not raise)."""
    with _lock:
        callbacks = list(_subscribers.get(channel, ()))
    for callback in callbacks:
        callback(payload)


def announce(session: Session, channel: str, payload: str = "") -> None:
    """Signal ``channel`` when the caller's transaction commits (here and, on PostgreSQL, elsewhere)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_NOTIFY, {"channel": channel, "payload": payload})
    with _lock:
        local = bool(_subscribers.get(channel))
    if local:
        after_commit(session, lambda: deliver(channel, payload))


def libpq_url(database_url: str) -> str:
    """The libpq form of a SQLAlchemy PostgreSQL URL (without the ``+driver``)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class Listener:
    """A thread that LISTENs on PostgreSQL channels and delivers what arrives in this process."""

    def __init__(self, database_url: str, channels: Iterable[str], *, retry_seconds: float = 1.0) -> None:
        self.url = libpq_url(database_url)
        self.channels = tuple(channels)
        self.retry_seconds = retry_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mamori-listener", daemon=True)
        self.ready = threading.Event()

    def start(self) -> Listener:
        self._thread.start()
        return self

    def ensure_started(self) -> None:
        """Start listening on first need (a process that never waits keeps no extra connection)."""
        with _lock:
            if not self._thread.is_alive() and not self._stop.is_set():
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except psycopg.Error as exc:
                logger.warning("listening for signals failed (%s); again shortly", type(exc).__name__)
                self._stop.wait(self.retry_seconds)

    def _listen(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            for channel in self.channels:
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            self.ready.set()
            for channel in self.channels:
                deliver(channel, "")  # anything sent while not listening: waiters look again
            while not self._stop.is_set():
                for note in conn.notifies(timeout=0.5):
                    deliver(note.channel, note.payload)

"""Wake-ups across processes on PostgreSQL: NOTIFY at commit, delivered by a listening thread."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mamori.db import signals
from mamori.db.queue import enqueue
from mamori.db.session import make_session_factory, unit_of_work
from mamori.jobs import worker as worker_module
from mamori.jobs.registry import Registry
from mamori.jobs.worker import Worker, WorkerConfig
from tests.factories import jobs as handlers

pytestmark = pytest.mark.postgres


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    if engine.dialect.name != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's (set MAMORI_TEST_DATABASE_URL)")
    return make_session_factory(engine)


@pytest.fixture
def heard(engine: Engine) -> Iterator[list[tuple[str, str]]]:
    """What this process hears on both channels (its listener's, and announcements made here)."""
    got: list[tuple[str, str]] = []

    def hearer(channel: str) -> Callable[[str], None]:
        return lambda payload: got.append((channel, payload))

    removers = [signals.subscribe(c, hearer(c)) for c in (signals.JOBS, signals.RUNS)]
    listener = signals.Listener(
        engine.url.render_as_string(hide_password=False), [signals.JOBS, signals.RUNS]
    )
    listener.start()
    assert listener.ready.wait(10)
    got.clear()  # the "look again" of a fresh listener
    yield got
    listener.stop()
    for remove in removers:
        remove()


def _until(condition: Callable[[], object], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        threading.Event().wait(0.02)


def test_a_committed_job_and_an_announcement_are_heard_and_a_rolled_back_one_is_not(
    factory: sessionmaker[Session], heard: list[tuple[str, str]]
) -> None:
    def rolled_back() -> None:
        with unit_of_work(factory) as session:
            enqueue(session, kind="testing.count", payload={"tag": "lost"})
            signals.announce(session, signals.RUNS, "rolled-back")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rolled_back()
    run_id = str(uuid.uuid4())
    with unit_of_work(factory) as session:
        enqueue(session, kind="testing.count", payload={"tag": "kept"})
        signals.announce(session, signals.RUNS, run_id)
    _until(lambda: (signals.JOBS, "") in heard)  # NOTIFY only: jobs are signalled in-process otherwise
    # The run's id arrives twice: in-process after commit, and by NOTIFY; nothing of the rollback.
    assert sorted(set(heard)) == [(signals.JOBS, ""), (signals.RUNS, run_id)]


def test_a_worker_elsewhere_is_woken_by_notify_not_by_its_poll(
    factory: sessionmaker[Session], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only NOTIFY can wake it: no in-process wake-up, and a poll far longer than the test waits.
    monkeypatch.setattr(worker_module, "add_enqueue_listener", lambda _callback: lambda: None)
    worker = Worker(factory, Registry(tasks=handlers.TASKS), WorkerConfig(concurrency=2, poll_seconds=120))
    worker.start(listen_url=engine.url.render_as_string(hide_password=False))
    try:
        assert worker._listener is not None
        assert worker._listener.ready.wait(10)
        threading.Event().wait(0.2)  # both threads have looked once and sleep now
        with unit_of_work(factory) as session:
            enqueue(session, kind="testing.count", payload={"tag": "notified"})
        _until(lambda: handlers.effect_count(engine, "notified"))
    finally:
        worker.stop()
    assert handlers.effect_count(engine, "notified") == 1

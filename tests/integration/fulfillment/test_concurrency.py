"""A run executed by two executors at once (two workers, the CLI and a worker, a retried job) counts once.

These tests commit: each gets a fresh Mamori database with the shop's data map published and one
erasure run started. One executor is held at a chosen point (in another thread) while the other
tries the same run.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.db.queue_models import Job
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.fulfillment import runner, service
from mamori.fulfillment.models import FulfillmentRun, FulfillmentRunSystem
from mamori.policy.service import publish_bundle
from tests.factories.fulfillment_runs import ERASED_ONCE, tables
from tests.integration.fulfillment.conftest import Shop

WAIT = 60.0


@dataclass
class Store:
    engine: Engine
    factory: sessionmaker[Session]
    settings: Settings
    run_id: uuid.UUID

    def completions(self) -> int:
        with unit_of_work(self.factory) as session:
            stmt = select(func.count()).where(
                AuditEvent.action.in_(["fulfillment.run_completed", "fulfillment.run_failed"]),
                AuditEvent.target_id == str(self.run_id),
            )
            return int(session.scalar(stmt) or 0)

    def run(self) -> FulfillmentRun:
        with unit_of_work(self.factory) as session:
            return session.get_one(FulfillmentRun, self.run_id)


@pytest.fixture
def store(fresh_database_url: str, shop: Shop) -> Iterator[Store]:
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    with unit_of_work(factory) as session:
        publish_bundle(session, actor="user:officer", directory=shop.bundle)
        run_id = service.start_run(
            session,
            actor="user:agent",
            action="erase",
            identities={"email": "user3@example.jp"},
            case_ref="R-1",
        )
    yield Store(engine, factory, settings, run_id)
    engine.dispose()


class Hold:
    """Wraps a function so that each of its first ``n`` calls waits (in its thread) until released."""

    def __init__(self, real: Callable[..., Any], n: int = 1) -> None:
        self.real = real
        self.reached = [threading.Event() for _ in range(n)]
        self.released = [threading.Event() for _ in range(n)]
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            index, self.calls = self.calls, self.calls + 1
        if index < len(self.reached):
            self.reached[index].set()
            assert self.released[index].wait(WAIT), "the test never released a held executor"
        return self.real(*args, **kwargs)


def via_job_session(store: Store) -> str | None:
    """The job worker's path: the run inside one unit of work, committed in steps."""
    with unit_of_work(store.factory) as session:
        return service.run_in_session(session, store.run_id, settings=store.settings)


def via_execute(store: Store) -> str | None:
    """The CLI's path: claim, work and record in separate transactions."""
    return service.execute_run(store.factory, store.run_id, settings=store.settings)


PATHS = pytest.mark.parametrize("first", [via_execute, via_job_session], ids=["execute", "job"])


def held(
    pool: ThreadPoolExecutor, hold: Hold, work: Callable[[], str | None], index: int = 0
) -> Future[str | None]:
    future = pool.submit(work)
    assert hold.reached[index].wait(WAIT), "an executor never got to the held point"
    return future


def view(store: Store) -> dict[str, tuple[int, int, int]]:
    with unit_of_work(store.factory) as session:
        return tables(service.get_run(session, store.run_id, settings=store.settings))


class TestTwoExecutorsAtOnce:
    @PATHS
    def test_the_second_finds_the_run_held_and_does_nothing(
        self, store: Store, first: Callable[[Store], str | None], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        hold = Hold(service.perform)
        monkeypatch.setattr(service, "perform", hold)
        with ThreadPoolExecutor(max_workers=1) as pool:
            running = held(pool, hold, lambda: first(store))
            assert via_execute(store) is None
            assert via_job_session(store) is None
            hold.released[0].set()
            assert running.result(WAIT) == "completed"
        assert hold.calls == 1  # neither of the others touched a system
        assert store.completions() == 1
        assert view(store) == ERASED_ONCE
        with unit_of_work(store.factory) as session:
            systems = session.scalars(select(FulfillmentRunSystem.attempts))
            assert set(systems) == {1}
        assert (store.run().status, store.run().attempts, store.run().lease_token) == ("completed", 1, None)

    def test_a_job_arriving_meanwhile_looks_again_when_the_lease_ends(
        self, store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The holder could die before finishing: the job that found the run held must not be the last.
        hold = Hold(service.perform)
        monkeypatch.setattr(service, "perform", hold)
        with ThreadPoolExecutor(max_workers=1) as pool:
            running = held(pool, hold, lambda: via_execute(store))
            lease_until = store.run().lease_until
            assert via_job_session(store) is None
            hold.released[0].set()
            running.result(WAIT)
        with unit_of_work(store.factory) as session:
            follow_ups = list(session.scalars(select(Job).where(Job.key.like("fulfillment.run:%:after:%"))))
        assert len(follow_ups) == 1
        assert follow_ups[0].payload == {"run_id": str(store.run_id), "follow": 1}
        assert lease_until is not None
        assert follow_ups[0].run_after > lease_until
        with unit_of_work(store.factory) as session:  # when it comes, the run is finished: nothing happens
            assert service.run_in_session(session, store.run_id, settings=store.settings, follow=1) is None
        assert store.completions() == 1


class TestLeaseTakenOver:
    """The first executor is slower than its lease: the second takes the run over and its outcome counts."""

    @PATHS
    def test_a_stale_executor_stops_before_changing_anything(
        self, store: Store, first: Callable[[Store], str | None], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        hold = Hold(service.perform)
        monkeypatch.setattr(service, "perform", hold)
        store.settings.fulfillment_lease_seconds = 0.2
        with ThreadPoolExecutor(max_workers=1) as pool:
            stale = held(pool, hold, lambda: first(store))
            threading.Event().wait(0.4)
            assert via_execute(store) == "completed"
            hold.released[0].set()
            assert stale.result(WAIT) is None
        assert store.completions() == 1
        assert view(store) == ERASED_ONCE
        assert (store.run().status, store.run().attempts) == ("completed", 2)

    @PATHS
    def test_an_outcome_arriving_after_the_takeover_is_dropped(
        self, store: Store, first: Callable[[Store], str | None], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Both are held as they apply (after their checkpoints); the stale one finishes first.
        hold = Hold(runner.apply_action, n=2)
        monkeypatch.setattr(runner, "apply_action", hold)
        store.settings.fulfillment_lease_seconds = 0.2
        with ThreadPoolExecutor(max_workers=2) as pool:
            stale = held(pool, hold, lambda: first(store))
            threading.Event().wait(0.4)
            store.settings.fulfillment_lease_seconds = 600
            current = held(pool, hold, lambda: via_execute(store), index=1)
            hold.released[0].set()
            assert stale.result(WAIT) is None
            assert store.completions() == 0
            hold.released[1].set()
            assert current.result(WAIT) == "completed"
        assert store.completions() == 1
        assert view(store) == ERASED_ONCE
        assert (store.run().status, store.run().attempts) == ("completed", 2)

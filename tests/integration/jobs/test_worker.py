from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.models import AuditEvent
from mamori.db.queue import JobState, enqueue
from mamori.db.queue_models import Job
from mamori.db.session import make_session_factory, unit_of_work
from mamori.jobs.registry import Registry
from mamori.jobs.runner import Outcome, Runner
from mamori.jobs.scheduler import PeriodicScheduler
from mamori.jobs.worker import Worker, WorkerConfig
from tests.factories import jobs as handlers

REGISTRY = Registry(tasks=handlers.TASKS)
FAST = WorkerConfig(retry_base=timedelta(0), poll_seconds=0.05)


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def _enqueue(factory: sessionmaker[Session], kind: str, **payload: object) -> uuid.UUID:
    with unit_of_work(factory) as session:
        return enqueue(session, kind=kind, payload=payload)


def _job(factory: sessionmaker[Session], job_id: uuid.UUID) -> Job:
    with unit_of_work(factory) as session:
        return session.get_one(Job, job_id)


def test_a_committed_job_runs_once(factory: sessionmaker[Session], engine: Engine) -> None:
    job_id = _enqueue(factory, "testing.count", tag="once")
    Worker(factory, REGISTRY, FAST).run_once()
    again = Worker(factory, REGISTRY, FAST).run_once()
    assert again.counts[Outcome.DONE] == 0
    assert handlers.effect_count(engine, "once") == 1
    job = _job(factory, job_id)
    assert (job.state, job.attempts, job.locked_by) == (JobState.DONE, 1, None)


def test_a_failing_handler_retries_then_goes_dead_without_its_effects(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    job_id = _enqueue(factory, "testing.fail", tag="doomed")
    tally = Worker(factory, REGISTRY, FAST).run_once()
    job = _job(factory, job_id)
    assert (job.state, job.attempts) == (JobState.DEAD, job.max_attempts)
    assert job.last_error == "ValueError"  # the exception's text quoted an address: not kept
    assert tally.counts[Outcome.RETRY] == job.max_attempts - 1
    assert handlers.effect_count(engine, "doomed") == 0
    with unit_of_work(factory) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == str(job_id)))
        assert list(actions) == ["job.dead"]


def test_a_flaky_handler_succeeds_on_a_later_attempt_with_one_effect(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    tag = f"flaky-{uuid.uuid4()}"
    job_id = _enqueue(factory, "testing.flaky", tag=tag, fail_times=2)
    Worker(factory, REGISTRY, FAST).run_once()
    job = _job(factory, job_id)
    assert (job.state, job.attempts, job.last_error) == (JobState.DONE, 3, None)
    assert handlers.effect_count(engine, tag) == 1


def test_a_failed_attempt_waits_for_its_backoff(factory: sessionmaker[Session]) -> None:
    job_id = _enqueue(factory, "testing.flaky", tag=f"later-{uuid.uuid4()}", fail_times=1)
    before = datetime.now(UTC)
    Worker(factory, REGISTRY, WorkerConfig(retry_base=timedelta(minutes=10))).run_once()
    job = _job(factory, job_id)
    assert (job.state, job.attempts, job.last_error) == (JobState.PENDING, 1, "ConnectionError")
    assert job.run_after >= before + timedelta(minutes=10)


def test_an_unknown_kind_is_a_failure_that_names_the_kind(factory: sessionmaker[Session]) -> None:
    job_id = _enqueue(factory, "nobody.handles_this")
    Worker(factory, REGISTRY, FAST).run_once()
    job = _job(factory, job_id)
    assert job.state == JobState.DEAD
    assert job.last_error == "UnknownKindError"


def test_concurrent_workers_never_run_the_same_job(factory: sessionmaker[Session], engine: Engine) -> None:
    tags = [f"c{i}" for i in range(120)]
    with unit_of_work(factory) as session:
        for tag in tags:
            enqueue(session, kind="testing.count", payload={"tag": tag})
    workers = [Worker(factory, REGISTRY, WorkerConfig(concurrency=2)) for _ in range(2)]
    threads = [threading.Thread(target=worker.run_once) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(handlers.effect_count(engine, tag) == 1 for tag in tags)
    with unit_of_work(factory) as session:
        states = list(session.scalars(select(Job.state)))  # the tagged jobs and the periodic prune
    assert set(states) == {JobState.DONE}
    assert sum(worker.tally.counts[Outcome.DONE] for worker in workers) == len(states) > len(tags)


def test_a_lease_that_expired_passes_the_job_on_and_the_old_holder_keeps_nothing(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    job_id = _enqueue(factory, "testing.count", tag="leased")
    slow_holder = Runner(factory, REGISTRY, owner="old", lease=timedelta(seconds=-1))
    (claimed,) = slow_holder.claim()
    Worker(factory, REGISTRY, FAST).run_once()  # the lease has expired: another worker takes the job
    assert slow_holder.run(claimed) is Outcome.LOST
    assert handlers.effect_count(engine, "leased") == 1
    assert _job(factory, job_id).attempts == 2


def test_a_held_lease_is_not_taken(factory: sessionmaker[Session]) -> None:
    _enqueue(factory, "testing.count", tag="held")
    holder = Runner(factory, REGISTRY, owner="holder", lease=timedelta(minutes=5))
    assert len(holder.claim()) == 1
    assert Runner(factory, REGISTRY, owner="other").claim() == []


def test_periodic_work_is_queued_once_per_slot_across_schedulers(factory: sessionmaker[Session]) -> None:
    periodic = {"testing.count": timedelta(minutes=5)}
    now = datetime(2026, 12, 1, 10, 7, tzinfo=UTC)
    first, second = PeriodicScheduler(periodic), PeriodicScheduler(periodic)
    assert first.tick(factory, now) == 1
    assert second.tick(factory, now + timedelta(minutes=1)) == 1  # same slot: the key exists already
    assert first.tick(factory, now + timedelta(minutes=2)) == 0
    assert first.tick(factory, now + timedelta(minutes=4)) == 1  # 10:11 is in the next slot
    with unit_of_work(factory) as session:
        keys = sorted(session.scalars(select(Job.key).where(Job.kind == "testing.count")))
    assert keys == ["testing.count@2026-12-01T10:05:00Z", "testing.count@2026-12-01T10:10:00Z"]


def test_a_started_worker_wakes_on_commit_and_stops_cleanly(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    worker = Worker(factory, REGISTRY, WorkerConfig(poll_seconds=30))
    worker.start()
    try:
        _enqueue(factory, "testing.count", tag="woken")
        for _ in range(200):
            if handlers.effect_count(engine, "woken"):
                break
            threading.Event().wait(0.05)
    finally:
        worker.stop()
    assert handlers.effect_count(engine, "woken") == 1
    assert not any(thread.is_alive() for thread in worker._threads)

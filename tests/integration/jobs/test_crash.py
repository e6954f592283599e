"""A worker process killed (SIGKILL) in the middle of a task: another worker completes it exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mamori.db.queue import JobState, enqueue
from mamori.db.queue_models import Job
from mamori.db.session import make_session_factory, unit_of_work
from tests.factories import jobs as handlers

REPO = Path(__file__).resolve().parents[3]
WAIT = 90.0  # seconds at most for a step; the test fails, not hangs, if a worker never gets there


def mamori(url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MAMORI_DATABASE_URL": url, "MAMORI_MAIL_BACKEND": "null"}
    return subprocess.Popen(
        [sys.executable, "-m", "mamori", *args],
        cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def worker(url: str, *options: str) -> subprocess.Popen[str]:
    return mamori(url, "worker", "run", "--tasks", "tests.factories.jobs", "--poll", "0.1", *options)


def wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    pytest.fail(f"gave up waiting: {what}")


def slow_job(factory: sessionmaker[Session], tmp_path: Path, tag: str) -> tuple[uuid.UUID, Path, Path]:
    started, block = tmp_path / f"{tag}.started", tmp_path / f"{tag}.block"
    block.write_text("hold")
    payload = {"tag": tag, "started": str(started), "block": str(block)}
    with unit_of_work(factory) as session:
        return enqueue(session, kind="testing.slow", payload=payload), started, block


def job_row(engine: Engine, job_id: uuid.UUID) -> Job:
    """Read the job without a write lock (a running handler holds SQLite's single writer)."""
    with unit_of_work(make_session_factory(engine, read_only=True)) as session:
        return session.get_one(Job, job_id)


def kill_during_task_then_finish(
    url: str, engine: Engine, tmp_path: Path, options: tuple[str, ...]
) -> tuple[Job, str]:
    factory = make_session_factory(engine)
    tag = f"crash-{uuid.uuid4()}"
    job_id, started, block = slow_job(factory, tmp_path, tag)
    first = worker(url, *options)
    try:
        wait_for(started.exists, "the first worker to start the task")
        assert job_row(engine, job_id).state == JobState.RUNNING
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=WAIT)
    assert first.returncode == -signal.SIGKILL
    assert handlers.effect_count(engine, tag) == 0  # the killed attempt's effect never committed
    block.unlink()
    second = worker(url, *options)
    try:
        wait_for(lambda: job_row(engine, job_id).state == JobState.DONE, "the second worker to finish it")
    finally:
        second.send_signal(signal.SIGTERM)
        output, _ = second.communicate(timeout=WAIT)
    assert second.returncode == 0, output
    assert handlers.effect_count(engine, tag) == 1
    return job_row(engine, job_id), output


def test_embedded_worker_killed_mid_task_the_next_one_completes_it_once(
    fresh_database_url: str, engine: Engine, tmp_path: Path
) -> None:
    job, output = kill_during_task_then_finish(fresh_database_url, engine, tmp_path, ("--lease", "2"))
    assert (job.state, job.attempts, job.locked_by) == (JobState.DONE, 2, None)
    assert f"job {job.id} testing.slow attempt 2: done" in output


@pytest.mark.postgres
def test_procrastinate_worker_killed_mid_task_the_next_one_completes_it_once(
    fresh_database_url: str, engine: Engine, tmp_path: Path
) -> None:
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("procrastinate runs on PostgreSQL (set MAMORI_TEST_DATABASE_URL)")
    switch = mamori(fresh_database_url, "worker", "engine", "procrastinate")
    assert switch.communicate(timeout=WAIT)[0].startswith("engine: procrastinate"), "engine switch failed"
    options = ("--engine", "procrastinate", "--stalled-after", "2", "--lease", "2")
    job, output = kill_during_task_then_finish(fresh_database_url, engine, tmp_path, options)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert "handed back" in output
    assert f"job {job.id} testing.slow attempt 2: done" in output

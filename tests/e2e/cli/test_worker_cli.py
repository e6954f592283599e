"""``mamori worker …`` as an operator runs it: real processes against a real database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import select

from mamori.db.queue import enqueue
from mamori.db.queue_models import Job
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from tests.factories import jobs as handlers

REPO = Path(__file__).resolve().parents[3]


def mamori(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MAMORI_DATABASE_URL": url, "MAMORI_MAIL_BACKEND": "null"}
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip


def test_help_names_every_command() -> None:
    result = mamori("sqlite://", "worker", "--help")
    assert result.returncode == 0
    for command in ("run", "status", "list", "retry", "engine"):
        assert command in result.stdout
    run_help = mamori("sqlite://", "worker", "run", "--help")
    for option in ("--once", "--concurrency", "--engine", "--lease", "--tasks"):
        assert option in run_help.stdout


def test_run_once_list_status_and_retry_a_dead_job(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    handlers.create_effects_table(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        enqueue(session, kind="testing.count", payload={"tag": "cli"})
        doomed = enqueue(session, kind="testing.fail", payload={"tag": "cli-dead"})
    ran = mamori(
        fresh_database_url, "worker", "run", "--once", "--retry-base", "0", "--tasks", "tests.factories.jobs"
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().startswith("worker finished: ")
    assert " 1 dead" in ran.stdout
    assert handlers.effect_count(engine, "cli") == 1
    assert handlers.effect_count(engine, "cli-dead") == 0
    assert f"job {doomed} testing.fail attempt 5: dead: ValueError" in ran.stderr
    assert "example.jp" not in ran.stderr + ran.stdout  # the handler's error text quoted an address
    status = mamori(fresh_database_url, "worker", "status")
    assert status.stdout.startswith("engine: embedded")
    assert any(line.split() == ["testing.fail", "dead", "1"] for line in status.stdout.splitlines())
    dead = mamori(fresh_database_url, "worker", "list", "--state", "dead")
    assert dead.stdout.split()[:4] == [str(doomed), "testing.fail", "dead", "5/5"]
    assert dead.stdout.rstrip().endswith("ValueError")
    retried = mamori(fresh_database_url, "worker", "retry", str(doomed))
    assert retried.returncode == 0, retried.stderr
    again = mamori(fresh_database_url, "worker", "retry", str(doomed))
    assert again.returncode == 1
    assert "only a dead job can be retried" in again.stderr
    missing = mamori(fresh_database_url, "worker", "retry", str(uuid.uuid4()))
    assert missing.returncode == 3
    with unit_of_work(make_session_factory(engine)) as session:
        assert session.scalar(select(Job.state).where(Job.id == doomed)) == "pending"
    engine.dispose()


def test_bad_input_is_refused_with_the_reason(fresh_database_url: str) -> None:
    bad_state = mamori(fresh_database_url, "worker", "list", "--state", "lost")
    assert bad_state.returncode == 2
    assert "state: one of pending, running, done, dead" in bad_state.stderr
    if fresh_database_url.startswith("sqlite"):
        refused = mamori(fresh_database_url, "worker", "engine", "procrastinate")
        assert refused.returncode == 2
        assert "procrastinate needs PostgreSQL" in refused.stderr
    no_schema = mamori(f"sqlite:///{REPO / 'does-not-exist' / 'x.db'}", "worker", "status")
    assert no_schema.returncode != 0

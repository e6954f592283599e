"""Erasure runs on one folder of files, as worker processes run them: concurrently, and killed midway.

Real processes (``mamori worker run``) against a fresh Mamori database (SQLite, or PostgreSQL with
``MAMORI_TEST_DATABASE_URL``) and a members file of ``tests.factories.member_files``.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.fulfillment import service
from mamori.fulfillment.connectors.base import ConnectorError, Delete, Row
from mamori.fulfillment.connectors.files import CsvConnector
from mamori.fulfillment.models import FulfillmentRun
from mamori.fulfillment.runner import close_connectors
from mamori.policy.sections.datamap import System
from mamori.policy.service import publish_bundle
from tests.factories.member_files import members_bundle, read_members, temp_copies, write_members
from tests.integration.jobs.test_crash import WAIT, wait_for

REPO = Path(__file__).resolve().parents[3]
MEMBERS = 4000
ERASED = 20
KINDS = pytest.mark.parametrize("kind", ["csv", "jsonl"])


@pytest.fixture
def engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_database_url)
    yield engine
    engine.dispose()
    close_connectors()


def read(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine, read_only=True)


def worker(url: str, folder: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    environ = {
        **os.environ,
        "MAMORI_DATABASE_URL": url,
        "MAMORI_MAIL_BACKEND": "null",
        "MEMBERS_DIR": str(folder),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "mamori", "worker", "run", "--poll", "0.1", "--lease", "2", *args],
        cwd=REPO, env={**environ, **env}, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def queue_erasures(engine: Engine, bundle: Path, people: range) -> list[uuid.UUID]:
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=bundle)
        return [
            service.start_run(
                session,
                actor="user:agent",
                action="erase",
                identities={"email": f"member{k}@example.jp"},
                case_ref=f"R-{k}",
            )
            for k in people
        ]


def statuses(engine: Engine, run_ids: list[uuid.UUID]) -> dict[str, str]:
    with unit_of_work(read(engine)) as session:
        runs = session.scalars(select(FulfillmentRun).where(FulfillmentRun.id.in_(run_ids)))
        return {run.case_ref: run.status for run in runs}


def errors(engine: Engine, run_ids: list[uuid.UUID]) -> list[str]:
    with unit_of_work(read(engine)) as session:
        runs = session.scalars(select(FulfillmentRun).where(FulfillmentRun.id.in_(run_ids)))
        return sorted({run.error or "" for run in runs if run.status != "completed"})


class TestConcurrentErasuresOfOneFile:
    @KINDS
    def test_twenty_runs_on_two_workers_of_four_threads_all_complete_and_erase_everyone(
        self, fresh_database_url: str, engine: Engine, tmp_path: Path, kind: str
    ) -> None:
        folder = tmp_path / "members"
        path = write_members(folder, kind, MEMBERS)
        run_ids = queue_erasures(engine, members_bundle(tmp_path, kind), range(1, ERASED + 1))
        workers = [worker(fresh_database_url, folder, "--once", "--concurrency", "4") for _ in range(2)]
        outputs = [w.communicate(timeout=WAIT * 3)[0] for w in workers]
        assert [w.returncode for w in workers] == [0, 0], outputs
        assert set(statuses(engine, run_ids).values()) == {"completed"}, errors(engine, run_ids)
        emails = {row["email"] for row in read_members(path)}
        assert not {f"member{k}@example.jp" for k in range(1, ERASED + 1)} & emails
        assert len(emails) == MEMBERS - ERASED  # nobody else lost
        assert temp_copies(folder) == []


def kill_midway(url: str, engine: Engine, tmp_path: Path) -> tuple[uuid.UUID, Path, Path]:
    """Queue the erasure of member 1; a worker killed half-way through rewriting the file. Run, file, copy."""
    folder, hold = tmp_path / "members", tmp_path / "hold"
    path = write_members(folder, "csv", MEMBERS)
    (run_id,) = queue_erasures(engine, members_bundle(tmp_path, "csv"), range(1, 2))
    hold.mkdir()
    (hold / "hold").write_text("hold")
    first = worker(
        url, folder, "--tasks", "tests.factories.file_write_hold",
        MAMORI_TEST_WRITE_HOLD_DIR=str(hold), MAMORI_FULFILLMENT_LEASE_SECONDS="2",
    )  # fmt: skip
    try:
        wait_for((hold / "reached").exists, "the rewrite to be half done")
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=WAIT)
    assert first.returncode == -signal.SIGKILL
    (hold / "hold").unlink()
    (copy,) = temp_copies(folder)
    assert "member2@example.jp" in copy.read_text(encoding="utf-8")  # plaintext of other people
    return run_id, path, copy


def restart(url: str, engine: Engine, run_id: uuid.UUID, folder: Path) -> None:
    second = worker(url, folder, MAMORI_FULFILLMENT_LEASE_SECONDS="2")
    try:
        wait_for(lambda: statuses(engine, [run_id]) == {"R-1": "completed"}, "the restarted worker")
    finally:
        second.send_signal(signal.SIGTERM)
        output, _ = second.communicate(timeout=WAIT)
    assert second.returncode == 0, output


def assert_erased(path: Path) -> None:
    emails = {row["email"] for row in read_members(path)}
    assert "member1@example.jp" not in emails
    assert len(emails) == MEMBERS - 1


class TestWorkerKilledInTheMiddleOfARewrite:
    def test_a_restarted_worker_sweeps_the_copy_and_completes_the_run(
        self, fresh_database_url: str, engine: Engine, tmp_path: Path
    ) -> None:
        run_id, path, _ = kill_midway(fresh_database_url, engine, tmp_path)
        restart(fresh_database_url, engine, run_id, path.parent)
        assert temp_copies(path.parent) == []
        assert_erased(path)

    def test_verification_fails_while_a_copy_exists(
        self, fresh_database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        run_id, path, copy = kill_midway(fresh_database_url, engine, tmp_path)
        # An erasure verified meanwhile (nothing of it in the file) fails, names the copy and removes it.
        monkeypatch.setenv("MEMBERS_DIR", str(path.parent))
        other = queue_erasures_only(engine, ["nobody@example.jp"])
        factory = make_session_factory(engine)
        assert service.execute_run(factory, other) == "failed"
        assert copy.name in (run_error(engine, other) or "")
        assert temp_copies(path.parent) == []
        with unit_of_work(factory) as session:
            service.retry_run(session, actor="user:agent", run_id=other)
        assert service.execute_run(factory, other) == "completed"
        restart(fresh_database_url, engine, run_id, path.parent)
        assert_erased(path)


def queue_erasures_only(engine: Engine, emails: list[str]) -> uuid.UUID:
    with unit_of_work(make_session_factory(engine)) as session:
        (run_id,) = [
            service.start_run(
                session, actor="user:agent", action="erase", identities={"email": e}, case_ref="R-x"
            )
            for e in emails
        ]
        return run_id


def run_error(engine: Engine, run_id: uuid.UUID) -> str | None:
    with unit_of_work(read(engine)) as session:
        return session.get_one(FulfillmentRun, run_id).error


class TestAFailedRewrite:
    def test_leaves_the_file_whole_and_no_copy(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        folder = tmp_path / "members"
        path = write_members(folder, "csv", 10)
        before = path.read_bytes()
        system = System.model_validate(yaml.safe_load(members_bundle(tmp_path, "csv").joinpath(
            "datamap", "members.yaml").read_text(encoding="utf-8")))  # fmt: skip
        connector = CsvConnector(system, {"MEMBERS_DIR": str(folder)})
        real = CsvConnector.write

        def full_disk(self: CsvConnector, handle: Any, rows: list[Row], columns: list[str]) -> None:
            real(self, handle, rows[:3], columns)
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(CsvConnector, "write", full_disk)
        with pytest.raises(ConnectorError, match="could not be written"):
            connector.apply([Delete("members", (("1",),))])
        assert path.read_bytes() == before
        assert temp_copies(folder) == []

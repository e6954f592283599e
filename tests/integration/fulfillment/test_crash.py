"""A worker process killed (SIGKILL) in the middle of an erasure run: the next worker completes it once.

The run is queued as the requests room queues it (``start_run``), in a fresh Mamori database (SQLite,
or PostgreSQL with ``MAMORI_TEST_DATABASE_URL``); the shop, CRM and call log are the fixtures'
systems. ``tests.factories.fulfillment_hold`` holds every system in its action while a file exists,
so the worker is killed at a known point: with nothing changed yet, or with the shop (on SQLite or
PostgreSQL) already erased.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.models import AuditEvent
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.fulfillment import service
from mamori.fulfillment.models import FulfillmentRun
from mamori.policy.service import publish_bundle
from tests.factories.fulfillment_runs import ERASED_ONCE, tables
from tests.integration.fulfillment.conftest import Shop
from tests.integration.jobs.test_crash import WAIT, wait_for

REPO = Path(__file__).resolve().parents[3]
SYSTEMS = ("shop", "crm", "callcentre")


def worker(url: str, hold: Path, applied: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "MAMORI_DATABASE_URL": url,
        "MAMORI_MAIL_BACKEND": "null",
        "MAMORI_FULFILLMENT_LEASE_SECONDS": "2",
        "MAMORI_TEST_HOLD_DIR": str(hold),
        "MAMORI_TEST_HOLD_APPLIED": applied,
    }
    command = [
        "worker",
        "run",
        "--tasks",
        "tests.factories.fulfillment_hold",
        "--poll",
        "0.1",
        "--lease",
        "2",
    ]
    return subprocess.Popen(
        [sys.executable, "-m", "mamori", *command],
        cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


@pytest.fixture
def engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_database_url)
    yield engine
    engine.dispose()


def queue_erasure(factory: sessionmaker[Session], shop: Shop) -> uuid.UUID:
    with unit_of_work(factory) as session:
        publish_bundle(session, actor="user:officer", directory=shop.bundle)
        return service.start_run(
            session,
            actor="user:agent",
            action="erase",
            identities={"email": "user3@example.jp"},
            case_ref="R-1",
        )


def read(engine: Engine) -> sessionmaker[Session]:
    """Sessions that take no write lock (a running worker may hold SQLite's single writer)."""
    return make_session_factory(engine, read_only=True)


def status(engine: Engine, run_id: uuid.UUID) -> str:
    with unit_of_work(read(engine)) as session:
        return session.get_one(FulfillmentRun, run_id).status


def call_of_customer_3(shop: Shop) -> dict[str, str]:
    with (shop.calls / "calls.csv").open(encoding="utf-8", newline="") as handle:
        return next(row for row in csv.DictReader(handle) if row["id"] == "3")


def kill_midway(url: str, engine: Engine, run_id: uuid.UUID, hold: Path, applied: str) -> None:
    hold.mkdir()
    (hold / "hold").write_text("hold")
    first = worker(url, hold, applied)
    try:
        wait_for(lambda: all((hold / f"{s}.reached").exists() for s in SYSTEMS), "every system to be reached")
        assert status(engine, run_id) == "running"
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=WAIT)
    assert first.returncode == -signal.SIGKILL
    (hold / "hold").unlink()


def finish(url: str, engine: Engine, run_id: uuid.UUID, hold: Path) -> str:
    second = worker(url, hold, "")
    try:
        wait_for(
            lambda: status(engine, run_id) in {"completed", "failed"}, "the second worker to finish the run"
        )
    finally:
        second.send_signal(signal.SIGTERM)
        output, _ = second.communicate(timeout=WAIT)
    assert second.returncode == 0, output
    return output


def completions(engine: Engine, run_id: uuid.UUID) -> int:
    with unit_of_work(read(engine)) as session:
        stmt = select(func.count()).where(
            AuditEvent.action.in_(["fulfillment.run_completed", "fulfillment.run_failed"]),
            AuditEvent.target_id == str(run_id),
        )
        return int(session.scalar(stmt) or 0)


def counts(engine: Engine, run_id: uuid.UUID) -> dict[str, tuple[int, int, int]]:
    with unit_of_work(read(engine)) as session:
        return tables(service.get_run(session, run_id, include_package=False))


def assert_erased_everywhere(shop: Shop) -> None:
    row = shop.scalar(
        "SELECT COUNT(*) FROM customer WHERE id = 3 AND (email IS NOT NULL OR name IS NOT NULL)"
    )
    assert row == 0
    with shop.crm.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM campaign_contact WHERE id = 3")).scalar() == 0
    assert call_of_customer_3(shop)["phone"] == "0000000000"
    assert call_of_customer_3(shop)["summary"] == ""


class TestWorkerKilledDuringARun:
    def test_killed_before_any_change_the_next_worker_completes_it_once(
        self, fresh_database_url: str, engine: Engine, shop: Shop, tmp_path: Path
    ) -> None:
        run_id = queue_erasure(make_session_factory(engine), shop)
        kill_midway(fresh_database_url, engine, run_id, tmp_path / "hold", applied="")
        assert shop.scalar("SELECT email FROM customer WHERE id = 3") == "user3@example.jp"  # nothing changed

        output = finish(fresh_database_url, engine, run_id, tmp_path / "hold")
        assert status(engine, run_id) == "completed"
        assert completions(engine, run_id) == 1
        assert counts(engine, run_id) == ERASED_ONCE  # found and changed once, 0 residual
        assert_erased_everywhere(shop)
        assert "user3@example.jp" not in output

    @pytest.mark.parametrize("shop", ["sqlite", "postgresql"], indirect=True)
    def test_killed_after_the_shop_was_erased_the_rest_is_found_by_the_kept_keys(
        self, fresh_database_url: str, engine: Engine, shop: Shop, tmp_path: Path
    ) -> None:
        # The call log is reached only through the shop's customer id, which the e-mail no longer finds.
        run_id = queue_erasure(make_session_factory(engine), shop)
        kill_midway(fresh_database_url, engine, run_id, tmp_path / "hold", applied="shop")
        assert shop.scalar("SELECT email FROM customer WHERE id = 3") is None
        assert call_of_customer_3(shop)["phone"] == "09000000003"

        finish(fresh_database_url, engine, run_id, tmp_path / "hold")
        assert status(engine, run_id) == "completed"
        assert completions(engine, run_id) == 1
        after = counts(engine, run_id)
        assert after["callcentre.calls"] == ERASED_ONCE["callcentre.calls"]
        assert after["crm.campaign_contact"] == ERASED_ONCE["crm.campaign_contact"]
        for table, (
            found,
            changed,
            residual,
        ) in after.items():  # the killed attempt's changes went unrecorded
            assert (found, residual) == (ERASED_ONCE[table][0], 0)
            assert changed <= ERASED_ONCE[table][1]
        assert_erased_everywhere(shop)

"""A campaign's worker killed (SIGKILL) mid-send: a new worker finishes it, nobody missed or sent twice."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.campaigns import service
from mamori.campaigns.models import CampaignDelivery
from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from tests.factories.decisions import create_subject, publish_policy
from tests.factories.smtp import running_sink
from tests.unit.notify.test_backends import Sink

REPO = Path(__file__).resolve().parents[3]
WAIT = 120.0
PEOPLE, BY_POST = 1500, 30


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    with running_sink(handler) as port:
        yield handler, port


def worker(url: str, port: int) -> subprocess.Popen[str]:
    env = {
        **os.environ, "MAMORI_DATABASE_URL": url, "MAMORI_MAIL_BACKEND": "smtp",
        "MAMORI_SMTP_HOST": "127.0.0.1", "MAMORI_SMTP_PORT": str(port),
        "MAMORI_MAIL_FROM": "privacy@example.jp",
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "mamori", "worker", "run", "--poll", "0.05", "--lease", "2"],
        cwd=REPO, env=env, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"gave up waiting: {what}")


def test_kill_mid_send_resumes_without_duplicates_or_misses(
    fresh_database_url: str, settings: Settings, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    collected = datetime.now(UTC) - timedelta(days=30)
    with unit_of_work(factory) as session:
        publish_policy(session)
        for i in range(PEOPLE):
            ident = [("email", f"person{i}@example.jp")] if i >= BY_POST else []
            create_subject(session, settings, categories={"customers": collected}, identifiers=ident)
        campaign = service.create_campaign(
            session, actor="test", kind="notification", purpose_id="customer.sales", rate_per_second=1500
        )
    first = worker(fresh_database_url, port)
    try:
        wait_for(lambda: len(handler.received) >= 700, "the first worker to be mid-send")  # in batch 2
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=WAIT)
    at_kill = len(handler.received)
    assert 0 < at_kill < PEOPLE - BY_POST  # killed mid-send
    second = worker(fresh_database_url, port)
    try:
        wait_for(lambda: _left(factory, campaign.id) == 0, "the second worker to finish the campaign")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=WAIT)
    expected = {f"person{i}@example.jp" for i in range(BY_POST, PEOPLE)}
    ids_by_person: dict[str, set[str]] = collections.defaultdict(set)
    for _, recipients, message in handler.received:
        ids_by_person[recipients[0]].add(str(message["Message-ID"]))
    assert set(ids_by_person) == expected  # 0 missed, nobody else
    assert all(len(ids) == 1 for ids in ids_by_person.values())  # 0 duplicate messages
    repeats = len(handler.received) - len(expected)  # the batch in flight, handed over again
    print(f"\nkilled after {at_kill} messages; {repeats} re-sent with the same Message-ID")  # noqa: T201
    with unit_of_work(factory) as session:
        stats = service.statistics(session, campaign.id)
    assert (stats["sent"], stats["print"], stats["audience"]) == (PEOPLE - BY_POST, BY_POST, PEOPLE)
    engine.dispose()


def _left(factory: Callable[[], Session], campaign_id: object) -> int:
    with unit_of_work(factory) as session:  # type: ignore[arg-type]
        stmt = select(func.count()).where(
            CampaignDelivery.campaign_id == campaign_id, CampaignDelivery.status == "pending"
        )
        return int(session.scalar(stmt) or 0)

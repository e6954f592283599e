from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.api.app import create_app
from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.db.queue import enqueue
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.jobs.registry import Registry
from mamori.jobs.worker import Worker, WorkerConfig
from mamori.notify.models import OutboundMessage
from mamori.notify.service import outbox_from_settings, queue_email
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token


@pytest.fixture
def factory(fresh_database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(fresh_database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def staff(factory: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    """Authorization headers for an officer (reads and retries), an auditor (reads) and an agent."""
    headers = {}
    with unit_of_work(factory) as session:
        for role in (Role.PRIVACY_OFFICER, Role.AUDITOR, Role.AGENT):
            add_user(
                session, actor="t", username=role.value, display_name=role.value, role=role, password="x" * 12
            )
            secret = create_token(session, actor="t", username=role.value, name="t").secret
            headers[role.value] = {"Authorization": f"Bearer {secret}"}
    return headers


def _dead_job(factory: sessionmaker[Session]) -> uuid.UUID:
    with unit_of_work(factory) as session:
        job_id = enqueue(session, kind="nobody.handles_this", payload={"case_id": "c-1"})
    Worker(factory, Registry(), WorkerConfig(retry_base=timedelta(0))).run_once()
    return job_id


def _settings(url: str, **values: object) -> Settings:
    return Settings(database_url=url, mail_backend="null", _env_file=None, **values)  # type: ignore[call-arg]


def test_jobs_and_their_failures_are_listed_for_readers(
    fresh_database_url: str, factory: sessionmaker[Session], staff: dict[str, dict[str, str]]
) -> None:
    job_id = _dead_job(factory)
    with TestClient(create_app(_settings(fresh_database_url))) as client:
        dead = client.get("/api/v1/jobs", params={"state": "dead"}, headers=staff["auditor"])
        one = client.get(f"/api/v1/jobs/{job_id}", headers=staff["auditor"])
        summary = client.get("/api/v1/jobs/summary", headers=staff["auditor"])
        refused = client.get("/api/v1/jobs", headers=staff["agent"])
    assert dead.status_code == 200
    assert [j["id"] for j in dead.json()] == [str(job_id)]
    assert one.json()["last_error"] == "UnknownKindError"
    assert (one.json()["attempts"], one.json()["max_attempts"]) == (5, 5)
    assert one.json()["payload"] == {"case_id": "c-1"}
    assert {"kind": "nobody.handles_this", "state": "dead", "count": 1} in summary.json()["counts"]
    assert summary.json()["engine"] == "embedded"
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_bad_queries_are_problems_naming_the_field(
    fresh_database_url: str, staff: dict[str, dict[str, str]]
) -> None:
    with TestClient(create_app(_settings(fresh_database_url))) as client:
        bad_state = client.get("/api/v1/jobs", params={"state": "lost"}, headers=staff["auditor"])
        bad_limit = client.get("/api/v1/jobs", params={"limit": 0}, headers=staff["auditor"])
        missing = client.get(f"/api/v1/jobs/{uuid.uuid4()}", headers=staff["auditor"])
    assert bad_state.status_code == 422
    assert "state" in bad_state.text
    assert bad_limit.status_code == 422
    assert "limit" in bad_limit.text
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_an_officer_retries_a_dead_job_once(
    fresh_database_url: str, factory: sessionmaker[Session], staff: dict[str, dict[str, str]]
) -> None:
    job_id = _dead_job(factory)
    with TestClient(create_app(_settings(fresh_database_url))) as client:
        refused = client.post(f"/api/v1/jobs/{job_id}/retry", headers=staff["auditor"])
        retried = client.post(f"/api/v1/jobs/{job_id}/retry", headers=staff["privacy_officer"])
        again = client.post(f"/api/v1/jobs/{job_id}/retry", headers=staff["privacy_officer"])
    assert refused.status_code == 403
    assert retried.status_code == 200
    assert (retried.json()["state"], retried.json()["attempts"]) == ("pending", 0)
    assert again.status_code == 409
    with unit_of_work(factory) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.target_id == str(job_id))).all()
    assert [(e.action, e.actor) for e in events] == [
        ("job.dead", "system:jobs"),
        ("job.retried", "user:privacy_officer"),
    ]


def test_the_server_runs_the_embedded_worker_and_stops_it_at_shutdown(
    fresh_database_url: str, factory: sessionmaker[Session]
) -> None:
    settings = _settings(fresh_database_url, worker_embedded=True)
    outbox = outbox_from_settings(settings, factory)
    outbox = type(outbox)(**{**outbox.__dict__, "dispatch_on_commit": False})
    before = set(threading.enumerate())
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        with unit_of_work(factory) as session:
            message = queue_email(
                session, outbox=outbox, actor="user:agent", to="tanaka@example.jp", subject="受付のお知らせ",
                body="本文", language="ja", purpose="dsr.response",
            )  # fmt: skip
            enqueue(session, kind="notify.dispatch", payload={})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with unit_of_work(factory) as session:
                if session.get_one(OutboundMessage, message.id).status == "sent":
                    break
            time.sleep(0.1)
    with unit_of_work(factory) as session:
        assert session.get_one(OutboundMessage, message.id).status == "sent"
    left = [t for t in set(threading.enumerate()) - before if t.name.startswith("mamori-worker")]
    assert left == []

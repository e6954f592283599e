from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from mamori.db.queue import EngineName, JobState, engine_of, enqueue
from mamori.db.queue_models import Job
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.errors import ValidationFailed


def test_enqueue_writes_a_pending_job_in_the_callers_transaction(session: Session) -> None:
    when = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    job_id = enqueue(session, kind="dsr.remind", payload={"case_id": "c-1"}, run_after=when)
    job = session.get_one(Job, job_id)
    assert (job.kind, job.payload, job.state, job.attempts) == (
        "dsr.remind",
        {"case_id": "c-1"},
        "pending",
        0,
    )
    assert job.run_after == when
    assert job.key is None


def test_the_same_key_returns_the_job_already_queued(session: Session) -> None:
    first = enqueue(session, kind="dsr.remind", payload={"case_id": "c-1"}, key="dsr.remind@c-1")
    again = enqueue(session, kind="dsr.remind", payload={"case_id": "other"}, key="dsr.remind@c-1")
    other = enqueue(session, kind="dsr.remind", payload={"case_id": "c-2"}, key="dsr.remind@c-2")
    assert again == first
    assert other != first
    assert session.get_one(Job, first).payload == {"case_id": "c-1"}
    assert session.scalar(select(func.count()).select_from(Job).where(Job.key.like("dsr.remind@%"))) == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "NoDots", "payload": {}}, "kind"),
        ({"kind": "a.b", "payload": {"x": object()}}, "payload"),
        ({"kind": "a.b", "payload": {"x": "y" * 5000}}, "payload"),
        ({"kind": "a.b", "payload": {}, "key": " "}, "key"),
        ({"kind": "a.b", "payload": {}, "run_after": datetime(2030, 1, 1)}, "run_after"),  # noqa: DTZ001
    ],
)
def test_unusable_input_names_the_field_and_writes_nothing(
    session: Session, values: dict[str, object], field: str
) -> None:
    before = session.scalar(select(func.count()).select_from(Job))
    with pytest.raises(ValidationFailed) as caught:
        enqueue(session, **values)  # type: ignore[arg-type]
    assert any(problem.startswith(f"{field}:") for problem in caught.value.details["errors"])
    assert session.scalar(select(func.count()).select_from(Job)) == before


def test_a_rolled_back_unit_of_work_leaves_no_job(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    marker = f"k-{uuid.uuid4()}"

    def enqueue_then_fail() -> None:
        with unit_of_work(factory) as session:
            enqueue(session, kind="dsr.remind", payload={}, key=marker)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    with unit_of_work(factory) as session:
        kept = enqueue(session, kind="dsr.remind", payload={}, key=f"{marker}-kept")
    with unit_of_work(factory) as session:
        keys = list(session.scalars(select(Job.key)))
        assert keys == [f"{marker}-kept"]
        assert session.get_one(Job, kept).state == JobState.PENDING
        assert engine_of(session) == EngineName.EMBEDDED
    engine.dispose()


def test_a_job_for_later_keeps_its_time(session: Session) -> None:
    later = datetime.now(UTC) + timedelta(days=3)
    job_id = enqueue(session, kind="incidents.deadline", payload={"incident_id": "i-1"}, run_after=later)
    assert session.get_one(Job, job_id).run_after == later


@pytest.mark.postgres
def test_procrastinate_deferral_shares_the_callers_transaction(fresh_database_url: str) -> None:
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("procrastinate runs on PostgreSQL (set MAMORI_TEST_DATABASE_URL)")
    from mamori.jobs.procrastinate_engine import use_engine

    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        waiting = enqueue(session, kind="dsr.remind", payload={})
    with unit_of_work(factory) as session:
        assert use_engine(session, EngineName.PROCRASTINATE) == 1  # the job waiting is handed over

    def enqueue_then_fail() -> None:
        with unit_of_work(factory) as session:
            enqueue(session, kind="dsr.remind", payload={}, key="rolled-back")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    with unit_of_work(factory) as session:
        committed = enqueue(session, kind="dsr.remind", payload={}, key="kept")
        assert enqueue(session, kind="dsr.remind", payload={}, key="kept") == committed
        assert engine_of(session) == EngineName.PROCRASTINATE
    with engine.connect() as conn:
        deferred = conn.execute(
            text("SELECT args->>'job_id', status, queue_name, task_name FROM procrastinate_jobs ORDER BY id")
        ).all()
    assert [tuple(row) for row in deferred] == [
        (str(waiting), "todo", "mamori", "mamori.run_job"),
        (str(committed), "todo", "mamori", "mamori.run_job"),
    ]
    engine.dispose()

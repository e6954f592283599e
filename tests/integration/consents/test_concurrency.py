"""Writers recording consents for the same person at once each commit, and the projection stays right."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mamori.consents import rules
from mamori.consents.models import ConsentEvent, ConsentState
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from tests.factories.consents import MAILINGS, create_plain_subject, ensure_policy, record_consent

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class TestConcurrentRecordConsent:
    def test_parallel_writers_keep_projection_equal_to_fold(self, fresh_database_url: str) -> None:
        engine = make_engine(fresh_database_url, pool_size=8)
        factory = make_session_factory(engine)
        with unit_of_work(factory) as session:
            ensure_policy(session)
            subject_id = create_plain_subject(session).id

        def write(n: int) -> None:
            with unit_of_work(factory) as session:
                action = "given" if n % 2 else "withdrawn"
                record_consent(session, subject_id, action=action, occurred_at=T0 + timedelta(minutes=n % 5))

        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(write, range(24)))
        with unit_of_work(factory) as session:
            events = list(session.scalars(select(ConsentEvent)))
            state = session.get_one(ConsentState, (subject_id, MAILINGS))
            assert len(events) == 24
            assert state.event_id == rules.fold(events)[MAILINGS].event_id
        engine.dispose()

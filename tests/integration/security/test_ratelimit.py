"""Rate-limit counters in the database: shared by processes, keyed by HMAC, old windows deleted."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.security.ratelimit import Limit, RateCounter, RateLimited, hit

NOW = datetime(2026, 12, 7, 11, 0, 30, tzinfo=UTC)
LIMIT = Limit("address:test", 3, 600)


class TestHit:
    def test_the_fourth_hit_in_a_window_is_refused_with_the_seconds_left(
        self, session: Session, settings: Settings
    ) -> None:
        for _ in range(3):
            hit(session, settings, LIMIT, "203.0.113.7", now=NOW)
        with pytest.raises(RateLimited) as refused:
            hit(session, settings, LIMIT, "203.0.113.7", now=NOW)
        assert refused.value.retry_after == 570
        hit(session, settings, LIMIT, "203.0.113.8", now=NOW)  # another address has its own budget
        hit(session, settings, LIMIT, "203.0.113.7", now=NOW + timedelta(seconds=570))  # the next window

    def test_only_keyed_hashes_are_stored_and_ended_windows_are_deleted(
        self, session: Session, settings: Settings
    ) -> None:
        hit(session, settings, LIMIT, "203.0.113.7", now=NOW)
        [key] = session.scalars(select(RateCounter.key)).all()
        assert "203.0.113" not in key
        assert len(key) == 64
        hit(session, settings, LIMIT, "198.51.100.1", now=NOW + timedelta(hours=1))
        assert session.scalar(select(func.count()).select_from(RateCounter)) == 1


def test_processes_counting_at_once_lose_no_hit(fresh_database_url: str) -> None:
    """Eight connections (as eight API processes would) each count one hit of one address, at once."""
    settings = Settings(database_url=fresh_database_url, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    wide = Limit("address:test", 100, 600)
    barrier, errors = threading.Barrier(8), []

    def count() -> None:
        try:
            barrier.wait(timeout=30)
            with unit_of_work(factory) as session:
                hit(session, settings, wide, "203.0.113.7")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with unit_of_work(factory) as session:
        hits = session.scalar(select(func.sum(RateCounter.hits)))
    engine.dispose()
    assert errors == []
    assert hits == 8

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from mamori.errors import ValidationFailed
from mamori.jobs.rules import MAX_BACKOFF, backoff, error_text, slot_key, slot_start


@pytest.mark.parametrize(
    ("attempts", "expected"),
    [(0, 0), (1, 5), (2, 10), (3, 20), (4, 40), (30, MAX_BACKOFF.total_seconds())],
)
def test_backoff_doubles_from_the_base_up_to_an_hour(attempts: int, expected: float) -> None:
    assert backoff(attempts, base=timedelta(seconds=5)).total_seconds() == expected


def test_no_base_means_no_wait() -> None:
    assert backoff(3, base=timedelta(0)) == timedelta(0)


def test_error_text_keeps_no_personal_data() -> None:
    assert error_text(ValueError("mail to yamada@example.jp failed")) == "ValueError"
    assert error_text(ValidationFailed("the case is closed")) == "ValidationFailed: the case is closed"
    assert (
        error_text(ConnectionRefusedError(111, "Connection refused"))
        == "ConnectionRefusedError: Connection refused"
    )
    driver = psycopg.errors.UniqueViolation("duplicate key value\nDETAIL: Key (email)=(yamada@example.jp)")
    wrapped = OperationalError("INSERT ... 'yamada@example.jp'", {"email": "yamada@example.jp"}, driver)
    assert error_text(wrapped) == "UniqueViolation: duplicate key value"
    assert len(error_text(ValidationFailed("x" * 900))) == 500


def test_slots_are_aligned_and_keyed_by_their_start() -> None:
    now = datetime(2026, 12, 1, 10, 7, 31, tzinfo=UTC)
    assert slot_start(now, timedelta(minutes=5)) == datetime(2026, 12, 1, 10, 5, tzinfo=UTC)
    assert slot_key("notify.dispatch", now, timedelta(minutes=1)) == "notify.dispatch@2026-12-01T10:07:00Z"
    assert slot_key("a.b", now, timedelta(hours=6)) == "a.b@2026-12-01T06:00:00Z"

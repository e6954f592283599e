"""Retention periods and cut-offs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mamori.retention.rules import cutoff, subtract_period


class TestSubtractPeriod:
    @pytest.mark.parametrize(
        ("moment", "period", "expected"),
        [
            (date(2026, 12, 8), "P5Y", date(2021, 12, 8)),
            (date(2026, 3, 31), "P1M", date(2026, 2, 28)),
            (date(2024, 2, 29), "P1Y", date(2023, 2, 28)),
            (date(2026, 1, 5), "P30D", date(2025, 12, 6)),
            (date(2026, 1, 31), "P1Y1M1D", date(2024, 12, 30)),
            (date(2026, 1, 5), "P0D", date(2026, 1, 5)),
        ],
    )
    def test_calendar_arithmetic(self, moment: date, period: str, expected: date) -> None:
        assert subtract_period(moment, period) == expected

    def test_cutoff_keeps_the_time_of_day_and_zone(self) -> None:
        assert cutoff(datetime(2026, 12, 8, 3, 4, 5, tzinfo=UTC), "P7Y") == datetime(
            2019, 12, 8, 3, 4, 5, tzinfo=UTC
        )

    def test_refuses_a_period_that_is_not_one(self) -> None:
        with pytest.raises(ValueError, match="not an ISO 8601 period"):
            subtract_period(date(2026, 1, 1), "5 years")

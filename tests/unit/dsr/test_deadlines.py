"""Deadline rules of request cases on the Japanese business calendar (pure functions)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mamori.calendar.rules import is_business_day
from mamori.calendar.service import appi_calendar
from mamori.dsr.deadlines import (
    appi_deadlines,
    is_overdue,
    pipl_deadlines,
    reminder_day,
    subtract_business_days,
)

CAL = appi_calendar()
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2031, 12, 31))


def _business_days_between(start: date, end: date) -> int:
    """Business days in (start, end]."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_business_day(CAL, day)
    return count


class TestAppiDeadlines:
    def test_golden_week_2027_is_skipped(self) -> None:
        # Fri 23 Apr 2027; 29 Apr (Showa Day) and 3-5 May are holidays.
        due = appi_deadlines(CAL, date(2027, 4, 23), 10)
        assert due.target == date(2027, 5, 13)
        assert due.art39 == date(2027, 5, 7)
        assert due.cap is None

    def test_new_year_closure_and_coming_of_age_day_are_skipped(self) -> None:
        # Fri 25 Dec 2026; closed 29 Dec-3 Jan, 11 Jan 2027 is Coming of Age Day.
        due = appi_deadlines(CAL, date(2026, 12, 25), 10)
        assert due.target == date(2027, 1, 15)
        assert due.art39 == date(2027, 1, 8)

    def test_a_request_received_in_the_closure_counts_from_the_first_business_day(self) -> None:
        assert appi_deadlines(CAL, date(2026, 12, 30), 1).target == date(2027, 1, 4)

    @given(days, st.integers(min_value=1, max_value=40))
    def test_target_is_the_nth_business_day_after_receipt(self, received: date, n: int) -> None:
        due = appi_deadlines(CAL, received, n)
        assert is_business_day(CAL, due.target)
        assert _business_days_between(received, due.target) == n
        assert due.art39 - received == timedelta(days=14)


class TestPiplDeadlines:
    def test_fifteen_working_days_across_the_new_year(self) -> None:
        due = pipl_deadlines(CAL, date(2026, 12, 25), 15, 30)
        assert due.target == date(2027, 1, 22)
        assert due.cap == date(2027, 1, 24)

    def test_the_cap_wins_when_the_working_days_run_past_it(self) -> None:
        due = pipl_deadlines(CAL, date(2027, 4, 23), 15, 20)
        assert due.target == date(2027, 5, 13)

    def test_a_cap_on_a_closed_day_pulls_the_target_to_the_business_day_before(self) -> None:
        due = pipl_deadlines(CAL, date(2027, 4, 23), 15, 16)  # cap Sunday 9 May
        assert due.cap == date(2027, 5, 9)
        assert due.target == date(2027, 5, 7)

    @given(days, st.integers(min_value=1, max_value=20), st.integers(min_value=0, max_value=20))
    def test_target_never_passes_the_cap(self, received: date, working: int, extra: int) -> None:
        due = pipl_deadlines(CAL, received, working, working + extra)
        assert due.cap is not None
        assert received < due.target <= due.cap
        assert _business_days_between(received, due.target) <= working


class TestReminders:
    def test_three_business_days_before_a_target_after_golden_week(self) -> None:
        assert reminder_day(CAL, date(2027, 5, 7), 3) == date(2027, 4, 28)

    @given(days, st.integers(min_value=0, max_value=20))
    def test_subtracting_then_adding_business_days_returns_to_a_business_day(self, d: date, n: int) -> None:
        start = appi_deadlines(CAL, d, 1).target  # some business day
        earlier = subtract_business_days(CAL, start, n)
        assert _business_days_between(earlier, start) == n
        assert n == 0 or is_business_day(CAL, earlier)

    def test_overdue_only_after_the_target_day(self) -> None:
        assert not is_overdue(date(2027, 1, 15), date(2027, 1, 15))
        assert is_overdue(date(2027, 1, 15), date(2027, 1, 16))

"""Deadline rules of request cases on the Japanese business calendar (pure functions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.calendar.rules import is_business_day
from mamori.calendar.service import appi_calendar
from mamori.dsr.deadlines import (
    appi_deadlines,
    art39_overruns,
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
    def test_golden_week_2027_target_keeps_before_the_art39_date(self) -> None:
        # Fri 23 Apr 2027; 29 Apr (Showa Day) and 3-5 May are holidays: 10 business days end 13 May,
        # after the Art. 39 date of 7 May, so the target is the day before it (Thu 6 May).
        due = appi_deadlines(CAL, date(2027, 4, 23), 10)
        assert due.target == date(2027, 5, 6)
        assert due.art39 == date(2027, 5, 7)
        assert due.cap is None

    def test_the_year_end_closure_does_not_push_the_target_past_the_art39_date(self) -> None:
        # Fri 25 Dec 2026; closed 29 Dec-3 Jan, 11 Jan 2027 is Coming of Age Day: 10 business days end
        # 15 Jan, a week after the Art. 39 date of 8 Jan.
        due = appi_deadlines(CAL, date(2026, 12, 25), 10)
        assert due.art39 == date(2027, 1, 8)
        assert due.target == date(2027, 1, 7)

    def test_an_eve_on_a_closed_day_moves_the_target_to_the_business_day_before(self) -> None:
        # Mon 28 Dec 2026: Art. 39 date Mon 11 Jan 2027 (a holiday), eve Sunday 10 Jan → Fri 8 Jan.
        due = appi_deadlines(CAL, date(2026, 12, 28), 10)
        assert due.art39 == date(2027, 1, 11)
        assert due.target == date(2027, 1, 8)

    def test_a_request_received_in_the_closure_counts_from_the_first_business_day(self) -> None:
        assert appi_deadlines(CAL, date(2026, 12, 30), 1).target == date(2027, 1, 4)

    def test_without_the_cap_the_target_is_the_plain_business_day_count(self) -> None:
        due = appi_deadlines(CAL, date(2026, 12, 25), 10, within_art39=False)
        assert due.target == date(2027, 1, 15)

    @pytest.mark.parametrize("target_days", [1, 5, 9, 10, 14, 40])
    def test_every_receipt_day_of_2026_and_2027_is_answered_before_the_art39_date(
        self, target_days: int
    ) -> None:
        received = date(2026, 1, 1)
        while received <= date(2027, 12, 31):
            due = appi_deadlines(CAL, received, target_days)
            assert due.target < due.art39, received
            assert due.art39 - received == timedelta(days=14)
            assert is_business_day(CAL, due.target) or not any(
                is_business_day(CAL, received + timedelta(days=k)) for k in range(1, 14)
            )
            received += timedelta(days=1)

    @given(days, st.integers(min_value=1, max_value=40))
    def test_target_is_the_nth_business_day_or_the_last_before_art39(self, received: date, n: int) -> None:
        due = appi_deadlines(CAL, received, n)
        plain = appi_deadlines(CAL, received, n, within_art39=False)
        assert _business_days_between(received, plain.target) == n
        assert due.target <= plain.target
        assert due.target < due.art39
        if due.target < plain.target:  # capped: no business day between the target and the Art. 39 date
            assert _business_days_between(due.target, due.art39 - timedelta(days=1)) == 0

    def test_overruns_name_the_receipt_days_whose_plain_target_reaches_art39(self) -> None:
        overruns = art39_overruns(CAL, 10, date(2026, 12, 1), 60)
        assert date(2026, 12, 25) in overruns
        assert date(2027, 12, 28) in art39_overruns(CAL, 5, date(2026, 1, 1), 731)  # closure + holiday
        assert art39_overruns(CAL, 3, date(2026, 1, 1), 731) == []


class TestPiplDeadlines:
    def test_fifteen_working_days_across_the_new_year_keep_before_art39(self) -> None:
        due = pipl_deadlines(CAL, date(2026, 12, 25), 15, 30)
        assert due.target == date(2027, 1, 7)
        assert due.cap == date(2027, 1, 24)
        uncapped = pipl_deadlines(CAL, date(2026, 12, 25), 15, 30, within_art39=False)
        assert uncapped.target == date(2027, 1, 22)

    def test_the_cap_wins_when_the_working_days_run_past_it(self) -> None:
        due = pipl_deadlines(CAL, date(2027, 4, 23), 15, 20, within_art39=False)
        assert due.target == date(2027, 5, 13)

    def test_a_cap_on_a_closed_day_pulls_the_target_to_the_business_day_before(self) -> None:
        due = pipl_deadlines(CAL, date(2027, 4, 23), 15, 16, within_art39=False)  # cap Sunday 9 May
        assert due.cap == date(2027, 5, 9)
        assert due.target == date(2027, 5, 7)

    @given(days, st.integers(min_value=1, max_value=20), st.integers(min_value=0, max_value=20))
    def test_target_never_passes_the_cap_nor_art39(self, received: date, working: int, extra: int) -> None:
        due = pipl_deadlines(CAL, received, working, working + extra)
        assert due.cap is not None
        assert received < due.target <= due.cap
        assert due.target < due.art39
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

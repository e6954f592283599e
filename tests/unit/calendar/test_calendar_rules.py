from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.calendar.rules import (
    BusinessCalendar,
    add_business_days,
    add_business_time,
    business_time_between,
    deadline,
    is_business_day,
    is_open,
    last_open_end,
    next_opening,
    roll_forward,
)
from mamori.calendar.service import appi_calendar, japanese_holidays

TOKYO = ZoneInfo("Asia/Tokyo")
APPI = appi_calendar()
MICRO = timedelta(microseconds=1)


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def _no_holidays(_d: date) -> bool:
    return False


def make_calendar(
    *,
    closed_weekdays: frozenset[int] = frozenset({5, 6}),
    closures: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (),
    opens: time = time(10),
    closes: time = time(17),
) -> BusinessCalendar:
    return BusinessCalendar(
        is_holiday=_no_holidays,
        closed_weekdays=closed_weekdays,
        closures=closures,
        opens=opens,
        closes=closes,
        tz=TOKYO,
    )


# --- strategies -------------------------------------------------------------------------------------

dates = st.dates(date(2024, 1, 1), date(2029, 12, 31))
_REFERENCE_YEAR = date(2023, 1, 1)  # not a leap year, so every generated month-day exists


@st.composite
def closed_periods(draw: st.DrawFn) -> tuple[tuple[int, int], tuple[int, int]]:
    first = _REFERENCE_YEAR + timedelta(days=draw(st.integers(0, 364)))
    last = first + timedelta(days=draw(st.integers(0, 20)))
    return (first.month, first.day), (last.month, last.day)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    opens_minute = draw(st.integers(0, 23 * 60 + 58))
    closes_minute = draw(st.integers(opens_minute + 1, 23 * 60 + 59))
    return BusinessCalendar(
        is_holiday=draw(st.sampled_from([japanese_holidays(), _no_holidays])),
        closed_weekdays=draw(st.frozensets(st.integers(0, 6), max_size=5)),
        closures=tuple(draw(st.lists(closed_periods(), max_size=2))),
        opens=time(*divmod(opens_minute, 60)),
        closes=time(*divmod(closes_minute, 60)),
        tz=TOKYO,
    )


zones = st.sampled_from([UTC, TOKYO, timezone(timedelta(hours=-5))])
# Hypothesis takes naive bounds and attaches the drawn zone itself.
_FIRST, _LAST = datetime(2025, 1, 1), datetime(2027, 12, 31)  # noqa: DTZ001
instants = st.datetimes(_FIRST, _LAST, timezones=zones)


def _opening_hours(cal: BusinessCalendar) -> timedelta:
    return datetime.combine(date.min, cal.closes) - datetime.combine(date.min, cal.opens)


def _grid(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    points, current = [], start
    while current < end:
        points.append(current)
        current += step
    return points


def _walk_days(cal: BusinessCalendar, a: datetime, b: datetime) -> timedelta:
    """Opening time in [a, b) by walking every local day (the plain definition)."""
    total, day = timedelta(0), a.astimezone(cal.tz).date()
    while b > a and day <= b.astimezone(cal.tz).date():
        if is_business_day(cal, day):
            start = max(a, datetime.combine(day, cal.opens, tzinfo=cal.tz))
            end = min(b, datetime.combine(day, cal.closes, tzinfo=cal.tz))
            total += max(end - start, timedelta(0))
        day += timedelta(days=1)
    return total


# --- tests ------------------------------------------------------------------------------------------


class TestBusinessCalendar:
    def test_rejects_opening_at_or_after_closing(self) -> None:
        with pytest.raises(ValueError, match="open before it closes"):
            make_calendar(opens=time(17), closes=time(17))

    def test_rejects_a_week_with_no_open_day(self) -> None:
        with pytest.raises(ValueError, match="proper subset"):
            make_calendar(closed_weekdays=frozenset(range(7)))

    def test_rejects_an_impossible_month(self) -> None:
        with pytest.raises(ValueError, match="month and day"):
            make_calendar(closures=(((13, 1), (1, 3)),))


class TestIsBusinessDay:
    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (date(2026, 7, 16), True),  # an ordinary Thursday
            (date(2026, 7, 18), False),  # Saturday
            (date(2026, 7, 20), False),  # Marine Day
            (date(2027, 3, 22), False),  # substitute holiday for Sunday 2027-03-21
            (date(2026, 9, 22), False),  # "national holiday" between two holidays
            (date(2026, 12, 28), True),
            (date(2026, 12, 29), False),  # year-end closure starts
            (date(2027, 1, 3), False),  # year-end closure ends
            (date(2027, 1, 4), True),
        ],
    )
    def test_appi_calendar(self, day: date, expected: bool) -> None:
        assert is_business_day(APPI, day) is expected

    def test_closure_inside_one_year(self) -> None:
        cal = make_calendar(closures=(((8, 13), (8, 16)),))
        assert [is_business_day(cal, date(2027, 8, d)) for d in (12, 13, 16, 17)] == [
            True,
            False,
            False,
            True,
        ]


class TestRollForward:
    def test_saturday_rolls_to_monday(self) -> None:
        assert roll_forward(APPI, date(2026, 7, 18)) == date(2026, 7, 21)  # Monday is Marine Day

    def test_fails_rather_than_loops_when_always_closed(self) -> None:
        cal = make_calendar(closures=(((1, 2), (1, 1)),))  # wraps round the whole year
        with pytest.raises(ValueError, match="no business day"):
            roll_forward(cal, date(2026, 1, 1))


class TestAddBusinessDays:
    def test_skips_silver_week(self) -> None:
        # Mon 21 Respect for the Aged Day, Tue 22 national holiday, Wed 23 Autumnal Equinox Day.
        assert add_business_days(APPI, date(2026, 9, 18), 1) == date(2026, 9, 24)

    def test_zero_on_a_closed_day_is_the_next_business_day(self) -> None:
        assert add_business_days(APPI, date(2026, 7, 4), 0) == date(2026, 7, 6)

    def test_zero_on_a_business_day_is_that_day(self) -> None:
        assert add_business_days(APPI, date(2026, 7, 6), 0) == date(2026, 7, 6)

    def test_counts_from_a_closed_day(self) -> None:
        assert add_business_days(APPI, date(2026, 7, 4), 1) == date(2026, 7, 6)
        assert add_business_days(APPI, date(2026, 7, 4), 2) == date(2026, 7, 7)

    def test_rejects_negative(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            add_business_days(APPI, date(2026, 7, 6), -1)

    @given(cal=calendars(), d=dates, n=st.integers(0, 30))
    def test_lands_on_the_nth_business_day(self, cal: BusinessCalendar, d: date, n: int) -> None:
        result = add_business_days(cal, d, n)
        assert result >= d
        assert is_business_day(cal, result)
        between = [d + timedelta(days=i) for i in range(1, (result - d).days + 1)]
        expected = n if n > 0 else int(result > d)  # n = 0 rolls a closed day forward
        assert sum(is_business_day(cal, day) for day in between) == expected


class TestDeadline:
    def test_substitute_holiday_pushes_saturday_to_tuesday(self) -> None:
        # Day 30 is Sat 2027-03-20; Sun 21 is the equinox and Mon 22 its substitute holiday.
        assert deadline(APPI, date(2027, 2, 19), 30) == date(2027, 3, 23)

    def test_year_end_moves_to_fourth_of_january(self) -> None:
        assert deadline(APPI, date(2026, 12, 1), 30) == date(2027, 1, 4)  # day 30 is 30 Dec

    def test_year_end_then_weekend_moves_further(self) -> None:
        assert deadline(APPI, date(2025, 12, 2), 30) == date(2026, 1, 5)  # 4 Jan 2026 is a Sunday

    def test_golden_week(self) -> None:
        assert deadline(APPI, date(2026, 4, 4), 30) == date(2026, 5, 7)  # day 30 is Sun 3 May

    def test_business_day_is_kept(self) -> None:
        assert deadline(APPI, date(2026, 6, 1), 30) == date(2026, 6, 30)

    def test_day_of_knowledge_is_day_one(self) -> None:
        assert deadline(APPI, date(2026, 6, 30), 1) == date(2026, 6, 30)

    def test_rejects_empty_period(self) -> None:
        with pytest.raises(ValueError, match="at least one day"):
            deadline(APPI, date(2026, 6, 1), 0)

    @given(cal=calendars(), start=dates, days=st.integers(1, 90))
    def test_first_business_day_on_or_after_last_day(
        self, cal: BusinessCalendar, start: date, days: int
    ) -> None:
        last = start + timedelta(days=days - 1)
        result = deadline(cal, start, days)
        assert result >= last
        assert is_business_day(cal, result)
        gap = [last + timedelta(days=i) for i in range((result - last).days)]
        assert not any(is_business_day(cal, day) for day in gap)


class TestIsOpen:
    @pytest.mark.parametrize(
        ("instant", "expected"),
        [
            (jst(2026, 7, 16, 9, 59, 59, 999999), False),
            (jst(2026, 7, 16, 10), True),
            (jst(2026, 7, 16, 16, 59, 59, 999999), True),
            (jst(2026, 7, 16, 17), False),
            (jst(2026, 7, 18, 12), False),  # Saturday
            (datetime(2026, 7, 16, 1, tzinfo=UTC), True),  # 10:00 JST
            (datetime(2026, 7, 16, 0, 59, tzinfo=UTC), False),  # 09:59 JST
        ],
    )
    def test_opening_hours(self, instant: datetime, expected: bool) -> None:
        assert is_open(APPI, instant) is expected

    def test_rejects_naive(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            is_open(APPI, datetime(2026, 7, 16, 12))  # noqa: DTZ001

    @given(cal=calendars(), t=instants)
    def test_agrees_with_business_time(self, cal: BusinessCalendar, t: datetime) -> None:
        assert is_open(cal, t) is (business_time_between(cal, t, t + MICRO) == MICRO)


class TestNextOpening:
    def test_open_instant_is_returned_unchanged(self) -> None:
        assert next_opening(APPI, jst(2026, 7, 16, 16, 59)) == jst(2026, 7, 16, 16, 59)

    def test_before_opening_on_a_business_day(self) -> None:
        assert next_opening(APPI, jst(2026, 7, 16, 8, 30)) == jst(2026, 7, 16, 10)

    def test_friday_close_before_a_holiday_monday_opens_tuesday(self) -> None:
        assert next_opening(APPI, jst(2026, 7, 17, 17)) == jst(2026, 7, 21, 10)  # Mon 20 is Marine Day

    def test_friday_close_before_silver_week_opens_thursday(self) -> None:
        assert next_opening(APPI, jst(2026, 9, 18, 17)) == jst(2026, 9, 24, 10)

    def test_result_is_in_the_calendar_zone(self) -> None:
        result = next_opening(APPI, datetime(2026, 7, 17, 8, 30, tzinfo=UTC))  # Fri 17:30 JST
        assert result.utcoffset() == timedelta(hours=9)
        assert result == jst(2026, 7, 21, 10)

    def test_rejects_naive(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            next_opening(APPI, datetime(2026, 7, 16, 12))  # noqa: DTZ001

    @given(cal=calendars(), t=instants)
    def test_is_the_first_open_instant(self, cal: BusinessCalendar, t: datetime) -> None:
        result = next_opening(cal, t)
        assert result >= t
        assert is_open(cal, result)
        if result != t:
            assert not is_open(cal, result - MICRO)
        assert not any(is_open(cal, p) for p in _grid(t, result, timedelta(minutes=30)))


class TestBusinessTimeBetween:
    def test_friday_afternoon_to_monday_morning(self) -> None:
        assert business_time_between(APPI, jst(2026, 7, 3, 16), jst(2026, 7, 6, 11)) == timedelta(hours=2)

    def test_over_a_holiday_weekend(self) -> None:
        # Fri 16:00 to Tue 11:00 with Marine Day on Monday: still one hour each side.
        assert business_time_between(APPI, jst(2026, 7, 17, 16), jst(2026, 7, 21, 11)) == timedelta(hours=2)

    def test_instants_in_other_zones(self) -> None:
        a = datetime(2026, 7, 3, 7, tzinfo=UTC)  # Fri 16:00 JST
        b = datetime(2026, 7, 5, 22, tzinfo=timezone(timedelta(hours=-4)))  # Mon 11:00 JST
        assert business_time_between(APPI, a, b) == timedelta(hours=2)

    def test_reversed_interval_is_zero(self) -> None:
        assert business_time_between(APPI, jst(2026, 7, 6, 11), jst(2026, 7, 3, 16)) == timedelta(0)

    def test_rejects_naive(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            business_time_between(APPI, jst(2026, 7, 3, 16), datetime(2026, 7, 6, 11))  # noqa: DTZ001

    @given(cal=calendars(), points=st.lists(instants, min_size=3, max_size=3))
    def test_additive(self, cal: BusinessCalendar, points: list[datetime]) -> None:
        a, b, c = sorted(points)
        whole = business_time_between(cal, a, c)
        assert whole == business_time_between(cal, a, b) + business_time_between(cal, b, c)

    @given(cal=calendars(), a=instants, t=instants)
    def test_positive_exactly_before_the_last_open_end(
        self, cal: BusinessCalendar, a: datetime, t: datetime
    ) -> None:
        end = last_open_end(cal, t)
        assert end <= t
        assert business_time_between(cal, end, t) == timedelta(0)
        assert (business_time_between(cal, a, t) > timedelta(0)) is (a < end)

    def test_last_open_end_at_opening_and_closing(self) -> None:
        # Tue 21 Jul 2026 10:00 (after Marine Day): the last open time ended Fri 17 Jul 17:00.
        assert last_open_end(APPI, jst(2026, 7, 21, 10)) == jst(2026, 7, 17, 17)
        assert last_open_end(APPI, jst(2026, 7, 21, 10, 1)) == jst(2026, 7, 21, 10, 1)
        assert last_open_end(APPI, jst(2026, 7, 21, 17)) == jst(2026, 7, 21, 17)
        assert last_open_end(APPI, jst(2026, 7, 21, 18)) == jst(2026, 7, 21, 17)

    @given(cal=calendars(), a=instants, b=instants)
    def test_equals_the_day_by_day_sum(self, cal: BusinessCalendar, a: datetime, b: datetime) -> None:
        # The running totals over whole days give what walking every day gives (the definition).
        assert business_time_between(cal, a, b) == _walk_days(cal, a, b)

    def test_across_the_year_end_closure_and_new_years_holidays(self) -> None:
        # Sat 26 Dec 2026 .. Tue 12 Jan 2027: Mon 28 Dec is open, 29 Dec-3 Jan closed, Mon 11 Jan
        # is Coming-of-Age Day: 28 Dec, 4-8 Jan (5 days) and Tue 12 Jan until 11:00.
        left = business_time_between(APPI, jst(2026, 12, 26, 12), jst(2027, 1, 12, 11))
        assert left == timedelta(hours=6 * 7 + 1)
        assert left == _walk_days(APPI, jst(2026, 12, 26, 12), jst(2027, 1, 12, 11))

    @given(cal=calendars(), a=instants, b=instants)
    def test_between_zero_and_wall_time(self, cal: BusinessCalendar, a: datetime, b: datetime) -> None:
        assert timedelta(0) <= business_time_between(cal, a, b) <= max(b - a, timedelta(0))


class TestAddBusinessTime:
    def test_inquiry_at_1659_before_a_holiday_monday(self) -> None:
        # One minute is left on Friday; the next business minute starts Tuesday 10:00.
        assert add_business_time(APPI, jst(2026, 7, 17, 16, 59), timedelta(minutes=2)) == jst(
            2026, 7, 21, 10, 1
        )

    def test_inquiry_at_1659_before_silver_week(self) -> None:
        result = add_business_time(APPI, jst(2026, 9, 18, 16, 59), timedelta(minutes=2))
        assert result == jst(2026, 9, 24, 10, 1)

    def test_target_used_up_at_closing_is_closing_time(self) -> None:
        assert add_business_time(APPI, jst(2026, 7, 17, 16), timedelta(hours=1)) == jst(2026, 7, 17, 17)

    def test_received_while_closed_starts_at_opening(self) -> None:
        assert add_business_time(APPI, jst(2026, 7, 18, 12), timedelta(hours=3)) == jst(2026, 7, 21, 13)

    def test_spans_several_days(self) -> None:
        # 3 business days of 7 hours from Thu 2026-07-16 12:00: Thu 5h, Fri 7h, Tue 7h, Wed 2h.
        result = add_business_time(APPI, jst(2026, 7, 16, 12), timedelta(hours=21))
        assert result == jst(2026, 7, 22, 12)

    def test_zero_is_the_same_instant(self) -> None:
        assert add_business_time(APPI, jst(2026, 7, 18, 12), timedelta(0)) == jst(2026, 7, 18, 12)

    def test_rejects_negative(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            add_business_time(APPI, jst(2026, 7, 17, 16), timedelta(minutes=-1))

    def test_rejects_naive(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            add_business_time(APPI, datetime(2026, 7, 17, 16), timedelta(hours=1))  # noqa: DTZ001

    @given(cal=calendars(), t=instants, data=st.data())
    def test_inverse_of_business_time_between(
        self, cal: BusinessCalendar, t: datetime, data: st.DataObject
    ) -> None:
        delta = data.draw(st.timedeltas(timedelta(0), 30 * _opening_hours(cal)))
        result = add_business_time(cal, t, delta)
        assert result >= t
        assert business_time_between(cal, t, result) == delta
        if delta:
            assert business_time_between(cal, t, result - MICRO) < delta

    @given(cal=calendars(), a=instants, b=instants)
    def test_reaches_no_later_than_the_end(self, cal: BusinessCalendar, a: datetime, b: datetime) -> None:
        result = add_business_time(cal, a, business_time_between(cal, a, b))
        assert result <= max(a, b)
        assert business_time_between(cal, result, b) == timedelta(0)

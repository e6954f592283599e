from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from mamori.calendar.rules import deadline, is_business_day, is_open, next_opening
from mamori.calendar.service import appi_calendar, calendar_from_contact_centre, japanese_holidays
from mamori.config import DEFAULT_POLICY_DIR
from mamori.policy.schema import ContactCentre

TOKYO = ZoneInfo("Asia/Tokyo")
TEXT = {"ja": "窓口", "en": "Desk", "zh-Hans": "窗口", "zh-Hant": "窗口"}


def make_centre(**fields: Any) -> ContactCentre:
    return ContactCentre.model_validate({"name": TEXT, "topics": TEXT, "languages": ["ja"], **fields})


class TestJapaneseHolidays:
    @pytest.mark.parametrize(
        "day",
        [
            date(2026, 1, 1),  # New Year's Day
            date(2026, 5, 6),  # substitute holiday for Constitution Day on a Sunday
            date(2026, 9, 22),  # national holiday sandwiched between two holidays
            date(2027, 3, 22),  # substitute holiday for the Vernal Equinox Day on a Sunday
            date(2019, 5, 1),  # one-off: the Emperor's enthronement
        ],
    )
    def test_national_holidays(self, day: date) -> None:
        assert japanese_holidays()(day)

    @pytest.mark.parametrize(
        "day",
        [
            date(2026, 7, 16),  # ordinary Thursday
            date(2026, 7, 18),  # a Saturday is not a holiday in itself
            date(2026, 12, 29),  # the year-end break is customary, not a national holiday
            date(2027, 1, 4),
        ],
    )
    def test_other_days(self, day: date) -> None:
        assert not japanese_holidays()(day)

    def test_moving_holidays_follow_the_year(self) -> None:
        # Respect for the Aged Day is the third Monday of September.
        is_holiday = japanese_holidays()
        assert [is_holiday(date(2026, 9, 21)), is_holiday(date(2027, 9, 20))] == [True, True]
        assert [is_holiday(date(2026, 9, 20)), is_holiday(date(2027, 9, 21))] == [False, False]


class TestCalendarFromContactCentre:
    def test_defaults_match_the_policy_promise(self) -> None:
        cal = calendar_from_contact_centre(make_centre())
        assert (cal.opens, cal.closes, cal.tz) == (time(10), time(17), TOKYO)
        assert cal.closed_weekdays == frozenset({5, 6})
        assert not is_business_day(cal, date(2027, 3, 22))

    def test_hours_and_weekdays(self) -> None:
        cal = calendar_from_contact_centre(
            make_centre(opens="09:30", closes="18:15", closed_weekdays=["sun", "wed"])
        )
        assert is_open(cal, datetime(2026, 7, 18, 9, 30, tzinfo=TOKYO))  # Saturday
        assert not is_open(cal, datetime(2026, 7, 15, 12, tzinfo=TOKYO))  # Wednesday
        assert is_open(cal, datetime(2026, 7, 16, 18, 14, tzinfo=TOKYO))
        assert not is_open(cal, datetime(2026, 7, 16, 18, 15, tzinfo=TOKYO))

    def test_open_on_national_holidays_when_the_policy_says_so(self) -> None:
        cal = calendar_from_contact_centre(make_centre(closed_on_national_holidays=False))
        assert is_business_day(cal, date(2027, 3, 22))

    def test_closures_wrap_past_the_year_end(self) -> None:
        closure = {"name": TEXT, "start": "12-29", "end": "01-03"}
        cal = calendar_from_contact_centre(make_centre(closures=[closure]))
        assert cal.closures == (((12, 29), (1, 3)),)
        assert next_opening(cal, datetime(2026, 12, 28, 17, tzinfo=TOKYO)) == datetime(
            2027, 1, 4, 10, tzinfo=TOKYO
        )

    def test_shipped_policy(self) -> None:
        data = yaml.safe_load((DEFAULT_POLICY_DIR / "contact.yaml").read_text(encoding="utf-8"))
        cal = calendar_from_contact_centre(ContactCentre.model_validate(data["contact_centre"]))
        assert not is_business_day(cal, date(2026, 12, 31))
        assert next_opening(cal, datetime(2026, 9, 18, 17, tzinfo=TOKYO)) == datetime(
            2026, 9, 24, 10, tzinfo=TOKYO
        )


class TestAppiCalendar:
    def test_year_end_weekends_and_holidays_are_closed(self) -> None:
        cal = appi_calendar()
        closed = [date(2026, 12, 29) + timedelta(days=i) for i in range(6)]
        assert not any(is_business_day(cal, day) for day in closed)
        assert is_business_day(cal, date(2026, 12, 28))
        assert not is_business_day(cal, date(2026, 7, 18))
        assert not is_business_day(cal, date(2026, 7, 20))

    def test_final_breach_report_deadline(self) -> None:
        # Known on Fri 1 May 2026: day 30 is Sat 30 May, so the final report is due Mon 1 June.
        assert deadline(appi_calendar(), date(2026, 5, 1), 30) == date(2026, 6, 1)

    def test_default_hours(self) -> None:
        cal = appi_calendar()
        assert (cal.opens, cal.closes, cal.tz) == (time(10), time(17), TOKYO)

"""Calendars built from real data: Japanese national holidays and the policy's contact centre."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mamori.calendar.rules import BusinessCalendar, ClosedPeriod, MonthDay
from mamori.policy.schema import ContactCentre

TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAY_NUMBERS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
WEEKEND = frozenset({5, 6})
# APPI Rule 7 guidelines: a deadline on 29 Dec–3 Jan moves to the next business day.
YEAR_END_CLOSURE: ClosedPeriod = ((12, 29), (1, 3))


@cache
def _japan() -> Any:
    """The ``Japan`` class of the ``holidays`` package, loaded alone.

    ``import holidays.countries.japan`` first imports ``holidays.countries``, which imports every
    country the package knows (about 250 modules, half a second of every command's start). The
    Japan module imports only the package's base classes, so it is loaded from its file directly.
    """
    loaded = sys.modules.get("holidays.countries.japan")
    if loaded is not None:
        return loaded.Japan
    package = importlib.util.find_spec("holidays")
    if package is None or package.origin is None:  # pragma: no cover - a declared dependency
        raise ModuleNotFoundError("holidays")
    spec = importlib.util.spec_from_file_location(
        "mamori.calendar._japan_holidays", Path(package.origin).parent / "countries" / "japan.py"
    )
    if spec is None or spec.loader is None:  # pragma: no cover - the package's layout
        raise ModuleNotFoundError("holidays.countries.japan")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Japan


@cache
def _japanese_holidays_in(year: int) -> frozenset[date]:
    # The package covers 1949–2099; outside that range a year simply has no holidays.
    return frozenset(_japan()(years=year))


def _is_japanese_holiday(d: date) -> bool:
    return d in _japanese_holidays_in(d.year)


def _no_holidays(_d: date) -> bool:
    return False


def japanese_holidays() -> Callable[[date], bool]:
    """Predicate for Japanese national holidays, including substitute and in-between holidays.

    Built on ``holidays.Japan()``; each year's holidays are computed once and cached.
    """
    return _is_japanese_holiday


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _month_day(text: str) -> MonthDay:
    month, day = text.split("-")
    return int(month), int(day)


def calendar_from_contact_centre(centre: ContactCentre) -> BusinessCalendar:
    """The business calendar of the contact centre declared in a policy bundle."""
    holiday = japanese_holidays() if centre.closed_on_national_holidays else _no_holidays
    return BusinessCalendar(
        is_holiday=holiday,
        closed_weekdays=frozenset(WEEKDAY_NUMBERS[day] for day in centre.closed_weekdays),
        closures=tuple((_month_day(c.start), _month_day(c.end)) for c in centre.closures),
        opens=_clock(centre.opens),
        closes=_clock(centre.closes),
        tz=ZoneInfo(centre.timezone),
    )


@cache
def appi_calendar() -> BusinessCalendar:
    """The calendar for APPI legal deadlines: weekends, national holidays and 29 Dec–3 Jan closed.

    Opening hours default to 10:00–17:00 Asia/Tokyo (REQUIREMENTS B.6, VII).
    """
    return BusinessCalendar(
        is_holiday=japanese_holidays(),
        closed_weekdays=WEEKEND,
        closures=(YEAR_END_CLOSURE,),
        opens=time(10),
        closes=time(17),
        tz=TOKYO,
    )

"""Pure calendar rules: business days, legal deadlines and opening-hours arithmetic.

Dates are local calendar dates in the calendar's time zone. Instants must be timezone-aware; a naive
datetime raises ValueError, because guessing its zone would silently move a deadline. Instants
returned are aware and expressed in the calendar's zone (``cal.tz``). Opening hours are the
half-open interval ``[opens, closes)`` of every business day: the centre is open at 10:00:00 and
closed at 17:00:00. The zone is assumed to have no daylight-saving jump inside opening hours, which
holds for Asia/Tokyo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

MonthDay = tuple[int, int]
ClosedPeriod = tuple[MonthDay, MonthDay]

# No sane calendar is closed for two whole years; past this a search would never end.
MAX_CLOSED_RUN = 2 * 366
_DAY = timedelta(days=1)
_WEEKDAYS = frozenset(range(7))


@dataclass(frozen=True)
class BusinessCalendar:
    """When an office works: closed weekdays, holidays, yearly closures and daily opening hours.

    Attributes:
        is_holiday: True for a public holiday (injected, e.g. Japanese national holidays).
        closed_weekdays: weekdays the office never opens, 0 = Monday … 6 = Sunday.
        closures: yearly closed periods as inclusive (month, day) ranges; a range whose start is
            after its end wraps past the year end, e.g. ((12, 29), (1, 3)).
        opens: local opening time.
        closes: local closing time (exclusive), after ``opens``.
        tz: the zone the office keeps its clocks and dates in.
    """

    is_holiday: Callable[[date], bool]
    closed_weekdays: frozenset[int]
    closures: tuple[ClosedPeriod, ...]
    opens: time
    closes: time
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if not self.closed_weekdays <= _WEEKDAYS or self.closed_weekdays == _WEEKDAYS:
            raise ValueError("closed weekdays must be a proper subset of 0 (Monday) … 6 (Sunday)")
        if self.opens >= self.closes:
            raise ValueError("the office must open before it closes")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opening hours are local wall-clock times without a zone")
        for start, end in self.closures:
            _check_month_day(start)
            _check_month_day(end)


def _check_month_day(month_day: MonthDay) -> None:
    month, day = month_day
    if not (1 <= month <= 12 and 1 <= day <= 31):  # noqa: PLR2004 - the calendar's own bounds
        raise ValueError(f"not a month and day: {month_day!r}")


def _in_closure(closure: ClosedPeriod, d: date) -> bool:
    start, end = closure
    month_day = (d.month, d.day)
    if start <= end:
        return start <= month_day <= end
    return month_day >= start or month_day <= end


def _require_aware(t: datetime) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got naive {t.isoformat()}")


def is_business_day(cal: BusinessCalendar, d: date) -> bool:
    """True when ``d`` is not a closed weekday, not a holiday and not in a yearly closure."""
    if d.weekday() in cal.closed_weekdays or cal.is_holiday(d):
        return False
    return not any(_in_closure(closure, d) for closure in cal.closures)


def roll_forward(cal: BusinessCalendar, d: date) -> date:
    """``d`` itself if it is a business day, else the first business day after it.

    Raises:
        ValueError: the calendar has no business day within ``MAX_CLOSED_RUN`` days of ``d``.
    """
    for offset in range(MAX_CLOSED_RUN + 1):
        candidate = d + timedelta(days=offset)
        if is_business_day(cal, candidate):
            return candidate
    raise ValueError(f"no business day within {MAX_CLOSED_RUN} days of {d.isoformat()}")


def add_business_days(cal: BusinessCalendar, d: date, n: int) -> date:
    """The ``n``-th business day strictly after ``d``; ``d`` itself need not be a business day.

    ``n == 0`` means "no later than d, on a business day": ``d`` if it is one, else the next. So a
    Saturday plus 0 and plus 1 are both the following Monday (when Monday is open): work received
    on a closed day is treated as received on the next business day.

    Raises:
        ValueError: ``n`` is negative.
    """
    if n < 0:
        raise ValueError(f"cannot add a negative number of business days: {n}")
    result = roll_forward(cal, d)
    if n > 0 and result == d:
        result = roll_forward(cal, d + _DAY)
    for _ in range(n - 1):
        result = roll_forward(cal, result + _DAY)
    return result


def deadline(cal: BusinessCalendar, start: date, days: int) -> date:
    """The last day of a period of ``days`` calendar days counted with ``start`` as day 1.

    The last day is ``start + days - 1``; when it is closed (a closed weekday, a holiday or a
    yearly closure) the deadline moves to the next business day. Days inside the period are
    counted whether open or not, as for APPI breach reports (day 1 is the day of knowledge).

    Raises:
        ValueError: ``days`` is less than 1.
    """
    if days < 1:
        raise ValueError(f"a period has at least one day, got {days}")
    return roll_forward(cal, start + timedelta(days=days - 1))


def _local(cal: BusinessCalendar, t: datetime) -> datetime:
    _require_aware(t)
    return t.astimezone(cal.tz)


def _opening(cal: BusinessCalendar, d: date) -> datetime:
    return datetime.combine(d, cal.opens, tzinfo=cal.tz)


def _closing(cal: BusinessCalendar, d: date) -> datetime:
    return datetime.combine(d, cal.closes, tzinfo=cal.tz)


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


def _elapsed(a: datetime, b: datetime) -> timedelta:
    # Aware datetimes sharing one tzinfo subtract as wall clocks; UTC gives the true duration.
    return _utc(b) - _utc(a)


def is_open(cal: BusinessCalendar, t: datetime) -> bool:
    """True when ``t`` falls in opening hours ``[opens, closes)`` of a business day."""
    local = _local(cal, t)
    if not is_business_day(cal, local.date()):
        return False
    return cal.opens <= local.time() < cal.closes


def next_opening(cal: BusinessCalendar, t: datetime) -> datetime:
    """``t`` itself if the office is open at ``t``, else the next instant it opens (in ``cal.tz``)."""
    local = _local(cal, t)
    if is_open(cal, local):
        return local
    today = local.date()
    if local.time() < cal.opens and is_business_day(cal, today):
        return _opening(cal, today)
    return _opening(cal, roll_forward(cal, today + _DAY))


def business_time_between(cal: BusinessCalendar, a: datetime, b: datetime) -> timedelta:
    """Opening-hours time in ``[a, b)``: zero when ``b`` is not after ``a``."""
    a_local, b_local = _local(cal, a), _local(cal, b)
    total = timedelta(0)
    if _utc(b_local) <= _utc(a_local):
        return total
    first, last = a_local.date(), b_local.date()
    for day in {first, last}:  # the two ends are partial days
        if is_business_day(cal, day):
            start = max(a_local, _opening(cal, day), key=_utc)
            end = min(b_local, _closing(cal, day), key=_utc)
            total += max(_elapsed(start, end), timedelta(0))
    return total + _full_days(cal, first + _DAY, last - _DAY)


def _full_days(cal: BusinessCalendar, first: date, last: date) -> timedelta:
    """The opening hours of every business day in ``[first, last]`` (whole days; empty when last < first).

    Summed from per-year running totals computed once per calendar and year, so an inquiry that is
    months late costs what one due today does (lists compute this once per row).
    """
    total = timedelta(0)
    while first <= last:
        year_end = date(first.year, 12, 31)
        upto = min(last, year_end)
        running = _running_totals(cal, first.year)
        start = first.timetuple().tm_yday - 1
        total += running[upto.timetuple().tm_yday] - running[start]
        first = upto + _DAY
    return total


@lru_cache(maxsize=256)
def _running_totals(cal: BusinessCalendar, year: int) -> tuple[timedelta, ...]:
    """``[k]``: the opening hours of the business days among the first ``k`` days of ``year``."""
    totals, total, day = [timedelta(0)], timedelta(0), date(year, 1, 1)
    while day.year == year:
        if is_business_day(cal, day):
            total += _elapsed(_opening(cal, day), _closing(cal, day))
        totals.append(total)
        day += _DAY
    return tuple(totals)


def last_open_end(cal: BusinessCalendar, t: datetime) -> datetime:
    """The latest instant ``e <= t`` with no opening time in ``[e, t)`` (in ``cal.tz``).

    ``t`` itself when the office was open just before ``t``; else the last closing before ``t``. So
    ``business_time_between(cal, a, t) > 0`` exactly when ``a < last_open_end(cal, t)``: what a list
    needs to count what is late with one comparison in SQL instead of a clock per row.

    Raises:
        ValueError: the calendar has no business day within ``MAX_CLOSED_RUN`` days before ``t``.
    """
    local = _local(cal, t)
    day = local.date()
    if is_business_day(cal, day) and local > _opening(cal, day):
        return min(local, _closing(cal, day), key=_utc)
    for offset in range(1, MAX_CLOSED_RUN + 2):
        candidate = day - timedelta(days=offset)
        if is_business_day(cal, candidate):
            return _closing(cal, candidate)
    raise ValueError(f"no business day within {MAX_CLOSED_RUN} days before {day.isoformat()}")


def add_business_time(cal: BusinessCalendar, t: datetime, delta: timedelta) -> datetime:
    """The earliest instant at which ``delta`` of opening time has passed since ``t`` (in ``cal.tz``).

    Being the earliest such instant, a target used up exactly at closing time is the closing
    instant itself (Friday 17:00, not Monday 10:00), and a zero ``delta`` returns ``t``.
    ``business_time_between(cal, t, add_business_time(cal, t, delta)) == delta`` always holds.

    Raises:
        ValueError: ``delta`` is negative.
    """
    if delta < timedelta(0):
        raise ValueError(f"cannot add negative business time: {delta}")
    current = _local(cal, t)
    remaining = delta
    while remaining > timedelta(0):
        current = next_opening(cal, current)
        closing = _closing(cal, current.date())
        available = _elapsed(current, closing)
        if remaining <= available:
            return (_utc(current) + remaining).astimezone(cal.tz)
        remaining -= available
        current = closing
    return current

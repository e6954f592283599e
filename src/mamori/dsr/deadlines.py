"""Deadline rules of a case, pure: the target answer date, the APPI Art. 39 date and the PIPL cap.

All dates are local dates of the calendar (Asia/Tokyo). A request received on a closed day counts
from the next business day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mamori.calendar.rules import BusinessCalendar, add_business_days, is_business_day

# APPI Art. 39: no lawsuit until two weeks have passed since the request arrived.
ART39_DAYS = 14


@dataclass(frozen=True, slots=True)
class Deadlines:
    """``target``: answer by then. ``art39``: last day of the two weeks; a suit may follow the next day.

    ``cap``: the latest allowed day (PIPL cases), or None.
    """

    target: date
    art39: date
    cap: date | None


def art39_date(received: date) -> date:
    """The last day of the two weeks of APPI Art. 39, in calendar days from the day of receipt."""
    return received + timedelta(days=ART39_DAYS)


def before_art39(cal: BusinessCalendar, received: date, target: date) -> date:
    """``target``, pulled back to the last business day before the Art. 39 date when it is later.

    The answer is then out before the requester may sue; on a closed eve the business day before it.
    """
    eve = art39_date(received) - timedelta(days=1)
    return min(target, last_business_day_by(cal, eve, received))


def appi_deadlines(
    cal: BusinessCalendar, received: date, target_days: int, *, within_art39: bool = True
) -> Deadlines:
    """Target ``target_days`` business days after receipt, before the Art. 39 date unless opted out.

    The two weeks of Art. 39 count in calendar days; ten business days run past them in most weeks
    with a holiday, so the business-day target is capped at the day before.
    """
    target = add_business_days(cal, received, target_days)
    if within_art39:
        target = before_art39(cal, received, target)
    return Deadlines(target=target, art39=art39_date(received), cap=None)


def pipl_deadlines(
    cal: BusinessCalendar, received: date, working_days: int, cap_days: int, *, within_art39: bool = True
) -> Deadlines:
    """Target ``working_days`` business days after receipt, never after ``cap_days`` calendar days.

    When the cap falls on a closed day the target is the last business day before it, so the answer
    is due while the office works and never after the cap. The Japanese handler answers under APPI
    too, so the target also keeps before the Art. 39 date unless the bundle opts out.
    """
    cap = received + timedelta(days=cap_days)
    target = min(add_business_days(cal, received, working_days), last_business_day_by(cal, cap, received))
    if within_art39:
        target = before_art39(cal, received, target)
    return Deadlines(target=target, art39=art39_date(received), cap=cap)


def art39_overruns(cal: BusinessCalendar, target_days: int, start: date, days: int = 731) -> list[date]:
    """Receipt days from ``start`` on whose ``target_days`` business-day target is not before Art. 39."""
    overruns = []
    for offset in range(days):
        received = start + timedelta(days=offset)
        if add_business_days(cal, received, target_days) >= art39_date(received):
            overruns.append(received)
    return overruns


def last_business_day_by(cal: BusinessCalendar, d: date, floor: date) -> date:
    """The latest business day on or before ``d``, but not before ``floor`` (then ``d`` itself)."""
    day = d
    while day > floor:
        if is_business_day(cal, day):
            return day
        day -= timedelta(days=1)
    return d


def subtract_business_days(cal: BusinessCalendar, d: date, n: int) -> date:
    """The ``n``-th business day strictly before ``d`` (``d`` itself when ``n`` is 0).

    Raises:
        ValueError: ``n`` is negative.
    """
    if n < 0:
        raise ValueError(f"cannot subtract a negative number of business days: {n}")
    day = d
    for _ in range(n):
        day -= timedelta(days=1)
        while not is_business_day(cal, day):
            day -= timedelta(days=1)
    return day


def reminder_day(cal: BusinessCalendar, target: date, business_days_before: int) -> date:
    """When to remind the office of a case due on ``target``."""
    return subtract_business_days(cal, target, business_days_before)


def is_overdue(target: date, today: date) -> bool:
    """A case not answered by the end of its target day is overdue from the next day."""
    return today > target


def business_days_left(cal: BusinessCalendar, today: date, target: date) -> int:
    """Business days after ``today`` up to and including ``target``; past the target, minus the days late.

    0: the target is today (or the next business day has not come). Calendar days are walked one
    by one, so the cost grows with the distance (a case is due within weeks, never years).
    """
    if target >= today:
        return sum(
            1 for n in range(1, (target - today).days + 1) if is_business_day(cal, today + timedelta(n))
        )
    return -sum(1 for n in range((today - target).days) if is_business_day(cal, target + timedelta(n + 1)))

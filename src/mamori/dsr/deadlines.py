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


def appi_deadlines(cal: BusinessCalendar, received: date, target_days: int) -> Deadlines:
    """Target ``target_days`` business days after receipt; the two weeks of Art. 39 in calendar days."""
    return Deadlines(
        target=add_business_days(cal, received, target_days),
        art39=received + timedelta(days=ART39_DAYS),
        cap=None,
    )


def pipl_deadlines(cal: BusinessCalendar, received: date, working_days: int, cap_days: int) -> Deadlines:
    """Target ``working_days`` business days after receipt, never after ``cap_days`` calendar days.

    When the cap falls on a closed day the target is the last business day before it, so the answer
    is due while the office works and never after the cap.
    """
    cap = received + timedelta(days=cap_days)
    target = min(add_business_days(cal, received, working_days), last_business_day_by(cal, cap, received))
    return Deadlines(target=target, art39=received + timedelta(days=ART39_DAYS), cap=cap)


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

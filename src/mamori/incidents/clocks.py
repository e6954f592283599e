"""Deadline clocks of an incident, as pure functions of the facts, the assessment and the calendar.

APPI (Rule 8): day 1 is the day any department knew of a reportable situation (the day of knowledge,
or the day a later fact made the incident reportable); the preliminary report is due after the
bundle's target (3 to 5 days), the final one after 30 days, 60 when an unlawful purpose is suspected;
a last day on a weekend, a national holiday or 29 Dec-3 Jan moves to the next business day. Notices
to individuals are due "promptly": the bundle's target, counted the same way. PIPL clocks run in
hours from the moment of knowledge. Every clock knows when it expires and whether it is done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar

from mamori.calendar.rules import BusinessCalendar, deadline
from mamori.incidents.rules import Assessment, Facts
from mamori.policy.sections.incidents import FINAL_DAYS, FINAL_DAYS_UNLAWFUL, IncidentRules

T = TypeVar("T")


class ClockCode(StrEnum):
    PPC_PRELIMINARY = "ppc_preliminary"
    PPC_FINAL = "ppc_final"
    INDIVIDUALS = "individual_notice"
    PIPL_AUTHORITY = "pipl_authority"
    PIPL_INDIVIDUALS = "pipl_individuals"


class ClockStatus(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    PENDING = "pending"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Clock:
    """One deadline: it runs from ``starts_on`` (day 1) and expires at ``due_at``.

    ``due_on`` is the last local day for day clocks (after moving off closed days) and the local day
    of ``due_at`` for hour clocks.
    """

    code: ClockCode
    starts_on: date
    due_on: date
    due_at: datetime
    days: int | None = None
    hours: int | None = None
    done_at: datetime | None = None

    def status(self, now: datetime, *, soon_days: int = 2) -> ClockStatus:
        """Done, overdue, due soon (from ``soon_days`` local days before the last day) or pending."""
        if self.done_at is not None:
            return ClockStatus.DONE
        if now >= self.due_at:
            return ClockStatus.OVERDUE
        today = now.astimezone(self.due_at.tzinfo).date()
        return (
            ClockStatus.DUE_SOON if today >= self.due_on - timedelta(days=soon_days) else ClockStatus.PENDING
        )


def _end_of_day(cal: BusinessCalendar, day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=cal.tz)


def day_clock(cal: BusinessCalendar, code: ClockCode, start: date, days: int) -> Clock:
    """A clock of ``days`` calendar days with ``start`` as day 1, ending with the (moved) last day."""
    last = deadline(cal, start, days)
    return Clock(code, start, last, _end_of_day(cal, last), days=days)


def hour_clock(cal: BusinessCalendar, code: ClockCode, start: datetime, hours: int) -> Clock:
    due = (start + timedelta(hours=hours)).astimezone(cal.tz)
    return Clock(code, start.astimezone(cal.tz).date(), due.date(), due, hours=hours)


def final_days(facts: Facts) -> int:
    return FINAL_DAYS_UNLAWFUL if facts.unlawful_purpose is not None else FINAL_DAYS


def clocks(  # noqa: PLR0913 - the inputs of every clock
    cal: BusinessCalendar,
    facts: Facts,
    assessment: Assessment,
    rules: IncidentRules,
    *,
    reportable_since: datetime | None = None,
    done: Mapping[ClockCode, datetime] | None = None,
) -> tuple[Clock, ...]:
    """The clocks that run for this incident, each marked done when ``done`` has its instant."""
    done = done or {}
    running: list[Clock] = []
    if assessment.reportable:
        since = max(facts.known_at, reportable_since or facts.known_at)
        start = since.astimezone(cal.tz).date()
        running += [
            day_clock(cal, ClockCode.PPC_PRELIMINARY, start, rules.preliminary_days),
            day_clock(cal, ClockCode.PPC_FINAL, start, final_days(facts)),
            day_clock(cal, ClockCode.INDIVIDUALS, start, rules.individual_notice_days),
        ]
    if assessment.pipl_notice:
        hours = rules.pipl_major_hours if facts.pipl_major else rules.pipl_notice_hours
        running += [
            hour_clock(cal, ClockCode.PIPL_AUTHORITY, facts.known_at, hours),
            hour_clock(cal, ClockCode.PIPL_INDIVIDUALS, facts.known_at, hours),
        ]
    return tuple(_with_done(clock, done.get(clock.code)) for clock in running)


def _with_done(clock: Clock, at: datetime | None) -> Clock:
    if at is None:
        return clock
    return Clock(clock.code, clock.starts_on, clock.due_on, clock.due_at, clock.days, clock.hours, at)


_RANK = {ClockStatus.OVERDUE: 0, ClockStatus.DUE_SOON: 1, ClockStatus.PENDING: 2, ClockStatus.DONE: 3}


def attention_order(items: list[tuple[Clock, T]], now: datetime) -> list[tuple[Clock, T]]:
    """Overdue clocks first, then the ones due soon, then the rest; earliest expiry first in each."""
    return sorted(items, key=lambda pair: (_RANK[pair[0].status(now)], pair[0].due_at, str(pair[0].code)))


def reminder_due(clock: Clock, now: datetime, reminder_days: list[int], cal: BusinessCalendar) -> int | None:
    """The reminder to send now: days left before the last day (-1 once overdue), None if none is due.

    Of the reminders whose day has come, the one closest to the deadline is returned, so a sweep that
    ran late sends one reminder, not a backlog of them.
    """
    if clock.done_at is not None:
        return None
    if now >= clock.due_at:
        return -1
    today = now.astimezone(cal.tz).date()
    reached = [days for days in reminder_days if today >= clock.due_on - timedelta(days=days)]
    return min(reached) if reached else None

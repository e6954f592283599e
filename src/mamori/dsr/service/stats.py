"""Weekly figures of request cases for the dashboard: received, and answered by their target date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.db.base import utcnow
from mamori.db.buckets import range_counts
from mamori.dsr.models import Case
from mamori.dsr.service.common import tokyo_date


@dataclass(frozen=True, slots=True)
class Week:
    starts_on: date  # a Monday (Japan time)
    received: int
    answered_on_time: int
    answered_late: int


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_requests(session: Session, *, weeks: int = 12, today: date | None = None) -> list[Week]:
    """The last ``weeks`` weeks, oldest first (the current week last).

    Counted in SQL (range counts by Tokyo week, and by Tokyo day for the answered ones: answered on
    day ``d`` is on time when ``target_on >= d``), so no case row is loaded however many there are.
    """
    first = week_start(today or tokyo_date(utcnow())) - timedelta(weeks=weeks - 1)
    days = [first + timedelta(days=d) for d in range(7 * weeks + 1)]
    starts = [datetime.combine(day, time.min, tzinfo=TOKYO) for day in days]
    received = range_counts(session, Case.received_at, starts[::7])
    answered = range_counts(session, Case.responded_at, starts)
    on_time_by_day = range_counts(session, Case.responded_at, starts, at_least=(Case.target_on, days))
    on_time = [sum(on_time_by_day[7 * w : 7 * w + 7]) for w in range(weeks)]
    late = [sum(answered[7 * w : 7 * w + 7]) - on_time[w] for w in range(weeks)]
    return [Week(first + timedelta(weeks=i), received[i], on_time[i], late[i]) for i in range(weeks)]

"""Weekly figures of request cases for the dashboard: received, and answered by their target date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.db.base import utcnow
from mamori.db.buckets import bucket
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

    Counted in SQL by Tokyo week (received) and Tokyo day and target date (answered), the bucket
    boundaries computed here, so no case row is loaded however many there are.
    """
    first = week_start(today or tokyo_date(utcnow())) - timedelta(weeks=weeks - 1)
    days = [datetime.combine(first + timedelta(days=d), time.min, tzinfo=TOKYO) for d in range(7 * weeks + 1)]
    received = [0] * weeks
    on_time, late = [0] * weeks, [0] * weeks
    week = bucket(Case.received_at, days[::7])
    stmt = select(week, func.count()).where(Case.received_at >= days[0], Case.received_at < days[-1])
    for index, count in session.execute(stmt.group_by(week)):  # a clock set wrong elsewhere: no bucket
        if index is not None:
            received[int(index)] += count
    day = bucket(Case.responded_at, days)
    stmt = select(day, Case.target_on, func.count()).where(
        Case.responded_at >= days[0], Case.responded_at < days[-1]
    )
    for index, target, count in session.execute(stmt.group_by(day, Case.target_on)):
        if index is None:
            continue
        answered_on = first + timedelta(days=int(index))
        (on_time if answered_on <= target else late)[int(index) // 7] += count
    return [Week(first + timedelta(weeks=i), received[i], on_time[i], late[i]) for i in range(weeks)]

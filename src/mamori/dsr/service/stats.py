"""Weekly figures of request cases for the dashboard: received, and answered by their target date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.db.base import utcnow
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
    """The last ``weeks`` weeks, oldest first (the current week last)."""
    first = week_start(today or tokyo_date(utcnow())) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, time.min, tzinfo=TOKYO)
    received = [0] * weeks
    on_time, late = [0] * weeks, [0] * weeks
    for got in session.scalars(select(Case.received_at).where(Case.received_at >= since)):
        index = (tokyo_date(got) - first).days // 7
        if index < weeks:  # a clock set wrong elsewhere must not break the dashboard
            received[index] += 1
    stmt = select(Case.responded_at, Case.target_on).where(Case.responded_at >= since)
    for responded, target in session.execute(stmt):
        if responded is None:
            continue
        index = (tokyo_date(responded) - first).days // 7
        if index >= weeks:
            continue
        (on_time if tokyo_date(responded) <= target else late)[index] += 1
    return [Week(first + timedelta(weeks=i), received[i], on_time[i], late[i]) for i in range(weeks)]

"""Weekly figures of incidents for the dashboard: registered per week, reportable or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.db.base import utcnow
from mamori.incidents.models import Incident


@dataclass(frozen=True, slots=True)
class IncidentWeek:
    starts_on: date
    reportable: int
    not_reportable: int


def weekly_incidents(session: Session, *, weeks: int = 12, today: date | None = None) -> list[IncidentWeek]:
    """The last ``weeks`` weeks (Japan time, Monday first, by the day it became known), oldest first.

    Reportable is the incident's current assessment (it may have changed since it was registered).
    """
    today = today or utcnow().astimezone(TOKYO).date()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, time.min, tzinfo=TOKYO)
    yes, no = [0] * weeks, [0] * weeks
    stmt = select(Incident.known_at, Incident.reportable).where(Incident.known_at >= since)
    for known, reportable in session.execute(stmt):
        index = (known.astimezone(TOKYO).date() - first).days // 7
        if 0 <= index < weeks:
            (yes if reportable else no)[index] += 1
    return [IncidentWeek(first + timedelta(weeks=i), yes[i], no[i]) for i in range(weeks)]

"""Weekly figures of inquiries for the dashboard: received per week and language, complaints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.db.base import utcnow
from mamori.db.buckets import bucket
from mamori.inquiries.models import Inquiry


@dataclass(frozen=True, slots=True)
class InquiryWeek:
    starts_on: date
    by_language: dict[str, int]
    complaints: int


def weekly_inquiries(session: Session, *, weeks: int = 12, today: date | None = None) -> list[InquiryWeek]:
    """The last ``weeks`` weeks (Japan time, Monday first), oldest first."""
    today = today or utcnow().astimezone(TOKYO).date()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    starts = [datetime.combine(first + timedelta(weeks=i), time.min, tzinfo=TOKYO) for i in range(weeks + 1)]
    counts: list[Counter[str]] = [Counter() for _ in range(weeks)]
    complaints = [0] * weeks
    week = bucket(Inquiry.received_at, starts)
    stmt = (
        select(week, Inquiry.language, Inquiry.category, func.count())
        .where(Inquiry.received_at >= starts[0], Inquiry.received_at < starts[-1])
        .group_by(week, Inquiry.language, Inquiry.category)
    )  # counted in SQL by Tokyo week (boundaries computed here): no inquiry row is loaded
    for index, language, category, count in session.execute(stmt):
        if index is None:
            continue
        counts[int(index)][language] += count
        complaints[int(index)] += count if category == "complaint" else 0
    return [InquiryWeek(first + timedelta(weeks=i), dict(counts[i]), complaints[i]) for i in range(weeks)]

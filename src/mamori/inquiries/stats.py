"""Weekly figures of inquiries for the dashboard: received per week and language, complaints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.db.base import utcnow
from mamori.db.buckets import range_groups
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
    # counted in SQL by Tokyo week (range counts on the received instant): no inquiry row is loaded
    for index, language, category, count in range_groups(
        session, Inquiry.received_at, starts, Inquiry.language, Inquiry.category
    ):
        counts[index][language] += count
        complaints[index] += count if category == "complaint" else 0
    return [InquiryWeek(first + timedelta(weeks=i), dict(counts[i]), complaints[i]) for i in range(weeks)]

"""Weekly figures of inquiries for the dashboard: received per week and language, complaints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.db.base import utcnow
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
    since = datetime.combine(first, time.min, tzinfo=TOKYO)
    counts: list[Counter[str]] = [Counter() for _ in range(weeks)]
    complaints = [0] * weeks
    stmt = select(Inquiry.received_at, Inquiry.language, Inquiry.category).where(Inquiry.received_at >= since)
    for received, language, category in session.execute(stmt):
        index = (received.astimezone(TOKYO).date() - first).days // 7
        if index >= weeks:
            continue
        counts[index][language] += 1
        complaints[index] += category == "complaint"
    return [InquiryWeek(first + timedelta(weeks=i), dict(counts[i]), complaints[i]) for i in range(weeks)]

"""Weekly figures of inquiries by channel, and of complaints by language and channel, for the dashboard."""

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
class ChannelWeek:
    starts_on: date
    by_channel: dict[str, int]
    complaints_by_channel: dict[str, int]
    complaints_by_language: dict[str, int]


def weekly_channels(session: Session, *, weeks: int = 12, today: date | None = None) -> list[ChannelWeek]:
    """The last ``weeks`` weeks (Japan time, Monday first), oldest first."""
    today = today or utcnow().astimezone(TOKYO).date()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, time.min, tzinfo=TOKYO)
    channels: list[Counter[str]] = [Counter() for _ in range(weeks)]
    complaint_channels: list[Counter[str]] = [Counter() for _ in range(weeks)]
    complaint_languages: list[Counter[str]] = [Counter() for _ in range(weeks)]
    stmt = select(Inquiry.received_at, Inquiry.channel, Inquiry.language, Inquiry.category).where(
        Inquiry.received_at >= since
    )
    for received, channel, language, category in session.execute(stmt):
        index = (received.astimezone(TOKYO).date() - first).days // 7
        if not 0 <= index < weeks:
            continue
        channels[index][channel] += 1
        if category == "complaint":
            complaint_channels[index][channel] += 1
            complaint_languages[index][language] += 1
    return [
        ChannelWeek(
            first + timedelta(weeks=i),
            dict(channels[i]),
            dict(complaint_channels[i]),
            dict(complaint_languages[i]),
        )
        for i in range(weeks)
    ]

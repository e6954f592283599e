"""The dashboard's weekly figures, counted in SQL by Tokyo week and day, equal counting row by row.

The oracle walks every row in Python (as the figures were first computed); the rows sit on the
edges that matter: a Tokyo Monday 00:00 (UTC Sunday 15:00), the microsecond before it, an answer
on the target date's last minute and on the next day's first.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.config import Settings
from mamori.dsr.models import Case
from mamori.dsr.service.stats import weekly_requests
from mamori.inquiries.models import Inquiry
from mamori.inquiries.stats import weekly_inquiries
from tests.factories.dsr import create_case
from tests.factories.inquiries import create_inquiry

TODAY = date(2026, 12, 9)  # a Wednesday; the current week starts Monday 7 December
FIRST = date(2026, 9, 21)  # the Monday eleven weeks before
MICRO = timedelta(microseconds=1)


def _tokyo(day: date, at: time = time.min) -> datetime:
    return datetime.combine(day, at, tzinfo=TOKYO)


def _oracle_requests(session: Session) -> list[tuple[int, int, int]]:
    received, on_time, late = [0] * 12, [0] * 12, [0] * 12
    for case in session.scalars(select(Case)):
        index = (case.received_at.astimezone(TOKYO).date() - FIRST).days // 7
        if 0 <= index < 12:
            received[index] += 1
        if case.responded_at is not None:
            answered = case.responded_at.astimezone(TOKYO).date()
            index = (answered - FIRST).days // 7
            if 0 <= index < 12:
                (on_time if answered <= case.target_on else late)[index] += 1
    return list(zip(received, on_time, late, strict=True))


class TestWeeklyRequests:
    def test_sql_buckets_equal_the_row_by_row_count(self, session: Session, settings: Settings) -> None:
        edges = [
            _tokyo(FIRST) - MICRO,  # the Sunday before the first week: not counted
            _tokyo(FIRST),  # the first week's first instant
            _tokyo(date(2026, 10, 5)) - MICRO,  # the last instant of week 2 (index 1)
            _tokyo(date(2026, 10, 5)),  # week 3
            _tokyo(date(2026, 12, 7), time(9)),  # the current week
            _tokyo(date(2026, 12, 14)),  # next week (a clock set wrong): not counted
        ]
        for at in edges:
            create_case(session, settings, received_at=at)
        cases = list(session.scalars(select(Case)))
        target = date(2026, 10, 20)
        for case, answered in zip(cases, [
            _tokyo(target, time(23, 59)),  # on the target day: on time
            _tokyo(target + timedelta(days=1)),  # the next day's first instant: late
            _tokyo(target + timedelta(days=1)) - MICRO,  # on time
            _tokyo(FIRST) - MICRO,  # before the weeks: not counted
        ], strict=False):  # fmt: skip
            case.target_on, case.responded_at = target, answered
        session.flush()
        weeks = weekly_requests(session, today=TODAY)
        assert [w.starts_on for w in weeks] == [FIRST + timedelta(weeks=i) for i in range(12)]
        assert [(w.received, w.answered_on_time, w.answered_late) for w in weeks] == _oracle_requests(session)
        assert sum(w.received for w in weeks) == 4
        assert (sum(w.answered_on_time for w in weeks), sum(w.answered_late for w in weeks)) == (2, 1)


class TestWeeklyInquiries:
    def test_sql_buckets_equal_the_row_by_row_count(self, session: Session, settings: Settings) -> None:
        for at, language, category in [
            (_tokyo(FIRST) - MICRO, "ja", "other"),
            (_tokyo(FIRST), "ja", "complaint"),
            (_tokyo(FIRST, time(12)), "en", "other"),
            (_tokyo(date(2026, 12, 7)) - MICRO, "zh-Hans", "complaint"),
            (_tokyo(date(2026, 12, 8)), "ja", "complaint"),
        ]:
            create_inquiry(session, settings, received_at=at, language=language, category=category)
        counts: list[Counter[str]] = [Counter() for _ in range(12)]
        complaints = [0] * 12
        for inquiry in session.scalars(select(Inquiry)):
            index = (inquiry.received_at.astimezone(TOKYO).date() - FIRST).days // 7
            if 0 <= index < 12:
                counts[index][inquiry.language] += 1
                complaints[index] += inquiry.category == "complaint"
        weeks = weekly_inquiries(session, today=TODAY)
        assert [(w.by_language, w.complaints) for w in weeks] == [
            (dict(c), n) for c, n in zip(counts, complaints, strict=True)
        ]
        assert weeks[0].by_language == {"ja": 1, "en": 1}
        assert (weeks[10].by_language, weeks[11].complaints) == ({"zh-Hans": 1}, 1)

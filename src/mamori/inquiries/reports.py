"""Complaints counted apart from other inquiries, by period, for the management review (APPI Art. 40)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.inquiries.models import Inquiry
from mamori.inquiries.rules import COMPLAINT, OPEN_STATES, State
from mamori.inquiries.schemas import ComplaintReport, CountRow
from mamori.subjects.validation import FieldError, refuse


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Tokyo calendar days ``start`` … ``end`` inclusive, as a half-open UTC interval."""
    low = datetime.combine(start, time(0), tzinfo=TOKYO).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(0), tzinfo=TOKYO).astimezone(UTC)
    return low, high


def _rows(counter: Counter[str]) -> list[CountRow]:
    return [CountRow(key=key, count=count) for key, count in sorted(counter.items())]


def _on_time(done: datetime | None, due: datetime) -> bool | None:
    return None if done is None else done <= due


def _tally(values: Iterable[bool | None]) -> tuple[int, int]:
    seen = [value for value in values if value is not None]
    return seen.count(True), seen.count(False)


def complaints_report(session: Session, start: date, end: date) -> ComplaintReport:
    """Complaints received from ``start`` to ``end`` (Tokyo dates): states, targets met, languages, channels.

    Raises:
        ValidationFailed: ``end`` is before ``start``.
    """
    if end < start:
        refuse([FieldError("end", "is before start")], "the period")
    low, high = _bounds(start, end)
    in_period = (Inquiry.received_at >= low, Inquiry.received_at < high)
    per_category = session.execute(
        select(Inquiry.category, func.count()).where(*in_period).group_by(Inquiry.category)
    ).all()
    rows = list(session.scalars(select(Inquiry).where(*in_period, Inquiry.category == COMPLAINT)))
    states = Counter(row.state for row in rows)
    first_ok, first_late = _tally(_on_time(r.first_responded_at, r.first_response_due_at) for r in rows)
    done_ok, done_late = _tally(_on_time(r.answered_at, r.resolution_due_at) for r in rows)
    return ComplaintReport(
        start=start.isoformat(),
        end=end.isoformat(),
        complaints=len(rows),
        all_inquiries=sum(count for _, count in per_category),
        open=sum(states[str(s)] for s in OPEN_STATES),
        answered_or_closed=states[State.ANSWERED] + states[State.CLOSED],
        converted=states[State.CONVERTED],
        first_response_on_time=first_ok,
        first_response_late=first_late,
        resolved_on_time=done_ok,
        resolved_late=done_late,
        by_language=_rows(Counter(row.language for row in rows)),
        by_channel=_rows(Counter(row.channel for row in rows)),
        by_month=_rows(Counter(row.received_at.astimezone(TOKYO).strftime("%Y-%m") for row in rows)),
        by_category=_rows(Counter({str(category): int(count) for category, count in per_category})),
    )

"""The audit log as the console reads it: filtered by actor, action, target and time, newest first.

Pages are keyset pages on ``seq`` (``before`` is the last ``seq`` shown): the cost of a page does
not grow with how far back one reads, over a log of tens of millions of events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.errors import ValidationFailed

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Each set field narrows the list; ``action`` ending in ``.`` matches every action of that room."""

    actor: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditPage:
    events: list[AuditEvent]
    next_before: int | None  # pass as ``before`` for the next (older) page; None on the last page


def search_events(
    session: Session, filters: AuditFilter, *, before: int | None = None, limit: int = 50
) -> AuditPage:
    """One page of the events matching ``filters``, newest first.

    Raises:
        ValidationFailed: a page size outside 1..200, or ``since`` after ``until``.
    """
    problems = []
    if not 1 <= limit <= MAX_PAGE:
        problems.append({"field": "limit", "message": f"between 1 and {MAX_PAGE}"})
    if filters.since and filters.until and filters.since > filters.until:
        problems.append({"field": "since", "message": "must not be after 'until'"})
    if problems:
        raise ValidationFailed("invalid audit filter", details={"errors": problems})
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit + 1)
    for condition in _conditions(filters):
        stmt = stmt.where(condition)
    if before is not None:
        stmt = stmt.where(AuditEvent.seq < before)
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(events=rows, next_before=rows[-1].seq if more else None)


def _conditions(filters: AuditFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.actor:
        found.append(AuditEvent.actor == filters.actor.strip())
    if filters.action:
        action = filters.action.strip()
        if action.endswith("."):
            found.append(AuditEvent.action.startswith(action, autoescape=True))
        else:
            found.append(AuditEvent.action == action)
    if filters.target_type:
        found.append(AuditEvent.target_type == filters.target_type.strip())
    if filters.target_id:
        found.append(AuditEvent.target_id == filters.target_id.strip())
    if filters.since:
        found.append(AuditEvent.occurred_at >= filters.since)
    if filters.until:
        found.append(AuditEvent.occurred_at < filters.until)
    return found

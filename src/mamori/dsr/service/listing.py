"""The staff list of request cases: filters and keyset paging, due date first (for 100k+ cases).

Paging goes by the key of the last row shown (``target_on``, ``id``), never by offset: the tenth
page costs what the first does, and a case that arrives meanwhile does not shift the pages.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from mamori.db.base import utcnow
from mamori.dsr.models import Case
from mamori.dsr.rules import OPEN_STATES
from mamori.dsr.service.common import tokyo_date

OPEN = "open"
DUE_CHOICES = ("overdue", "week", "")


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """What the list shows; empty strings mean "any". ``state`` may be ``open`` (every open state)."""

    state: str = OPEN
    request_type: str = ""
    language: str = ""
    requester_kind: str = ""
    due: str = ""  # "overdue", "week" (due within seven days) or ""


@dataclass(frozen=True, slots=True)
class CasePage:
    cases: list[Case]
    next_key: str | None  # give it back as ``after`` for the next page


def _conditions(wanted: CaseFilter, today: date) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if wanted.state == OPEN:
        found.append(Case.state.in_(sorted(OPEN_STATES)))
    elif wanted.state:
        found.append(Case.state == wanted.state)
    for column, value in (
        (Case.request_type, wanted.request_type),
        (Case.language, wanted.language),
        (Case.requester_kind, wanted.requester_kind),
    ):
        if value:
            found.append(column == value)
    if wanted.due == "overdue":
        found += [Case.target_on < today, Case.closed_at.is_(None)]
    elif wanted.due == "week":
        found += [Case.target_on <= today + timedelta(days=7), Case.closed_at.is_(None)]
    return found


def parse_key(after: str | None) -> tuple[date, uuid.UUID] | None:
    """The key of a page link (``2027-01-15~<uuid>``), or None when absent or malformed."""
    if not after:
        return None
    day, _, ident = after.partition("~")
    try:
        return date.fromisoformat(day), uuid.UUID(ident)
    except ValueError:
        return None


def page_cases(
    session: Session,
    wanted: CaseFilter,
    *,
    after: str | None = None,
    size: int = 50,
    today: date | None = None,
) -> CasePage:
    """One page of cases, earliest target date first."""
    today = today or tokyo_date(utcnow())
    stmt = select(Case).where(*_conditions(wanted, today))
    key = parse_key(after)
    if key is not None:
        stmt = stmt.where(or_(Case.target_on > key[0], and_(Case.target_on == key[0], Case.id > key[1])))
    rows = list(session.scalars(stmt.order_by(Case.target_on, Case.id).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if more and rows else None
    return CasePage(cases=rows, next_key=f"{last.target_on.isoformat()}~{last.id}" if last else None)


def count_cases(session: Session, wanted: CaseFilter, *, today: date | None = None) -> int:
    today = today or tokyo_date(utcnow())
    return int(session.scalar(select(func.count()).select_from(Case).where(*_conditions(wanted, today))) or 0)

"""Business days left per case, for the staff lists and the dashboard (no query: the cases are given)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from mamori.db.base import utcnow
from mamori.dsr.deadlines import business_days_left
from mamori.dsr.models import Case
from mamori.dsr.service import common


def days_left(session: Session, cases: Iterable[Case]) -> dict[uuid.UUID, int | None]:
    """Per case: business days until its target date (negative: days late); None once it is closed."""
    cases = list(cases)
    if not cases:
        return {}
    cal = common.business_calendar(common.policy(session))
    today = common.tokyo_date(utcnow())
    return {
        c.id: None if c.closed_at is not None else business_days_left(cal, today, c.target_on) for c in cases
    }

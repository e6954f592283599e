"""The dashboard's inquiry block (open_summary) gives what the full inbox (open_views) gives.

The summary counts in SQL and reads only the first inquiries in due order; the inbox computes every
open inquiry's clock. Both must agree on the first rows, the open count and the late count, across a
weekend and a holiday, with ties, answered and waiting inquiries, at several instants.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.inquiries import service
from mamori.inquiries.views import open_summary, open_views
from tests.factories.inquiries import create_inquiry
from tests.integration.inquiries.conftest import TOKYO, FakeClock


def _agree(session: Session, now: datetime, size: int) -> None:
    views = open_views(session, now=now)
    summary = open_summary(session, now=now, size=size)
    assert [v.id for v in summary.due] == [v.id for v in views[:size]]
    assert [v.remaining for v in summary.due] == [v.remaining for v in views[:size]]
    assert summary.open == len(views)
    assert summary.late == sum(1 for v in views if v.remaining_business_minutes < 0)


@pytest.mark.parametrize("size", [1, 3, 8])
def test_the_summary_equals_the_inbox(
    session: Session, settings: Settings, clock: FakeClock, size: int
) -> None:
    made = []
    for day, hour, minute, category in [
        (10, 10, 0, "other"), (10, 10, 0, "other"), (10, 16, 59, "complaint"),  # Thursday, two tied
        (11, 16, 0, "other"), (12, 11, 0, "complaint"),  # Friday; Saturday (counts from Monday)
        (14, 9, 0, "other"), (17, 12, 0, "complaint"),  # Monday before opening; Thursday
    ]:  # fmt: skip
        clock.set(2026, 12, day, hour, minute)
        made.append(create_inquiry(session, settings, category=category))
    clock.set(2026, 12, 14, 12, 0)
    service.close(session, "user:sato", made[3].id)
    made[1].paused_since = datetime(2026, 12, 11, 11, 0, tzinfo=TOKYO)  # waiting for the person
    made[2].first_responded_at = datetime(2026, 12, 10, 17, 30, tzinfo=TOKYO)  # runs to resolution
    session.flush()
    for instant in [
        datetime(2026, 12, 10, 18, 0, tzinfo=TOKYO), datetime(2026, 12, 11, 16, 59, tzinfo=TOKYO),
        datetime(2026, 12, 14, 10, 0, tzinfo=TOKYO), datetime(2026, 12, 15, 17, 0, tzinfo=TOKYO),
        datetime(2026, 12, 19, 12, 0, tzinfo=TOKYO), datetime(2027, 1, 4, 10, 30, tzinfo=TOKYO),
    ]:  # fmt: skip
        _agree(session, instant, size)
    late = open_summary(session, now=datetime(2027, 1, 4, 10, 30, tzinfo=TOKYO), size=size)
    assert late.open == 6
    assert late.late == 6


def test_no_open_inquiry(session: Session, settings: Settings, clock: FakeClock) -> None:
    clock.set(2026, 12, 10, 10, 0)
    service.close(session, "user:sato", create_inquiry(session, settings).id)
    summary = open_summary(session, now=clock.now + timedelta(days=1))
    assert (summary.due, summary.open, summary.late) == ([], 0, 0)

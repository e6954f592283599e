"""The console's audit filters: each narrows the list, pages are keyset pages that cover every event once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from mamori.audit.search import AuditFilter, search_events
from mamori.audit.service import EventInput, record_events
from mamori.db.base import utcnow
from mamori.errors import ValidationFailed


def _record(session: Session) -> None:
    record_events(
        session, actor="user:sato", events=[EventInput("consent.withdrawn", "subject", "s1", {})] * 3
    )
    record_events(session, actor="user:ito", events=[EventInput("consent.given", "subject", "s2", {})] * 2)
    record_events(session, actor="user:ito", events=[EventInput("incident.registered", "incident", "i1", {})])


class TestSearchEvents:
    def test_each_filter_narrows_to_its_events(self, session: Session) -> None:
        _record(session)
        by_actor = search_events(session, AuditFilter(actor="user:ito")).events
        assert [e.action for e in by_actor] == ["incident.registered", "consent.given", "consent.given"]
        by_room = search_events(session, AuditFilter(action="consent.", actor="user:ito")).events
        assert {e.action for e in by_room} == {"consent.given"}
        by_target = search_events(session, AuditFilter(target_type="subject", target_id="s1")).events
        assert len(by_target) == 3
        assert all(e.actor == "user:sato" for e in by_target)

    def test_time_window(self, session: Session) -> None:
        _record(session)
        now = utcnow()
        assert (
            search_events(session, AuditFilter(actor="user:sato", until=now - timedelta(hours=1))).events
            == []
        )
        later = search_events(session, AuditFilter(actor="user:sato", since=now - timedelta(hours=1))).events
        assert len(later) == 3

    def test_pages_cover_every_event_once_newest_first(self, session: Session) -> None:
        _record(session)
        seen, before = [], None
        while True:
            page = search_events(session, AuditFilter(actor="user:sato"), before=before, limit=2)
            seen += [e.seq for e in page.events]
            if page.next_before is None:
                break
            before = page.next_before
        assert len(seen) == 3
        assert seen == sorted(seen, reverse=True)

    def test_bad_filters_are_refused(self, session: Session) -> None:
        now = utcnow()
        with pytest.raises(ValidationFailed):
            search_events(session, AuditFilter(since=now, until=now - timedelta(days=1)))
        with pytest.raises(ValidationFailed):
            search_events(session, AuditFilter(), limit=0)

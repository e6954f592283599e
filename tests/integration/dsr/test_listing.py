"""The staff list of cases: keyset pages cover every case once, in target-date order; filters apply."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.dsr.service import transition_case
from mamori.dsr.service.listing import CaseFilter, count_cases, page_cases, parse_key
from tests.factories.dsr import create_case


class TestPageCases:
    def test_pages_cover_every_case_once_in_order(self, session: Session, settings: Settings) -> None:
        made = [create_case(session, settings) for _ in range(5)]
        seen, after = [], None
        while True:
            page = page_cases(session, CaseFilter(), after=after, size=2)
            seen += page.cases
            if page.next_key is None:
                break
            after = page.next_key
        assert sorted(c.id for c in seen) == sorted(c.id for c in made)
        assert [(c.target_on, c.id) for c in seen] == sorted((c.target_on, c.id) for c in seen)

    def test_filters_by_state_and_type(self, session: Session, settings: Settings) -> None:
        kept = create_case(session, settings, request_type="correction")
        create_case(session, settings)
        transition_case(session, actor="t", case_id=kept.id, to="identity_check", reason="complete")
        wanted = CaseFilter(state="identity_check", request_type="correction")
        assert [c.id for c in page_cases(session, wanted).cases] == [kept.id]
        assert count_cases(session, CaseFilter(state="received")) == 1

    def test_a_malformed_key_starts_at_the_beginning(self) -> None:
        assert parse_key("yesterday~nobody") is None

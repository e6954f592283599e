"""The reportability answer for facts still being typed: the register's rules, nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.incidents.models import Incident
from mamori.incidents.schemas import IncidentCreate
from mamori.incidents.views import assess_draft
from tests.factories.subjects import ensure_policy


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


class TestAssessDraft:
    def test_more_than_a_thousand_people_is_reportable_with_both_ppc_clocks(self, session: Session) -> None:
        ensure_policy(session)
        before = (_count(session, Incident), _count(session, AuditEvent))
        known = datetime.now(UTC) - timedelta(hours=1)
        data = IncidentCreate(kind="leak", known_at=known, data_items=["email"], persons_known=1200)
        answer = assess_draft(session, data, lang="ja")
        assert answer.reportable
        assert [r.code for r in answer.reasons] == ["over_1000_persons"]
        assert "1,200" in answer.reasons[0].messages["en"] or "1200" in answer.reasons[0].messages["en"]
        codes = [c.code for c in answer.clocks]
        assert {"ppc_preliminary", "ppc_final"} <= set(codes)
        assert (_count(session, Incident), _count(session, AuditEvent)) == before

    def test_a_few_encrypted_addresses_are_not(self, session: Session) -> None:
        ensure_policy(session)
        known = datetime.now(UTC) - timedelta(hours=1)
        data = IncidentCreate(kind="leak", known_at=known, data_items=["email"], persons_known=10)
        answer = assess_draft(session, data)
        assert not answer.reportable
        assert answer.clocks == []
        assert [r.code for r in answer.reasons] == ["not_reportable"]

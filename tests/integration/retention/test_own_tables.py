"""Mamori's own tables: closed inquiries past retention lose the person's details and messages."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.inquiries.models import Inquiry, InquiryMessage
from mamori.retention import service
from tests.factories.inquiries import create_inquiry

NOW = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)  # the inquirers' purposes keep data 3 years: before 2023-12-08


def _close(inquiry: Inquiry, at: datetime) -> None:
    inquiry.state = "closed"
    inquiry.closed_at = at


class TestInquiries:
    def test_only_closed_inquiries_past_retention_are_emptied(
        self, session: Session, settings: Settings
    ) -> None:
        old_closed = create_inquiry(session, settings)
        recent_closed = create_inquiry(session, settings)
        old_open = create_inquiry(session, settings, received_at=datetime(2020, 1, 1, tzinfo=UTC))
        _close(old_closed, datetime(2023, 1, 1, tzinfo=UTC))
        _close(recent_closed, datetime(2024, 6, 1, tzinfo=UTC))
        session.flush()

        dry = service.start_run(session, actor="user:officer", dry_run=True, now=NOW)
        service.execute_run(session, settings, dry.id)
        table = next(t for t in service.run_dict(session, dry)["tables"] if t["dataset"] == "inquiries")
        assert (table["system"], table["retention"], table["expired"]) == ("mamori", "P3Y", 1)

        run = service.start_run(session, actor="user:officer", dry_run=False, now=NOW)
        service.execute_run(session, settings, run.id)
        table = next(t for t in service.run_dict(session, run)["tables"] if t["dataset"] == "inquiries")
        assert (table["expired"], table["changed"], table["residual"]) == (1, 1, 0)
        emptied = session.scalars(select(Inquiry.id).where(Inquiry.email_encrypted.is_(None))).all()
        assert emptied == [old_closed.id]
        assert session.get(Inquiry, old_closed.id) is not None  # the ticket stays for the statistics
        messages = dict(
            session.execute(
                select(InquiryMessage.inquiry_id, func.count()).group_by(InquiryMessage.inquiry_id)
            ).all()
        )
        assert old_closed.id not in messages
        assert messages[recent_closed.id] >= 1
        assert messages[old_open.id] >= 1

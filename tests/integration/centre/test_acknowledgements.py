"""Acknowledgements of requests and inquiries: the reference and the expected answer, in their language."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from mamori.centre.acknowledgements import acknowledge_inquiry, acknowledge_request
from mamori.config import Settings
from mamori.notify.service import Outbox
from tests.factories.dsr import create_case, requester
from tests.factories.inquiries import create_inquiry
from tests.integration.centre.conftest import mails

# Friday 25 December 2026, 11:00 in Tokyo: the New Year closure follows
CHRISTMAS = datetime(2026, 12, 25, 2, 0, tzinfo=UTC)


class TestAcknowledgeRequest:
    def test_the_requester_reads_the_reference_and_the_dates_in_their_language(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        case = create_case(session, settings, language="zh-Hans", received_at=CHRISTMAS)
        assert acknowledge_request(session, case, outbox=outbox, settings=settings)
        subject, body = mails(session, settings, "dsr.acknowledgement")[-1]
        assert subject == "我们已受理您的请求"
        assert case.reference in body
        assert "2027年1月7日" in body  # target on the business calendar (closure skipped)
        assert "2027年1月8日" in body  # Art. 39
        assert "/requests/status?lang=zh-Hans" in body

    def test_no_address_no_mail(self, session: Session, settings: Settings, outbox: Outbox) -> None:
        case = create_case(session, settings, who=requester(email=None))
        assert not acknowledge_request(session, case, outbox=outbox, settings=settings)
        assert mails(session, settings, "dsr.acknowledgement") == []


class TestAcknowledgeInquiry:
    def test_the_sender_reads_when_to_expect_a_reply(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        # Friday 26 December 2025, 17:30 in Tokyo: the answer is due after the New Year closure
        inquiry = create_inquiry(
            session, settings, language="en", received_at=datetime(2025, 12, 26, 8, 30, tzinfo=UTC)
        )
        assert acknowledge_inquiry(session, inquiry, outbox=outbox, settings=settings)
        subject, body = mails(session, settings, "inquiries.acknowledgement")[-1]
        assert subject == "We have received your inquiry"
        assert inquiry.reference in body
        assert "January 2026" in body
        assert "Japan time" in body

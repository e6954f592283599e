"""Acknowledgements of requests and inquiries: the reference and the expected answer, in their language."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy.orm import Session

from mamori.centre.acknowledgements import acknowledge_inquiry, acknowledge_request, acknowledgement_letter
from mamori.centre.status import open_status
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


class TestAcknowledgementLetter:
    def test_the_letter_carries_a_code_that_opens_the_status_and_names_no_one(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings, language="zh-Hant", received_at=CHRISTMAS)
        reference, pdf = acknowledgement_letter(session, case.id, actor="user:agent", settings=settings)
        text = "".join(unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(BytesIO(pdf)).pages)
        assert reference == case.reference
        assert reference in text
        assert "2027年1月7日" in text  # the target date
        assert "山田" not in text
        code = re.search(r"確認碼:\s*([2-9A-Z]{8})", text)
        assert code is not None, text
        assert open_status(session, reference=reference, code=code[1], settings=settings) is not None

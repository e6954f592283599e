"""Opening inquiries: encryption at rest, due instants, field errors with nothing written, rate limit."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.errors import ValidationFailed
from mamori.inquiries.intake import NewInquiry, open_inquiry
from mamori.inquiries.models import Inquiry, InquiryMessage
from mamori.inquiries.rules import State
from mamori.inquiries.views import read_thread
from mamori.security.ratelimit import RateLimited
from tests.factories.inquiries import create_inquiry
from tests.factories.subjects import create_subject, ensure_policy
from tests.integration.inquiries.conftest import TOKYO, FakeClock

SECRET_TEXT = "会員番号M0001の住所を東京都港区に変更したい"


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


class TestOpenInquiry:
    def test_contact_data_and_text_are_encrypted_at_rest(self, session: Session, settings: Settings) -> None:
        inquiry = create_inquiry(
            session,
            settings,
            message=SECRET_TEXT,
            name="鈴木 一郎",
            email="ichiro@example.jp",
            phone="090-1234-5678",
        )
        session.flush()
        dump = " ".join(
            str(value)
            for table in ("inquiries", "inquiry_messages", "audit_events")
            for row in session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed names
            for value in row
        )
        for clear in (SECRET_TEXT, "鈴木", "ichiro@example.jp", "1234-5678"):
            assert clear not in dump
        assert inquiry.reference in dump  # the reference is not personal and is stored plainly
        assert inquiry.state == State.NEW

    def test_due_instants_come_from_the_bundle_and_the_calendar(
        self, session: Session, settings: Settings, clock: FakeClock
    ) -> None:
        clock.set(2027, 1, 8, 16, 59)  # Friday before Coming of Age Day (Monday 11 January)
        complaint = create_inquiry(session, settings, category="complaint")
        other = create_inquiry(session, settings, category="other")
        assert complaint.first_response_due_at == datetime(2027, 1, 12, 13, 29, tzinfo=TOKYO)
        assert other.first_response_due_at == datetime(2027, 1, 12, 16, 59, tzinfo=TOKYO)
        assert complaint.first_response_hours == 3.5  # copied from policies/aoki/inquiries.yaml

    def test_the_subject_link_and_the_audit_event(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings)
        inquiry = create_inquiry(session, settings, subject_id=subject.id)
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "inquiry.opened", AuditEvent.target_id == str(inquiry.id)
            )
        ).one()
        details = json.loads(event.details)
        assert details["subject_id"] == str(subject.id)
        assert details["category"] == "other"
        assert "hanako@example.jp" not in event.details


class TestBadInput:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"message": "  \n "}, "message"),
            ({"message": "あ" * 4001}, "message"),
            ({"language": "fr"}, "language"),
            ({"category": "praise"}, "category"),
            ({"channel": "fax"}, "channel"),
            ({"email": "not-an-address"}, "email"),
            ({"channel": "web_form", "email": None}, "email"),
            ({"name": "名" * 201}, "name"),
        ],
    )
    def test_each_problem_names_its_field_and_nothing_is_written(
        self, session: Session, settings: Settings, changes: dict[str, object], field: str
    ) -> None:
        ensure_policy(session)
        values: dict[str, object] = {
            "channel": "email", "language": "ja", "category": "other", "message": "質問です",
            "email": "hanako@example.jp", "name": "山田 花子",
        } | changes  # fmt: skip
        with pytest.raises(ValidationFailed) as raised:
            open_inquiry(session, settings, "test", NewInquiry(**values))  # type: ignore[arg-type]
        assert [e["field"] for e in raised.value.details["errors"]] == [field]
        assert _count(session) == 0
        assert session.scalar(select(func.count()).select_from(InquiryMessage)) == 0

    def test_the_limit_is_exactly_the_bundles(self, session: Session, settings: Settings) -> None:
        create_inquiry(session, settings, message="あ" * 4000)
        assert _count(session) == 1

    def test_markup_is_kept_as_typed(self, session: Session, settings: Settings) -> None:
        markup = '<script>alert("x")</script><b>太字</b>'
        inquiry = create_inquiry(session, settings, message=markup)
        thread = read_thread(session, settings, "test", inquiry.id)
        assert thread.messages[0].text == markup  # stored verbatim; every page escapes it


class TestRateLimit:
    def test_the_sixth_form_within_the_hour_is_refused(
        self, session: Session, settings: Settings, clock: FakeClock
    ) -> None:
        for _ in range(5):
            create_inquiry(session, settings, channel="web_form", client_address="203.0.113.7")
            clock.advance(minutes=1)
        with pytest.raises(RateLimited) as raised:
            create_inquiry(session, settings, channel="web_form", client_address="203.0.113.7")
        assert 0 < raised.value.retry_after <= 60 * 60
        create_inquiry(session, settings, channel="web_form", client_address="198.51.100.2")  # someone else
        assert _count(session) == 6

    def test_the_window_slides(self, session: Session, settings: Settings, clock: FakeClock) -> None:
        for _ in range(5):
            create_inquiry(session, settings, channel="web_form", client_address="203.0.113.8")
        clock.advance(minutes=61)
        create_inquiry(session, settings, channel="web_form", client_address="203.0.113.8")
        assert _count(session) == 6

    def test_the_address_is_not_stored(self, session: Session, settings: Settings) -> None:
        create_inquiry(session, settings, channel="web_form", client_address="203.0.113.9")
        keys = list(session.scalars(select(Inquiry.client_key)))
        assert keys
        assert all(key and "203.0.113" not in key for key in keys)

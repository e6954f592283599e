"""The life of an inquiry: assignment, the clock stopping while waiting, answers, close and reopen."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.errors import InvalidTransition, NotFound, ValidationFailed
from mamori.inquiries import replies, service
from mamori.inquiries.models import Inquiry
from mamori.inquiries.reports import complaints_report
from mamori.inquiries.rules import State
from mamori.inquiries.views import open_views, read_thread
from mamori.notify.backends import NullBackend
from mamori.notify.models import OutboundMessage
from mamori.notify.service import Outbox
from mamori.security.crypto import cipher_from_settings
from tests.factories.inquiries import create_inquiry, create_staff
from tests.integration.inquiries.conftest import TOKYO, FakeClock


@pytest.fixture
def outbox(settings: Settings) -> Outbox:
    # dispatch_on_commit=False: these tests never commit; the queued row is what they check
    factory: sessionmaker[Session] = sessionmaker()
    return Outbox(
        factory, NullBackend(), cipher_from_settings(settings), "centre@example.jp", dispatch_on_commit=False
    )


def _assigned(session: Session, settings: Settings, **values: Any) -> Inquiry:
    inquiry = create_inquiry(session, settings, **values)
    create_staff(session, "sato")
    return service.assign(session, "user:lead", inquiry.id, "sato")


class TestAssign:
    def test_assigns_to_an_active_agent(self, session: Session, settings: Settings) -> None:
        inquiry = _assigned(session, settings)
        assert (inquiry.state, inquiry.assignee) == (State.ASSIGNED, "sato")

    def test_an_unknown_assignee_is_a_field_error(self, session: Session, settings: Settings) -> None:
        inquiry = create_inquiry(session, settings)
        with pytest.raises(ValidationFailed) as raised:
            service.assign(session, "user:lead", inquiry.id, "nobody")
        assert raised.value.details["errors"][0]["field"] == "assignee"
        assert inquiry.state == State.NEW

    def test_an_unknown_inquiry_is_not_found(self, session: Session, settings: Settings) -> None:
        create_staff(session, "sato")
        inquiry = create_inquiry(session, settings)
        with pytest.raises(NotFound):
            service.assign(session, "user:lead", inquiry.id.__class__(int=1), "sato")


class TestPauseAndResume:
    def test_waiting_stops_the_clock_and_the_persons_reply_restarts_it(
        self, session: Session, settings: Settings, outbox: Outbox, clock: FakeClock
    ) -> None:
        clock.set(2026, 12, 1, 10, 0)  # Tuesday
        inquiry = _assigned(session, settings)
        due_before = inquiry.resolution_due_at
        clock.set(2026, 12, 1, 15, 0)
        replies.reply(
            session,
            settings,
            outbox,
            "user:sato",
            inquiry.id,
            answer="会員番号をお知らせください。",
            wait_for_customer=True,
        )
        assert inquiry.state == State.WAITING_FOR_CUSTOMER
        assert inquiry.paused_since == datetime(2026, 12, 1, 15, 0, tzinfo=TOKYO)
        assert inquiry.first_responded_at is not None  # asking back is a first response
        clock.set(2026, 12, 4, 16, 0)  # Friday: the open list shows the frozen remainder
        [view] = open_views(session, now=clock.now)
        assert view.remaining_business_minutes == (35 - 5) * 60
        clock.set(2026, 12, 7, 11, 0)  # Monday 11:00: Tue 2h + Wed-Thu-Fri 21h + Mon 1h = 24h waited
        service.record_inbound(session, settings, "user:sato", inquiry.id, text="M0001です", channel="email")
        assert inquiry.state == State.ASSIGNED
        assert inquiry.paused_since is None
        assert inquiry.paused_seconds == timedelta(hours=24).total_seconds()
        assert inquiry.resolution_due_at > due_before
        assert inquiry.resolution_due_at == datetime(
            2026, 12, 11, 13, 0, tzinfo=TOKYO
        )  # 35 h + 24 h from Tue 10:00

    def test_an_answered_inquiry_reopens_when_the_person_writes_again(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        inquiry = _assigned(session, settings)
        replies.reply(session, settings, outbox, "user:sato", inquiry.id, answer="ご確認ください。")
        assert inquiry.state == State.ANSWERED
        service.record_inbound(
            session, settings, "user:sato", inquiry.id, text="まだ分かりません", channel="phone"
        )
        assert inquiry.state == State.REOPENED
        assert [m.direction for m in inquiry.messages] == ["in", "out", "in"]


class TestReply:
    def test_queues_the_template_in_the_inquirys_language_and_records_it(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        inquiry = _assigned(session, settings, language="zh-Hant", category="complaint", name="陳 美玲")
        replies.reply(session, settings, outbox, "user:sato", inquiry.id, answer="我們已更正您的資料。")
        out = inquiry.messages[-1]
        queued = session.get(OutboundMessage, out.outbound_message_id)
        assert queued is not None
        assert (queued.language, queued.purpose, queued.status) == ("zh-Hant", "inquirer.response", "pending")
        assert inquiry.reference in queued.subject
        assert "陳" not in queued.subject  # the subject line is stored in clear: no personal data
        thread = read_thread(session, settings, "user:sato", inquiry.id)
        body = thread.messages[-1].text
        assert body.startswith("陳 美玲，您好：")
        assert "造成您的不便與困擾" in body  # the complaint template
        assert "我們已更正您的資料。" in body
        assert inquiry.answered_at is not None

    def test_answering_a_new_inquiry_assigns_it_to_the_replier(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        inquiry = create_inquiry(session, settings)
        replies.reply(session, settings, outbox, "user:sato", inquiry.id, answer="回答")
        assert (inquiry.state, inquiry.assignee) == (State.ANSWERED, "sato")
        moves = session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == str(inquiry.id)).order_by(AuditEvent.seq)
        ).all()
        assert moves.index("inquiry.assigned") < moves.index("inquiry.answered")

    def test_a_closed_inquiry_cannot_be_answered(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        inquiry = create_inquiry(session, settings)
        service.close(session, "user:sato", inquiry.id)
        with pytest.raises(InvalidTransition):
            replies.reply(session, settings, outbox, "user:sato", inquiry.id, answer="回答")
        assert len(inquiry.messages) == 1

    def test_without_an_address_the_answer_is_refused(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        inquiry = _assigned(session, settings, channel="phone", email=None, phone="03-1234-5678")
        with pytest.raises(ValidationFailed) as raised:
            replies.reply(session, settings, outbox, "user:sato", inquiry.id, answer="回答")
        assert raised.value.details["errors"][0]["field"] == "email"
        replies.record_answer(
            session, settings, "user:sato", inquiry.id, answer="電話で説明しました", channel="phone"
        )
        assert inquiry.state == State.ANSWERED
        assert inquiry.messages[-1].outbound_message_id is None

    def test_an_empty_answer_is_refused(self, session: Session, settings: Settings, outbox: Outbox) -> None:
        inquiry = _assigned(session, settings)
        with pytest.raises(ValidationFailed) as raised:
            replies.reply(session, settings, outbox, "user:sato", inquiry.id, answer=" ")
        assert raised.value.details["errors"][0]["field"] == "answer"
        assert inquiry.state == State.ASSIGNED


class TestCloseAndReopen:
    def test_close_reopen_and_the_closed_end(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        inquiry = _assigned(session, settings)
        replies.reply(session, settings, outbox, "user:sato", inquiry.id, answer="回答です")
        service.close(session, "user:sato", inquiry.id)
        assert inquiry.closed_at is not None
        with pytest.raises(InvalidTransition):
            service.close(session, "user:sato", inquiry.id)
        service.reopen(session, "user:sato", inquiry.id)
        assert (inquiry.state, inquiry.closed_at) == (State.REOPENED, None)


class TestOpenList:
    def test_ordered_by_business_time_left(
        self, session: Session, settings: Settings, clock: FakeClock
    ) -> None:
        clock.set(2026, 12, 1, 10, 0)
        other = create_inquiry(session, settings, category="other")  # 7 h
        clock.set(2026, 12, 1, 11, 0)
        complaint = create_inquiry(session, settings, category="complaint")  # 3.5 h, due 14:30
        clock.set(2026, 12, 1, 12, 0)
        views = open_views(session, now=clock.now)
        assert [v.id for v in views] == [complaint.id, other.id]
        assert [v.remaining for v in views] == ["2:30", "5:00"]
        service.close(session, "user:sato", complaint.id)
        assert [v.id for v in open_views(session, now=clock.now)] == [other.id]


class TestComplaintsReport:
    def test_complaints_counted_apart_by_period(
        self, session: Session, settings: Settings, clock: FakeClock
    ) -> None:
        clock.set(2026, 11, 30, 23, 30)  # outside: 30 November in Tokyo
        create_inquiry(session, settings, category="complaint")
        clock.set(2026, 12, 1, 0, 30)  # 1 December in Tokyo (still 30 November in UTC)
        create_inquiry(session, settings, category="complaint", language="en", channel="phone")
        clock.set(2026, 12, 2, 10, 0)
        create_inquiry(session, settings, category="complaint")
        create_inquiry(session, settings, category="investor_relations")
        report = complaints_report(session, datetime(2026, 12, 1).date(), datetime(2026, 12, 31).date())  # noqa: DTZ001
        assert (report.complaints, report.all_inquiries, report.open) == (2, 3, 2)
        assert {r.key: r.count for r in report.by_language} == {"en": 1, "ja": 1}
        assert {r.key: r.count for r in report.by_category} == {"complaint": 2, "investor_relations": 1}
        assert [r.key for r in report.by_month] == ["2026-12"]

    def test_an_inverted_period_is_refused(self, session: Session) -> None:
        with pytest.raises(ValidationFailed):
            complaints_report(session, datetime(2026, 12, 2).date(), datetime(2026, 12, 1).date())  # noqa: DTZ001

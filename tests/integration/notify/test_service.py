from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.models import AuditEvent
from mamori.audit.service import verify_chain
from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.errors import ValidationFailed
from mamori.notify.backends import DeliveryFailed, Email, NullBackend
from mamori.notify.models import OutboundMessage
from mamori.notify.service import (
    BODY_CONTEXT,
    RECIPIENT_CONTEXT,
    DispatchResult,
    Outbox,
    deliver,
    dispatch_pending,
    outbox_from_settings,
    queue_email,
)
from mamori.security.crypto import FieldCipher, cipher_from_settings

TO = "yamada.hanako@example.jp"
SUBJECT = "個人情報の開示請求を受け付けました"
BODY = "山田 花子 様\n受付番号 A-123 のご請求を受け付けました。\n您的请求已受理。"


@dataclass
class FlakyBackend:
    """Raises the queued errors first, then delivers."""

    errors: list[Exception]
    sent: list[Email] = field(default_factory=list)
    calls: int = 0

    def send(self, email: Email) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(email)


@pytest.fixture
def cipher(settings: Settings) -> FieldCipher:
    return cipher_from_settings(settings)


@pytest.fixture
def factory(fresh_database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a database of this test's own: these tests commit."""
    engine = make_engine(fresh_database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _outbox(factory: sessionmaker[Session], cipher: FieldCipher, backend: Any, **options: Any) -> Outbox:
    return Outbox(factory, backend, cipher, "privacy@example.jp", **options)


def _queue(session: Session, outbox: Outbox, *, to: str = TO, subject: str = SUBJECT) -> OutboundMessage:
    return queue_email(
        session, outbox=outbox, actor="user:agent", to=to, subject=subject, body=BODY,
        language="ja", purpose="dsr.response",
    )  # fmt: skip


def _commit_one(outbox: Outbox, **values: Any) -> str:
    with unit_of_work(outbox.session_factory) as session:
        return str(_queue(session, outbox, **values).id)


def _rows(factory: sessionmaker[Session]) -> list[OutboundMessage]:
    with factory() as session:
        return list(session.scalars(select(OutboundMessage).order_by(OutboundMessage.created_at)))


def _events(factory: sessionmaker[Session], action: str) -> list[dict[str, Any]]:
    with factory() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
        return [json.loads(event.details) for event in rows]


class TestQueueEmail:
    @pytest.fixture
    def outbox(self, engine: Engine, cipher: FieldCipher) -> Outbox:
        return _outbox(sessionmaker(bind=engine), cipher, NullBackend())

    def test_recipient_and_body_are_stored_encrypted(
        self, session: Session, outbox: Outbox, cipher: FieldCipher
    ) -> None:
        message = _queue(session, outbox)
        stored = session.scalars(select(OutboundMessage).where(OutboundMessage.id == message.id)).one()
        assert "yamada" not in stored.recipient_encrypted
        assert "山田" not in stored.body_encrypted
        assert cipher.decrypt(stored.recipient_encrypted, context=RECIPIENT_CONTEXT) == TO
        assert cipher.decrypt(stored.body_encrypted, context=BODY_CONTEXT) == BODY
        assert (stored.subject, stored.status, stored.attempts) == (SUBJECT, "pending", 0)
        assert (stored.language, stored.purpose, stored.channel) == ("ja", "dsr.response", "email")

    def test_audit_event_names_the_message_not_the_person(self, session: Session, outbox: Outbox) -> None:
        message = _queue(session, outbox)
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "message.queued", AuditEvent.target_id == str(message.id)
            )
        ).one()
        assert event.actor == "user:agent"
        assert json.loads(event.details) == {
            "message_id": str(message.id), "purpose": "dsr.response", "language": "ja",
        }  # fmt: skip
        assert "yamada" not in event.details
        assert "山田" not in event.details

    def test_bad_input_is_refused_and_stores_nothing(self, session: Session, outbox: Outbox) -> None:
        before = session.scalar(select(func.count()).select_from(OutboundMessage))
        with pytest.raises(ValidationFailed) as caught:
            _queue(session, outbox, to="yamada.hanako", subject="件名\r\nBcc: everyone@example.jp")
        assert len(caught.value.details["errors"]) == 2
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == before


class TestDeliveryAfterCommit:
    def test_commit_sends_the_message_once(self, factory: sessionmaker[Session], cipher: FieldCipher) -> None:
        backend = NullBackend()
        outbox = _outbox(factory, cipher, backend)
        with unit_of_work(factory) as session:
            _queue(session, outbox)
            assert backend.sent == []  # nothing leaves before the commit
        assert backend.sent == [Email(to=TO, subject=SUBJECT, body=BODY, sender="privacy@example.jp")]
        [row] = _rows(factory)
        assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
        assert row.sent_at is not None
        assert [e["message_id"] for e in _events(factory, "message.sent")] == [str(row.id)]

    def test_rollback_sends_nothing_and_leaves_no_row(
        self, factory: sessionmaker[Session], cipher: FieldCipher
    ) -> None:
        backend = NullBackend()
        outbox = _outbox(factory, cipher, backend)

        def failing_work() -> None:
            with unit_of_work(factory) as session:
                _queue(session, outbox)
                raise RuntimeError("the caller's work failed")

        with pytest.raises(RuntimeError):
            failing_work()
        assert backend.sent == []
        assert _rows(factory) == []
        assert _events(factory, "message.queued") == []

    def test_failure_is_recorded_and_a_later_dispatch_succeeds(
        self, factory: sessionmaker[Session], cipher: FieldCipher
    ) -> None:
        backend = FlakyBackend([DeliveryFailed("SMTP 451 (SMTPDataError)")])
        outbox = _outbox(factory, cipher, backend)
        message_id = _commit_one(outbox)  # the failed send does not reach the caller
        [row] = _rows(factory)
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "SMTP 451 (SMTPDataError)")
        assert dispatch_pending(outbox) == DispatchResult(sent=1, failed=0)
        [row] = _rows(factory)
        assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
        assert len(backend.sent) == 1
        failed = _events(factory, "message.failed")
        assert failed == [
            {
                "message_id": message_id,
                "attempts": 1,
                "status": "pending",
                "error": "SMTP 451 (SMTPDataError)",
            }
        ]
        with factory() as session:
            assert verify_chain(session).ok

    def test_error_text_with_personal_data_is_not_kept(
        self, factory: sessionmaker[Session], cipher: FieldCipher
    ) -> None:
        backend = FlakyBackend([RuntimeError(f"cannot deliver to {TO}: {BODY}")])
        _commit_one(_outbox(factory, cipher, backend))
        [row] = _rows(factory)
        assert row.last_error == "delivery error (RuntimeError)"
        assert "yamada" not in json.dumps(_events(factory, "message.failed"), ensure_ascii=False)

    def test_a_database_failure_after_commit_is_logged_not_raised(
        self,
        factory: sessionmaker[Session],
        cipher: FieldCipher,
        tmp_path: Path,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        unmigrated = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        broken = _outbox(make_session_factory(unmigrated), cipher, NullBackend())
        try:
            with (
                caplog.at_level(logging.ERROR, logger="mamori.notify.service"),
                unit_of_work(factory) as session,
            ):
                _queue(session, broken)
        finally:
            unmigrated.dispose()
        assert "left pending" in caplog.text
        [row] = _rows(factory)
        assert row.status == "pending"  # the next dispatch_pending will send it


class TestDispatchPending:
    def test_pending_messages_survive_a_restart_and_go_oldest_first(
        self, fresh_database_url: str, cipher: FieldCipher
    ) -> None:
        engine = make_engine(fresh_database_url)
        before = _outbox(make_session_factory(engine), cipher, NullBackend(), dispatch_on_commit=False)
        for n in range(3):
            _commit_one(before, to=f"person{n}@example.jp")
        engine.dispose()  # the process stops before anything is sent

        engine = make_engine(fresh_database_url)
        backend = NullBackend()
        after = _outbox(make_session_factory(engine), cipher, backend)
        try:
            assert dispatch_pending(after, limit=2) == DispatchResult(sent=2, failed=0)
            assert dispatch_pending(after) == DispatchResult(sent=1, failed=0)
            assert dispatch_pending(after) == DispatchResult(sent=0, failed=0)
        finally:
            engine.dispose()
        assert [email.to for email in backend.sent] == [f"person{n}@example.jp" for n in range(3)]

    def test_gives_up_after_the_last_attempt(
        self, factory: sessionmaker[Session], cipher: FieldCipher
    ) -> None:
        backend = FlakyBackend([DeliveryFailed("SMTP 421 (SMTPConnectError)") for _ in range(5)])
        outbox = _outbox(factory, cipher, backend, max_attempts=3)
        _commit_one(outbox)
        assert dispatch_pending(outbox) == DispatchResult(sent=0, failed=1)
        assert dispatch_pending(outbox) == DispatchResult(sent=0, failed=1)
        assert dispatch_pending(outbox) == DispatchResult(sent=0, failed=0)
        [row] = _rows(factory)
        assert (row.status, row.attempts) == ("failed", 3)
        assert backend.calls == 3

    def test_permanent_failure_gives_up_at_once(
        self, factory: sessionmaker[Session], cipher: FieldCipher
    ) -> None:
        backend = FlakyBackend([DeliveryFailed("recipient refused (SMTP 550)", permanent=True)])
        outbox = _outbox(factory, cipher, backend)
        _commit_one(outbox)
        assert dispatch_pending(outbox) == DispatchResult(sent=0, failed=0)
        [row] = _rows(factory)
        assert (row.status, row.attempts, row.last_error) == ("failed", 1, "recipient refused (SMTP 550)")

    def test_a_message_is_sent_only_once(self, factory: sessionmaker[Session], cipher: FieldCipher) -> None:
        backend = NullBackend()
        outbox = _outbox(factory, cipher, backend, dispatch_on_commit=False)
        message_id = _commit_one(outbox)
        [row] = _rows(factory)
        assert deliver(outbox, row.id) is True
        assert deliver(outbox, row.id) is None
        assert len(backend.sent) == 1
        assert str(row.id) == message_id


class TestOutboxFromSettings:
    def test_uses_the_configured_backend_sender_and_keys(
        self, settings: Settings, factory: sessionmaker[Session]
    ) -> None:
        outbox = outbox_from_settings(settings, factory)
        assert isinstance(outbox.backend, NullBackend)
        assert outbox.sender == settings.mail_from
        _commit_one(outbox)
        assert [email.to for email in outbox.backend.sent] == [TO]

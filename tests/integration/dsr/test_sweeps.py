"""Reminders, overdue lists, document deletion after closing, fees, and code-locked downloads."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.dsr.models import CaseDocument, Delivery
from mamori.dsr.service import decide, record_payment, transition_case, upload_document
from mamori.dsr.service.delivery import open_download, send_electronically
from mamori.dsr.service.sweeps import list_open, purge_documents, send_reminders
from mamori.errors import ValidationFailed
from mamori.notify.backends import Email
from mamori.notify.models import OutboundMessage
from mamori.notify.service import BODY_CONTEXT, Outbox
from mamori.policy.service import publish_bundle
from mamori.security.crypto import cipher_from_settings
from tests.bundles import copy_default_bundle, edit
from tests.factories.dsr import case_in_progress, create_case, held_nowhere_else
from tests.integration.dsr.conftest import PNG, all_file_bytes

CHRISTMAS = datetime(2026, 12, 25, 2, 0, tzinfo=UTC)


@dataclass
class Recorder:
    sent: list[Email] = field(default_factory=list)

    def send(self, email: Email) -> None:
        self.sent.append(email)


def _outbox(session: Session, settings: Settings) -> Outbox:
    factory = sessionmaker(bind=session.get_bind())
    return Outbox(
        session_factory=factory,
        backend=Recorder(),
        cipher=cipher_from_settings(settings),
        sender="privacy@example.jp",
        dispatch_on_commit=False,
    )


class TestDeadlines:
    def test_reminders_go_out_once_on_the_reminder_day_naming_no_one(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings, received_at=CHRISTMAS)  # target Thu 7 Jan 2027 (Art. 39: 8 Jan)
        outbox = _outbox(session, settings)
        assert send_reminders(session, outbox=outbox, today=date(2026, 12, 28)) == []
        assert send_reminders(session, outbox=outbox, today=date(2027, 1, 4)) == [case.reference]
        assert send_reminders(session, outbox=outbox, today=date(2027, 1, 5)) == []
        assert case.reminded_at is not None

    def test_the_overdue_list(self, session: Session, settings: Settings) -> None:
        late = create_case(session, settings, received_at=CHRISTMAS)
        done = create_case(session, settings, received_at=CHRISTMAS)
        transition_case(session, actor="a", case_id=done.id, to="withdrawn", reason="called")
        overdue = list_open(session, today=date(2027, 1, 8), overdue_only=True)
        assert [d.reference for d in overdue] == [late.reference]
        assert list_open(session, today=date(2027, 1, 7), overdue_only=True) == []


class TestPurgeDocuments:
    def test_documents_are_deleted_after_the_retention_and_the_deletion_is_audited(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        upload_document(
            session,
            actor="a",
            case_id=case.id,
            kind="id_document",
            whose="person",
            data=PNG,
            document_type="passport",
            settings=settings,
        )
        transition_case(session, actor="a", case_id=case.id, to="withdrawn", reason="called")
        assert case.closed_at is not None
        assert purge_documents(session, now=case.closed_at + timedelta(days=89), settings=settings) == 0
        assert all_file_bytes(settings.files_dir)
        assert purge_documents(session, now=case.closed_at + timedelta(days=91), settings=settings) == 1
        assert all_file_bytes(settings.files_dir) == b""
        document = session.scalars(select(CaseDocument)).one()
        assert (document.storage_key, document.deleted_at is not None) == (None, True)
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "request.documents_deleted")
        ).one()
        assert json.loads(event.details)["count"] == 1


class TestFees:
    def test_a_disclosure_fee_must_be_paid_before_the_answer_goes_out(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "request_handling.yaml", "    disclosure: 0", "    disclosure: 300")
        publish_bundle(session, actor="test", directory=bundle)
        case = case_in_progress(session, settings)
        assert case.fee_yen == 300
        decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)
        held_nowhere_else(session, case)
        outbox = _outbox(session, settings)
        with pytest.raises(ValidationFailed, match="fee"):
            send_electronically(session, actor="a", case_id=case.id, outbox=outbox, settings=settings)
        with pytest.raises(ValidationFailed, match="300"):
            record_payment(session, actor="a", case_id=case.id, amount_yen=200, method="postal_order")
        record_payment(session, actor="a", case_id=case.id, amount_yen=300, method="postal_order")
        send_electronically(session, actor="a", case_id=case.id, outbox=outbox, settings=settings)
        assert case.state == "responded"


class TestDownload:
    def test_wrong_codes_are_counted_and_lock_the_link(self, session: Session, settings: Settings) -> None:
        case = case_in_progress(session, settings, response_method="electronic")
        decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)
        held_nowhere_else(session, case)
        outbox = _outbox(session, settings)
        delivery = send_electronically(session, actor="a", case_id=case.id, outbox=outbox, settings=settings)
        # the token travels only in the mail (encrypted in the outbox)
        cipher = cipher_from_settings(settings)
        bodies = [
            cipher.decrypt(m.body_encrypted, context=BODY_CONTEXT)
            for m in session.scalars(select(OutboundMessage))
        ]
        token = (
            next(b for b in bodies if "/requests/download/" in b)
            .split("/requests/download/")[1]
            .split("?")[0]
        )
        for left in (4, 3, 2, 1, 0):
            attempt = open_download(session, token=token, code="not-it", settings=settings)
            assert (attempt.pdf, attempt.attempts_left) == (None, left)
        assert attempt.locked
        assert session.get(Delivery, delivery.id).status == "locked"  # type: ignore[union-attr]

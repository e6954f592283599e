"""Request status with a one-time code: spent once, limited, bound to its case; the view and uploads."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.centre.models import StatusCode
from mamori.centre.status import (
    MAX_ATTEMPTS,
    CodeRefused,
    issue_letter_code,
    open_status,
    send_status_code,
    status_view,
    upload_missing,
    visit_case,
)
from mamori.config import Settings
from mamori.dsr.models import CaseDocument
from mamori.errors import ValidationFailed
from mamori.notify.service import Outbox
from tests.factories.dsr import create_case
from tests.integration.centre.conftest import mails
from tests.integration.dsr.conftest import PNG


def _code_from_mail(session: Session, settings: Settings) -> str:
    body = mails(session, settings, "dsr.status_code")[-1][1]
    found = re.search(r"\b([2-9A-Z]{8})\b", body)
    assert found, body
    return found.group(1)


class TestSendStatusCode:
    def test_the_code_goes_to_the_address_of_the_request_in_the_chosen_language(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        case = create_case(session, settings)
        sent = send_status_code(
            session, reference=case.reference, email="Hanako@Example.jp", language="zh-Hant",
            outbox=outbox, settings=settings,
        )  # fmt: skip
        assert sent
        subject, body = mails(session, settings, "dsr.status_code")[-1]
        assert subject == "查看請求進度的確認碼"
        assert case.reference in body
        stored = session.scalars(select(StatusCode).where(StatusCode.case_id == case.id)).one()
        assert _code_from_mail(session, settings) not in stored.code_hash

    def test_another_address_gets_nothing(self, session: Session, settings: Settings, outbox: Outbox) -> None:
        case = create_case(session, settings)
        for email in ("someone@example.jp", "not an address"):
            sent = send_status_code(session, reference=case.reference, email=email, language="ja",
                                    outbox=outbox, settings=settings)  # fmt: skip
            assert not sent
        assert not send_status_code(session, reference="R20990101-000000", email="hanako@example.jp",
                                    language="ja", outbox=outbox, settings=settings)  # fmt: skip
        assert mails(session, settings, "dsr.status_code") == []


class TestOpenStatus:
    def test_a_code_opens_its_case_once(self, session: Session, settings: Settings, outbox: Outbox) -> None:
        case = create_case(session, settings)
        send_status_code(session, reference=case.reference, email="hanako@example.jp", language="en",
                         outbox=outbox, settings=settings)  # fmt: skip
        code = _code_from_mail(session, settings)
        token = open_status(session, reference=case.reference.lower(), code=code.lower(), settings=settings)
        assert token is not None
        assert visit_case(session, token=token, settings=settings).id == case.id
        assert open_status(session, reference=case.reference, code=code, settings=settings) is None

    def test_a_code_is_bound_to_its_case(self, session: Session, settings: Settings) -> None:
        mine = create_case(session, settings)
        other = create_case(session, settings)
        code = issue_letter_code(session, actor="user:agent", case_id=mine.id, settings=settings)
        assert open_status(session, reference=other.reference, code=code, settings=settings) is None
        assert open_status(session, reference=mine.reference, code=code, settings=settings) is not None

    def test_the_fifth_wrong_try_ends_the_code(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings)
        code = issue_letter_code(session, actor="user:agent", case_id=case.id, settings=settings)
        for _ in range(MAX_ATTEMPTS):
            assert open_status(session, reference=case.reference, code="AAAAAAAA", settings=settings) is None
        assert open_status(session, reference=case.reference, code=code, settings=settings) is None
        refused = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "request.status_code_refused")
        )
        assert len(list(refused)) == MAX_ATTEMPTS + 1

    def test_an_expired_code_opens_nothing(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings)
        code = issue_letter_code(session, actor="user:agent", case_id=case.id, settings=settings)
        row = session.scalars(select(StatusCode).where(StatusCode.case_id == case.id)).one()
        row.expires_at -= timedelta(days=60)
        assert open_status(session, reference=case.reference, code=code, settings=settings) is None

    def test_a_visit_ends(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings)
        code = issue_letter_code(session, actor="user:agent", case_id=case.id, settings=settings)
        token = open_status(session, reference=case.reference, code=code, settings=settings)
        row = session.scalars(select(StatusCode).where(StatusCode.case_id == case.id)).one()
        assert row.visit_expires_at is not None
        row.visit_expires_at -= timedelta(hours=1)
        with pytest.raises(CodeRefused):
            visit_case(session, token=token, settings=settings)
        with pytest.raises(CodeRefused):
            visit_case(session, token="made-up", settings=settings)


class TestStatusView:
    def test_a_new_case_shows_its_dates_and_the_missing_id(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        view = status_view(session, case)
        assert view.state == "received"
        assert view.missing == ("person_id",)
        assert view.may_upload
        assert (view.target_on, view.art39_on) == (case.target_on, case.art39_on)
        assert not view.answer_ready
        # nothing the person did not give: no name, address or e-mail in the view
        text = repr(view)
        for private in ("山田", "hanako", "横浜"):
            assert private not in text


class TestUploadMissing:
    def test_the_missing_id_is_stored_encrypted_on_the_case(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        code = issue_letter_code(session, actor="user:agent", case_id=case.id, settings=settings)
        token = open_status(session, reference=case.reference, code=code, settings=settings)
        upload_missing(session, token=token, kind="id_document", whose="person",
                       document_type="drivers_licence", data=PNG, settings=settings)  # fmt: skip
        document = session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id)).one()
        assert (document.kind, document.uploaded_by) == ("id_document", "public:status")

    def test_no_visit_no_upload(self, session: Session, settings: Settings) -> None:
        with pytest.raises(CodeRefused):
            upload_missing(
                session, token=None, kind="id_document", whose="person", data=PNG, settings=settings
            )

    def test_a_file_that_is_not_an_image_or_pdf_is_refused(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        code = issue_letter_code(session, actor="user:agent", case_id=case.id, settings=settings)
        token = open_status(session, reference=case.reference, code=code, settings=settings)
        with pytest.raises(ValidationFailed):
            upload_missing(session, token=token, kind="id_document", whose="person",
                           document_type="drivers_licence", data=b"MZ\x90", settings=settings)  # fmt: skip

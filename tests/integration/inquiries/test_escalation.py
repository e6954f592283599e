"""An inquiry that is really a request becomes a request case of the dsr room, both keeping the link."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.dsr.models import Case
from mamori.errors import InvalidTransition, ValidationFailed
from mamori.inquiries import service
from mamori.inquiries.escalation import convert_to_request
from mamori.inquiries.rules import State
from tests.factories.inquiries import create_inquiry, create_staff
from tests.factories.subjects import create_subject


def _cases(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0


class TestConvertToRequest:
    def test_a_disclosure_request_becomes_a_linked_case(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings)
        inquiry = create_inquiry(session, settings, subject_id=subject.id, category="personal_information",
                                 message="私の購入履歴を開示してください。")  # fmt: skip
        create_staff(session, "sato")
        service.assign(session, "user:lead", inquiry.id, "sato")
        convert_to_request(session, settings, "user:sato", inquiry.id, request_type="disclosure")
        case = session.get(Case, inquiry.request_case_id)
        assert case is not None
        assert case.inquiry_id == inquiry.id
        assert case.subject_id == subject.id
        assert (case.request_type, case.channel, case.language) == ("disclosure", "inquiry", "ja")
        assert case.received_at == inquiry.received_at  # the legal clock started with the inquiry
        assert inquiry.state == State.CONVERTED
        with pytest.raises(InvalidTransition):
            service.record_inbound(
                session, settings, "user:sato", inquiry.id, text="追加です", channel="email"
            )

    def test_a_letter_is_answered_by_post(self, session: Session, settings: Settings) -> None:
        inquiry = create_inquiry(session, settings, channel="letter", email=None)
        convert_to_request(
            session,
            settings,
            "user:sato",
            inquiry.id,
            request_type="correction",
            requester_address="神奈川県横浜市都筑区1-2-3",
        )
        case = session.get(Case, inquiry.request_case_id)
        assert case is not None
        assert case.response_method == "post"

    def test_an_unknown_request_type_changes_nothing(self, session: Session, settings: Settings) -> None:
        inquiry = create_inquiry(session, settings)
        with pytest.raises(ValidationFailed):
            convert_to_request(session, settings, "user:sato", inquiry.id, request_type="telepathy")
        assert (inquiry.state, inquiry.request_case_id) == (State.NEW, None)
        assert _cases(session) == 0

    def test_without_a_name_the_requester_must_be_named(self, session: Session, settings: Settings) -> None:
        inquiry = create_inquiry(session, settings, name=None)
        with pytest.raises(ValidationFailed) as raised:
            convert_to_request(session, settings, "user:sato", inquiry.id, request_type="disclosure")
        assert raised.value.details["errors"][0]["field"] == "requester_name"
        convert_to_request(
            session, settings, "user:sato", inquiry.id, request_type="disclosure", requester_name="佐藤"
        )
        assert inquiry.state == State.CONVERTED

    def test_a_closed_inquiry_cannot_be_converted(self, session: Session, settings: Settings) -> None:
        inquiry = create_inquiry(session, settings)
        service.close(session, "user:sato", inquiry.id)
        with pytest.raises(InvalidTransition):
            convert_to_request(session, settings, "user:sato", inquiry.id, request_type="disclosure")
        assert _cases(session) == 0

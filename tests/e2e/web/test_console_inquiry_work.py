"""Inquiries in the console: usual answers in the inquirer's language, convert to a request, review marks."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.dsr.models import Case
from mamori.inquiries.models import Inquiry
from mamori.security.rules import Role
from tests.e2e.web.console_login import csrf_of, sign_in
from tests.factories.inquiries import create_inquiry


class TestUsualAnswers:
    def test_the_list_is_in_the_inquirers_language_and_fills_the_answer(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        english = create_inquiry(session, settings, language="en")
        chinese = create_inquiry(session, settings, language="zh-Hant")
        sign_in(client, session, "kato", Role.AGENT)
        page = client.get(f"/console/inquiries/{english.id}?lang=ja")
        assert "How to make a request" in page.text
        assert "開示等の請求の方法" not in page.text
        filled = client.get(f"/console/inquiries/{english.id}?template=mailings_stopped&lang=ja")
        answer = filled.text.split('id="answer"')[1].split("</textarea>")[0]
        assert "we have stopped sending you our mailings" in answer
        other = client.get(f"/console/inquiries/{chinese.id}?template=mailings_stopped")
        assert "我們已依照您的要求停止" in other.text.split('id="answer"')[1].split("</textarea>")[0]

    def test_an_unknown_template_leaves_the_answer_empty(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        inquiry = create_inquiry(session, settings)
        sign_in(client, session, "kato", Role.AGENT)
        page = client.get(f"/console/inquiries/{inquiry.id}?template=nope")
        assert page.text.split('id="answer"')[1].split("</textarea>")[0].endswith("required>")


class TestConvert:
    def test_an_inquiry_becomes_a_disclosure_case_linked_both_ways(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        inquiry = create_inquiry(session, settings, channel="email")
        sign_in(client, session, "mori", Role.PRIVACY_OFFICER)
        page = client.get(f"/console/inquiries/{inquiry.id}?lang=en")
        assert 'id="convert-form"' in page.text
        moved = client.post(
            f"/console/inquiries/{inquiry.id}/convert",
            data={"request_type": "disclosure", "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert moved.status_code == 303, moved.text
        session.expire_all()
        converted = session.get_one(Inquiry, inquiry.id)
        assert converted.state == "converted"
        case = session.get_one(Case, converted.request_case_id)
        assert moved.headers["location"].startswith(f"/console/requests/{case.id}")
        assert case.inquiry_id == inquiry.id
        assert case.received_at == inquiry.received_at
        case_page = client.get(f"/console/requests/{case.id}")
        assert f'href="/console/inquiries/{inquiry.id}" id="linked-inquiry"' in case_page.text
        back = client.get(f"/console/inquiries/{inquiry.id}")
        assert f'href="/console/requests/{case.id}" id="linked-case"' in back.text
        assert 'id="convert-form"' not in back.text

    def test_a_second_conversion_is_refused_in_the_staff_members_language(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        inquiry = create_inquiry(session, settings)
        sign_in(client, session, "mori", Role.PRIVACY_OFFICER)
        token = csrf_of(client.get(f"/console/inquiries/{inquiry.id}?lang=ja").text)
        form = {"request_type": "disclosure", "csrf_token": token}
        client.post(f"/console/inquiries/{inquiry.id}/convert", data=form)
        again = client.post(f"/console/inquiries/{inquiry.id}/convert", data=form)
        assert again.status_code == 422
        assert "現在の状態ではできません。何も変更していません。" in again.text
        assert len(list(session.scalars(select(Case).where(Case.inquiry_id == inquiry.id)))) == 1

    def test_an_unknown_request_type_opens_nothing(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        inquiry = create_inquiry(session, settings)
        sign_in(client, session, "mori", Role.PRIVACY_OFFICER)
        token = csrf_of(client.get(f"/console/inquiries/{inquiry.id}?lang=en").text)
        refused = client.post(
            f"/console/inquiries/{inquiry.id}/convert", data={"request_type": "nonsense", "csrf_token": token}
        )
        assert refused.status_code == 422
        assert "This cannot be done yet. Nothing was changed." in refused.text
        session.expire_all()
        assert session.get_one(Inquiry, inquiry.id).state == "new"


class TestReviewMark:
    def test_a_complaint_is_marked_audited_and_listed(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        complaint = create_inquiry(session, settings, category="complaint")
        question = create_inquiry(session, settings, category="other")
        sign_in(client, session, "mori", Role.PRIVACY_OFFICER)
        page = client.get(f"/console/inquiries/{complaint.id}?lang=en")
        assert 'id="review-form"' in page.text
        assert 'id="review-form"' not in client.get(f"/console/inquiries/{question.id}").text
        marked = client.post(
            f"/console/inquiries/{complaint.id}/review",
            data={"note": "Third complaint about the same shop", "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert marked.status_code == 303
        session.expire_all()
        assert session.get_one(Inquiry, complaint.id).review_marked_by == "user:mori"
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "inquiry.marked_for_review"))
        assert json.loads(event.details) == {"note_length": 35}
        listed = client.get("/console/inquiries?review=1&lang=en")
        assert complaint.reference in listed.text
        assert question.reference not in listed.text
        assert 'id="review-mark"' in client.get(f"/console/inquiries/{complaint.id}").text

    def test_an_empty_note_is_refused_and_nothing_marked(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        complaint = create_inquiry(session, settings, category="complaint")
        sign_in(client, session, "mori", Role.PRIVACY_OFFICER)
        page = client.get(f"/console/inquiries/{complaint.id}?lang=ja")
        refused = client.post(
            f"/console/inquiries/{complaint.id}/review", data={"note": " ", "csrf_token": csrf_of(page.text)}
        )
        assert refused.status_code == 422
        assert "まだ実行できません。何も変更していません。" in refused.text
        session.expire_all()
        assert session.get_one(Inquiry, complaint.id).review_marked_at is None

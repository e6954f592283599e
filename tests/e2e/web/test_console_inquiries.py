"""The inquiries inbox of the console: take an inquiry, answer it by e-mail, close it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.inquiries.models import Inquiry
from mamori.security.rules import Role
from tests.e2e.web.console_login import csrf_of, sign_in

FORM = {
    "lang": "en",
    "category": "complaint",
    "name": "Mei",
    "email": "mei@example.com",
    "message": "Where is my parcel?",
}


@pytest.mark.usefixtures("published")
class TestInbox:
    def test_an_agent_takes_and_answers_an_inquiry(self, client: TestClient, session: Session) -> None:
        client.post("/contact", data=FORM)
        inquiry = session.scalars(select(Inquiry)).one()
        sign_in(client, session, "kato", Role.AGENT)
        inbox = client.get("/console/inquiries?lang=ja")
        assert inquiry.reference in inbox.text
        assert "未完了のお問い合わせ" in inbox.text
        page = client.get(f"/console/inquiries/{inquiry.id}")
        token = csrf_of(page.text)
        taken = client.post(f"/console/inquiries/{inquiry.id}/assign", data={"csrf_token": token},
                            follow_redirects=False)  # fmt: skip
        assert taken.status_code == 303
        answer = {"answer": "It arrives tomorrow.", "csrf_token": token}
        sent = client.post(f"/console/inquiries/{inquiry.id}/reply", data=answer, follow_redirects=False)
        assert sent.status_code == 303
        session.refresh(inquiry)
        assert inquiry.assignee == "kato"
        assert inquiry.state == "answered"
        thread = client.get(f"/console/inquiries/{inquiry.id}?lang=en")
        assert "It arrives tomorrow." in thread.text
        assert "From the contact centre" in thread.text

"""The privacy centre's pages through the whole app (test client): status, preferences, forms, history."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.centre.status import issue_letter_code
from mamori.config import Settings
from mamori.consents.service import current_states
from mamori.dsr.models import CaseDocument
from mamori.notify.models import OutboundMessage
from mamori.notify.service import BODY_CONTEXT
from mamori.security.crypto import cipher_from_settings
from tests.factories.dsr import create_case
from tests.factories.subjects import create_subject
from tests.integration.dsr.conftest import PNG

EMAIL = "centre-person@example.jp"


def _last_body(session: Session, settings: Settings, purpose: str) -> str:
    row = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.purpose == purpose)
        .order_by(OutboundMessage.created_at.desc())
    ).first()
    assert row is not None, f"no {purpose} mail"
    return cipher_from_settings(settings).decrypt(row.body_encrypted, context=BODY_CONTEXT)


class TestStatusPages:
    def test_a_postal_requester_opens_the_status_and_uploads_the_missing_id(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        code = issue_letter_code(session, actor="user:agent", case_id=case.id, settings=settings)
        start = client.get("/requests/status?lang=zh-Hant")
        assert start.status_code == 200
        assert "受理編號" in start.text
        opened = client.post(
            "/requests/status", data={"reference": case.reference, "code": code, "lang": "zh-Hant"}
        )
        assert opened.status_code == 200
        assert str(opened.url).endswith("/requests/status/case?lang=zh-Hant")  # nothing personal in the URL
        assert case.reference in opened.text
        assert "身分證明文件影本" in opened.text  # what is missing
        assert "山田" not in opened.text
        assert "hanako" not in opened.text
        assert opened.headers["cache-control"] == "no-store"
        uploaded = client.post(
            "/requests/status/upload",
            data={"missing": "person_id", "document_type": "passport", "lang": "zh-Hant"},
            files={"file": ("id.png", PNG, "image/png")},
        )
        assert "我們已收到文件" in uploaded.text
        assert (
            session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id)).one().kind
            == "id_document"
        )

    def test_a_wrong_code_is_refused_and_the_code_by_mail_says_nothing_about_the_address(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        wrong = client.post(
            "/requests/status", data={"reference": case.reference, "code": "ZZZZZZZZ", "lang": "en"}
        )
        assert wrong.status_code == 422
        assert "do not open a request" in wrong.text
        known = client.post(
            "/requests/status/code",
            data={"reference": case.reference, "email": "hanako@example.jp", "lang": "en"},
        )
        unknown = client.post(
            "/requests/status/code", data={"reference": case.reference, "email": "x@example.jp", "lang": "en"}
        )
        assert re.sub(r'value="[^"]*"', "", known.text) == re.sub(r'value="[^"]*"', "", unknown.text)
        code = re.search(r"\b([2-9A-Z]{8})\b", _last_body(session, settings, "dsr.status_code"))
        assert code is not None
        assert (
            client.post(
                "/requests/status", data={"reference": case.reference, "code": code[1], "lang": "en"}
            ).status_code
            == 200
        )

    def test_without_a_visit_the_case_page_asks_for_the_code(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        create_case(session, settings)
        response = client.get("/requests/status/case?lang=ja")
        assert response.status_code == 401
        assert "確認の時間が終了しました" in response.text


class TestPreferencesPages:
    def test_sign_in_withdraw_marketing_and_download_the_receipt(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        subject = create_subject(session, settings, identifiers=[("email", EMAIL)])
        assert (
            client.get("/preferences?lang=en", follow_redirects=False)
            .headers["location"]
            .startswith("/preferences/sign-in")
        )
        sent = client.post("/preferences/sign-in", data={"email": EMAIL, "lang": "en"})
        assert "If this address is registered" in sent.text
        link = re.search(
            r"(/preferences/sign-in/[A-Za-z0-9_-]+)\?lang=en",
            _last_body(session, settings, "preferences.sign_in"),
        )
        assert link is not None
        assert "Open my preferences" in client.get(link[0] + "?lang=en").text
        page = client.post(link[0], data={"lang": "en"})
        assert "Your consents and preferences" in page.text
        assert EMAIL not in page.text
        assert page.headers["cache-control"] == "no-store"
        scope = "purpose:customer.mailings"
        data = {"scope": scope, "action": "given", "notice_hash": _hash(page.text, scope), "lang": "en"}
        given = client.post("/preferences/consents", data=data)
        assert "You have given consent" in given.text
        withdrawn = client.post(
            "/preferences/consents",
            data={"scope": "purpose:customer.mailings", "action": "withdrawn", "lang": "en"},
        )
        assert "Your change is recorded" in withdrawn.text
        assert current_states(session, subject.id)["purpose:customer.mailings"].action == "withdrawn"
        assert "consent withdrawn" in _last_body(session, settings, "consent.receipt")
        receipt = re.search(r'href="(/preferences/receipts/[0-9a-f-]+\.pdf\?lang=en)"', withdrawn.text)
        assert receipt is not None
        pdf = client.get(receipt[1].replace("&amp;", "&"))
        assert pdf.headers["content-type"] == "application/pdf"
        assert "withdrawn" in "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages).lower()

    def test_a_link_opened_in_another_browser_is_refused(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        create_subject(session, settings, identifiers=[("email", EMAIL)])
        client.post("/preferences/sign-in", data={"email": EMAIL, "lang": "ja"})
        link = re.search(
            r"(/preferences/sign-in/[A-Za-z0-9_-]+)", _last_body(session, settings, "preferences.sign_in")
        )
        assert link is not None
        client.cookies.clear()  # another browser
        refused = client.post(link[0], data={"lang": "ja"})
        assert refused.status_code == 403
        assert "このリンクは使えません" in refused.text


def _hash(html: str, scope: str) -> str:
    block = html.split(f'value="{scope}"', 1)[1]
    found = re.search(r'name="notice_hash" value="([0-9a-f]{64})"', block)
    assert found is not None
    return found[1]


@pytest.mark.usefixtures("published")
class TestFormsAndHistoryPages:
    def test_the_forms_page_links_each_form(self, client: TestClient) -> None:
        page = client.get("/forms?lang=zh-Hans")
        assert page.status_code == 200
        for kind in ("disclosure", "correction", "suspension", "pipl"):
            assert f'href="/forms/{kind}.pdf?lang=zh-Hans"' in page.text
        assert client.get("/forms/erasure.pdf?lang=en").status_code == 404

    def test_history_lists_the_version_and_serves_the_feed(self, client: TestClient) -> None:
        page = client.get("/privacy/history?lang=en")
        assert page.status_code == 200
        assert "In force" in page.text
        feed = client.get("/privacy/history.atom?lang=ja")
        assert feed.headers["content-type"].startswith("application/atom+xml")
        assert "<entry>" in feed.text
        assert client.get("/privacy/history/1?lang=en").status_code == 200
        assert client.get("/privacy/history/99?lang=en").status_code == 404


class TestLimits:
    def test_sign_in_links_to_one_address_are_limited(self, session: Session, settings: Settings) -> None:
        from tests.e2e.web.clients import client_on

        create_subject(session, settings, identifiers=[("email", EMAIL)])
        strict = settings.model_copy(update={"rate_limit_per_recipient": 2, "rate_limit_per_address": 50})
        with client_on(session, strict) as client:
            for _ in range(2):
                assert (
                    client.post("/preferences/sign-in", data={"email": EMAIL, "lang": "en"}).status_code
                    == 200
                )
            refused = client.post("/preferences/sign-in", data={"email": EMAIL.upper(), "lang": "zh-Hans"})
        assert refused.status_code == 429
        assert refused.headers["Content-Language"] == "zh-Hans"
        sent = session.scalars(
            select(OutboundMessage).where(OutboundMessage.purpose == "preferences.sign_in")
        )
        assert len(list(sent)) == 2

    def test_status_codes_tries_are_limited_per_address(self, session: Session, settings: Settings) -> None:
        from tests.e2e.web.clients import client_on

        case = create_case(session, settings)
        strict = settings.model_copy(update={"rate_limit_per_address": 3})
        with client_on(session, strict) as client:
            answers = [
                client.post(
                    "/requests/status", data={"reference": case.reference, "code": f"AAAA{n}", "lang": "ja"}
                )
                for n in range(4)
            ]
        assert [a.status_code for a in answers] == [422, 422, 422, 429]

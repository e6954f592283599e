"""The contact form and the staff inquiry pages through the whole app (test client)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.inquiries.models import Inquiry
from mamori.inquiries.views import read_thread
from tests.factories.inquiries import PASSWORD, create_staff
from tests.factories.staff import Phone, enrol_second_factor

SCRIPT = '<script>window.pwned = 1</script><img src=x onerror="window.pwned=2">'
FORM = {"lang": "en", "category": "complaint", "name": "Mei", "email": "mei@example.com", "message": "Hello"}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


PHONES: dict[str, Phone] = {}


def _staff(session: Session, username: str) -> None:
    PHONES[username] = Phone(enrol_second_factor(session, create_staff(session, username)))


def _login(client: TestClient, username: str, password: str = PASSWORD, next_path: str = "/console"):
    """Password, then the authenticator code when the server asks for it."""
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    data = {"username": username, "password": password, "csrf_token": token[1], "next": next_path}
    response = client.post("/console/login", data=data, follow_redirects=False)
    if response.status_code == 303 and response.headers["location"].startswith("/console/login/code"):
        data = {"code": PHONES[username].code(), "csrf_token": token[1], "next": next_path}
        response = client.post("/console/login/code", data=data, follow_redirects=False)
    return response


@pytest.mark.usefixtures("published")
class TestContactForm:
    @pytest.mark.parametrize(
        ("lang", "title", "hours"),
        [("ja", "お問い合わせ", "10:00～17:00"), ("en", "Contact us", "10:00–17:00"),
         ("zh-Hans", "联系我们", "10:00～17:00"), ("zh-Hant", "聯絡我們", "10:00～17:00")],
    )  # fmt: skip
    def test_the_form_in_four_languages(self, client: TestClient, lang: str, title: str, hours: str) -> None:
        response = client.get(f"/contact?lang={lang}")
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in response.text
        assert title in response.text
        assert hours in response.text
        assert "script-src" not in response.headers["content-security-policy"]

    def test_an_unknown_language_lists_the_choices(self, client: TestClient) -> None:
        response = client.get("/contact?lang=fr")
        assert response.status_code == 400
        assert "zh-Hant" in response.text

    def test_sending_opens_an_inquiry_and_says_when_to_expect_an_answer(
        self, client: TestClient, session: Session
    ) -> None:
        response = client.post("/contact", data=FORM, follow_redirects=True)
        assert response.status_code == 200
        assert "We have your message" in response.text
        inquiry = session.scalars(select(Inquiry)).one()
        assert inquiry.reference in response.text
        assert "(Japan time)" in response.text
        assert (inquiry.channel, inquiry.category, inquiry.language) == ("web_form", "complaint", "en")

    @pytest.mark.parametrize(
        ("lang", "note"),
        [("ja", "個人番号（マイナンバー）が含まれていたため"), ("en", "it was masked before saving"),
         ("zh-Hans", "已在保存前隐去"), ("zh-Hant", "已在儲存前隱去")],
    )  # fmt: skip
    def test_a_my_number_in_the_message_is_masked_and_the_person_is_told_why(
        self, client: TestClient, session: Session, settings: Settings, lang: str, note: str
    ) -> None:
        message = "My number is 1234 5678 9018, please update my address."
        response = client.post(
            "/contact", data={**FORM, "lang": lang, "message": message}, follow_redirects=True
        )
        assert response.status_code == 200
        assert note in response.text
        inquiry = session.scalars(select(Inquiry)).one()
        [stored] = read_thread(session, settings, "auditor", inquiry.id).messages
        assert stored.text == "My number is ************, please update my address."

    @pytest.mark.parametrize(
        ("changes", "shown"),
        [
            ({"message": ""}, "Please write your message."),
            ({"message": "x" * 4001}, "at most 4000 characters (it has 4001)"),
            ({"email": "mei-at-example"}, "Please enter a valid e-mail address."),
        ],
    )
    def test_a_rejected_form_keeps_what_was_typed(
        self, client: TestClient, session: Session, changes: dict[str, str], shown: str
    ) -> None:
        data = {**FORM, "message": "My <b>long</b> story", **changes}
        response = client.post("/contact", data=data)
        assert response.status_code == 422
        assert shown in response.text
        assert 'value="Mei"' in response.text
        assert f'value="{data["email"]}"' in response.text
        if data["message"]:
            assert data["message"].replace("<", "&lt;").replace(">", "&gt;") in response.text
        assert _count(session) == 0

    def test_markup_is_shown_back_escaped(self, client: TestClient) -> None:
        response = client.post("/contact", data={**FORM, "email": "", "message": SCRIPT})
        assert response.status_code == 422
        assert "<script>window.pwned" not in response.text
        assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in response.text

    def test_the_sixth_form_in_an_hour_is_refused_and_kept(
        self, client: TestClient, session: Session
    ) -> None:
        for n in range(5):  # five mailboxes: the per-recipient limit (3 an hour) is not what this tests
            sent = client.post(
                "/contact", data={**FORM, "email": f"mei{n}@example.com"}, follow_redirects=False
            )
            assert sent.status_code == 303
        response = client.post("/contact", data={**FORM, "email": "mei9@example.com", "message": "sixth"})
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) > 0
        assert "Too many messages" in response.text
        assert ">sixth</textarea>" in response.text
        assert _count(session) == 5


@pytest.mark.usefixtures("published")
class TestConsole:
    def test_pages_need_a_login(self, client: TestClient) -> None:
        response = client.get("/console/inquiries", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/console/login?next=/console/inquiries"

    def test_a_wrong_password_is_refused(self, client: TestClient, session: Session) -> None:
        _staff(session, "sato")
        response = _login(client, "sato", "wrong-password-123")
        assert response.status_code == 401
        assert "ユーザー名またはパスワードが正しくありません。" in response.text  # Japanese by default
        assert "mamori_console" not in response.headers.get("set-cookie", "")

    def test_a_login_without_the_csrf_token_is_refused(self, client: TestClient, session: Session) -> None:
        _staff(session, "sato")
        client.get("/console/login")
        data = {"username": "sato", "password": PASSWORD, "csrf_token": "forged"}
        response = client.post("/console/login", data=data, follow_redirects=False)
        assert response.status_code == 403

    def test_the_staff_view_shows_markup_as_text(self, client: TestClient, session: Session) -> None:
        client.post("/contact", data={**FORM, "message": SCRIPT, "name": "<b>Mei</b>"})
        inquiry = session.scalars(select(Inquiry)).one()
        _staff(session, "sato")
        login = _login(client, "sato", next_path=f"/console/inquiries/{inquiry.id}")
        assert login.status_code == 303
        cookie = login.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        listed = client.get("/console/inquiries")
        assert inquiry.reference in listed.text
        page = client.get(login.headers["location"])
        assert page.status_code == 200
        assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in page.text
        assert "<script>" not in page.text
        assert "&lt;b&gt;Mei&lt;/b&gt;" in page.text
        assert page.headers["cache-control"] == "no-store"

    def test_logout_ends_the_session(self, client: TestClient, session: Session) -> None:
        _staff(session, "sato")
        _login(client, "sato")
        home = client.get("/console")
        token = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
        assert token is not None
        client.post("/console/logout", data={"csrf_token": token[1]}, follow_redirects=False)
        assert client.get("/console", follow_redirects=False).status_code == 303

    def test_an_open_redirect_is_not_possible(self, client: TestClient, session: Session) -> None:
        _staff(session, "sato")
        response = _login(client, "sato", next_path="https://evil.example/")
        assert response.headers["location"] == "/console"


def test_the_form_without_a_policy_says_so(client: TestClient) -> None:
    assert client.get("/contact?lang=ja").status_code == 503
    assert client.post("/contact", data=FORM).status_code == 503

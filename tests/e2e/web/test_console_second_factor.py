"""The second step of the console sign-in: enrolment with a QR code, TOTP codes, recovery codes."""

from __future__ import annotations

import re

import pyotp
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.security.models import StaffRecoveryCode, StaffSecondFactor
from mamori.security.rules import Role
from mamori.security.second_factor import new_recovery_codes
from tests.factories.inquiries import PASSWORD, create_staff
from tests.factories.staff import Phone, enrol_second_factor

COOKIE = "mamori_console"


def _token(page: Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found[1]


def _password(client: TestClient, username: str, password: str = PASSWORD) -> Response:
    data = {"username": username, "password": password, "csrf_token": _token(client.get("/console/login"))}
    return client.post("/console/login", data=data, follow_redirects=False)


def _code(client: TestClient, code: str) -> Response:
    form = client.get("/console/login/code")
    return client.post("/console/login/code", data={"code": code, "csrf_token": _token(form)},
                       follow_redirects=False)  # fmt: skip


def _actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


class TestEnrolment:
    def test_the_first_sign_in_shows_a_qr_code_then_recovery_codes_once(
        self, client: TestClient, session: Session
    ) -> None:
        create_staff(session, "mori", Role.PRIVACY_OFFICER)
        answer = _password(client, "mori")
        assert answer.headers["location"].startswith("/console/login/enrol")
        assert COOKIE not in client.cookies  # no session before the second factor
        page = client.get(answer.headers["location"])
        assert "<svg" in page.text
        assert page.headers["cache-control"] == "no-store"
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
        assert secret is not None
        stored = session.get(StaffSecondFactor, create_staff(session, "mori").id)
        assert stored is not None
        assert secret[1] not in stored.secret  # kept encrypted
        wrong = client.post("/console/login/enrol", data={"code": "000000", "csrf_token": _token(page)})
        assert wrong.status_code == 400
        code = pyotp.TOTP(secret[1]).now()
        done = client.post("/console/login/enrol", data={"code": code, "csrf_token": _token(page)})
        codes = re.findall(r"<li>([0-9a-f]{8}-[0-9a-f]{8})</li>", done.text)
        assert len(codes) == 10
        assert client.get("/console", follow_redirects=False).status_code == 200
        kept = session.scalars(select(StaffRecoveryCode.digest)).all()
        assert not set(codes) & set(kept)
        assert "user.second_factor_enrolled" in _actions(session)


class TestCodes:
    @pytest.fixture
    def phone(self, session: Session) -> Phone:
        return Phone(enrol_second_factor(session, create_staff(session, "kato", Role.AGENT)))

    def test_a_good_code_signs_in_and_the_same_code_does_not_again(
        self, client: TestClient, phone: Phone
    ) -> None:
        assert _password(client, "kato").headers["location"].startswith("/console/login/code")
        code = phone.code()
        assert _code(client, code).status_code == 303
        assert COOKIE in client.cookies
        client.cookies.clear()
        _password(client, "kato")
        replay = _code(client, code)
        assert replay.status_code == 401
        assert "コードが正しくないか、すでに使用されています。" in replay.text

    def test_a_recovery_code_works_once(self, client: TestClient, session: Session) -> None:
        user = create_staff(session, "kato", Role.AGENT)
        enrol_second_factor(session, user)
        spare = new_recovery_codes(session, user)[0]
        _password(client, "kato")
        assert _code(client, spare.upper().replace("-", " ")).status_code == 303
        client.cookies.clear()
        _password(client, "kato")
        assert _code(client, spare).status_code == 401

    def test_wrong_codes_lock_the_account_like_wrong_passwords(
        self, client: TestClient, session: Session, phone: Phone
    ) -> None:
        _password(client, "kato")
        for _ in range(5):
            assert _code(client, "123456").status_code == 401
        assert _code(client, phone.code()).status_code == 401  # locked: even the right code
        assert _password(client, "kato").status_code == 401
        actions = _actions(session)
        assert actions.count("user.locked_out") == 1
        assert "user.logged_in" not in actions

    def test_without_the_password_step_the_code_page_sends_back(self, client: TestClient) -> None:
        assert (
            client.get("/console/login/code", follow_redirects=False).headers["location"] == "/console/login"
        )


def test_an_engineer_signs_in_with_the_password_alone(client: TestClient, session: Session) -> None:
    create_staff(session, "ito", Role.ENGINEER)
    assert _password(client, "ito").headers["location"] == "/console"
    assert COOKIE in client.cookies

"""Sign a test client into the console as a staff member with an enrolled authenticator."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.security.rules import Role
from tests.factories.inquiries import PASSWORD, create_staff
from tests.factories.staff import Phone, enrol_second_factor


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, html
    return found[1]


def sign_in(client: TestClient, session: Session, username: str, role: Role) -> Phone:
    """Password and TOTP code through the real forms; the phone, for later codes."""
    phone = Phone(enrol_second_factor(session, create_staff(session, username, role)))
    token = csrf_of(client.get("/console/login").text)
    client.post("/console/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    answer = client.post("/console/login/code", data={"code": phone.code(), "csrf_token": token},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text
    return phone

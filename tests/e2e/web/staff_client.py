"""Console tests: a test client signed in as a staff member of a given role (through the real login form)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.security.rules import Role
from tests.factories.inquiries import PASSWORD, create_staff

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, session: Session, role: Role, username: str | None = None) -> str:
    """Sign ``client`` in as a new staff member of ``role``; their username."""
    user = create_staff(session, username or f"{role.value}1", role=role)
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return user.username

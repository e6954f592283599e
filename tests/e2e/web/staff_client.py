"""Console tests: a test client signed in as a staff member of a given role (through the real forms).

The roles that see personal data sign in with a second factor (TOTP): :mod:`tests.e2e.web.console_login`
enrols an authenticator and types its code, as a person would.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.security.rules import Role
from tests.e2e.web.console_login import csrf_of
from tests.e2e.web.console_login import sign_in as sign_in_with_code

__all__ = ["csrf_of", "sign_in"]


def sign_in(client: TestClient, session: Session, role: Role, username: str | None = None) -> str:
    """Sign ``client`` in as a new staff member of ``role``; their username."""
    name = username or f"{role.value}1"
    sign_in_with_code(client, session, name, role)
    return name

"""A test client for the whole app whose requests run in a given session (the test's transaction)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.api.app import create_app
from mamori.api.deps import get_read_session, get_session
from mamori.config import Settings


def client_on(session: Session, settings: Settings) -> TestClient:
    """Every request uses ``session`` instead of a new unit of work, so the test's rollback undoes it all."""
    app = create_app(settings)

    def _session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[get_read_session] = _session
    return TestClient(app)

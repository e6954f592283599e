"""Public pages through FastAPI's test client, on the per-test rolled-back session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.policy.models import PolicyVersion
from mamori.policy.service import publish_bundle
from tests.e2e.web.clients import client_on


@pytest.fixture
def client(session: Session, settings: Settings) -> Iterator[TestClient]:
    with client_on(session, settings) as test_client:
        yield test_client


@pytest.fixture
def published(session: Session) -> PolicyVersion:
    return publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)

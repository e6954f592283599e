"""Fixtures shared by the API tests: a served app on a fresh database and tokens per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mamori.api.app import create_app
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token


@pytest.fixture
def tokens(fresh_database_url: str) -> dict[str, str]:
    """The default policy published, and a token for an auditor, an agent and the privacy officer."""
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        issued = {}
        for role in (Role.AUDITOR, Role.AGENT, Role.PRIVACY_OFFICER):
            add_user(
                session, actor="t", username=role.value, display_name=role.value, role=role, password="x" * 12
            )
            issued[role.value] = create_token(session, actor="t", username=role.value, name="t").secret
    engine.dispose()
    return issued


@pytest.fixture
def client(fresh_database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(  # type: ignore[call-arg]
        database_url=fresh_database_url, mail_backend="null", files_dir=tmp_path / "files", _env_file=None
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client

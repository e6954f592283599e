"""A token can do what its owner's role allows *now*: a role change or deactivation acts at once."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.api.app import create_app
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle
from mamori.security import service
from mamori.security.rules import Role
from tests.factories.consents import MAILINGS, create_plain_subject


@dataclass
class Engineer:
    token: str
    subject: uuid.UUID
    change: Callable[[Callable[[Session], object]], None]

    def record_consent(self, client: TestClient) -> int:
        body = {"subject_id": str(self.subject), "scope": MAILINGS, "action": "given", "language": "ja",
                "channel": "web"}  # fmt: skip
        response = client.post(
            "/api/v1/consents", json=body, headers={"Authorization": f"Bearer {self.token}"}
        )
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
        return response.status_code


@pytest.fixture
def engineer(fresh_database_url: str) -> Iterator[Engineer]:
    engine = make_engine(fresh_database_url)

    def change(work: Callable[[Session], object]) -> None:
        with unit_of_work(make_session_factory(engine)) as session:
            work(session)

    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        service.add_user(session, actor="t", username="ken", display_name="Ken", role=Role.ENGINEER,
                         password="x" * 12)  # fmt: skip
        token = service.create_token(session, actor="t", username="ken", name="shop").secret
        subject = create_plain_subject(session, language="en").id
    yield Engineer(token, subject, change)
    engine.dispose()


@pytest.fixture
def client(fresh_database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as test_client:
        yield test_client


class TestTokensFollowTheRole:
    def test_a_write_is_refused_once_the_owner_becomes_an_auditor(
        self, client: TestClient, engineer: Engineer
    ) -> None:
        assert engineer.record_consent(client) == 201
        engineer.change(lambda s: service.change_role(s, actor="t", username="ken", role=Role.AUDITOR))
        assert engineer.record_consent(client) == 403
        engineer.change(lambda s: service.change_role(s, actor="t", username="ken", role=Role.ENGINEER))
        assert engineer.record_consent(client) == 201

    def test_a_disabled_owners_token_stops_at_once(self, client: TestClient, engineer: Engineer) -> None:
        assert engineer.record_consent(client) == 201
        engineer.change(lambda s: service.set_active(s, actor="t", username="ken", active=False))
        assert engineer.record_consent(client) == 401
        engineer.change(lambda s: service.set_active(s, actor="t", username="ken", active=True))
        assert engineer.record_consent(client) == 201

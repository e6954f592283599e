"""Decisions and audiences through HTTP: answers, languages, problem+json, streaming formats."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from mamori.api.app import create_app
from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.consents.models import DecisionCount
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token
from tests.factories.decisions import create_consent, create_subject, publish_policy


@dataclass
class World:
    client: TestClient
    settings: Settings
    engineer: dict[str, str]
    agent: dict[str, str]
    consented: uuid.UUID
    plain: uuid.UUID
    cn: uuid.UUID


@pytest.fixture
def world(fresh_database_url: str) -> Iterator[World]:
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_policy(session)
        secrets = {}
        for role in (Role.ENGINEER, Role.AGENT):
            add_user(session, actor="t", username=role.value, display_name="x", role=role, password="x" * 12)
            secrets[role] = create_token(session, actor="t", username=role.value, name="t").secret
        consented = create_subject(
            session, settings, identifiers=[("email", "hanako@example.jp")], language="en"
        )
        create_consent(session, consented, "purpose:customer.mailings")
        plain = create_subject(session, settings, identifiers=[("phone", "090-1234-5678")])
        cn = create_subject(session, settings, jurisdiction="CN", language="zh-Hans")
        create_consent(session, cn, "purpose:customer.mailings")
        ids = consented.id, plain.id, cn.id
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        yield World(
            client,
            settings,
            {"Authorization": f"Bearer {secrets[Role.ENGINEER]}"},
            {"Authorization": f"Bearer {secrets[Role.AGENT]}"},
            *ids,
        )


def _counts(world: World) -> tuple[int, int]:
    engine = make_engine(world.settings.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        audit = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        counted = session.scalar(select(func.coalesce(func.sum(DecisionCount.count), 0))) or 0
    engine.dispose()
    return audit, counted


class TestDecisionsEndpoint:
    def test_allowed_by_id(self, world: World) -> None:
        body = {"subject": {"id": str(world.consented)}, "purpose": "customer.mailings", "items": ["email"]}
        response = world.client.post("/api/v1/decisions", json=body, headers=world.engineer)
        assert response.status_code == 200
        assert response.json() == {"allowed": True, "reasons": [], "policy_version": 1}

    def test_refused_by_identifier_in_accept_language(self, world: World) -> None:
        body = {"subject": {"kind": "phone", "value": "+81 90 1234 5678"}, "purpose": "customer.mailings"}
        headers = {**world.engineer, "Accept-Language": "zh-TW,zh;q=0.8"}
        response = world.client.post("/api/v1/decisions", json=body, headers=headers)
        reason = response.json()["reasons"][0]
        assert reason["code"] == "consent_missing"
        assert reason["message"] == "沒有本人對 purpose:customer.mailings 的同意。"
        assert "\\u" not in response.text

    def test_lang_field_beats_the_header(self, world: World) -> None:
        body = {"subject": {"id": str(world.plain)}, "purpose": "customer.mailings", "lang": "en"}
        headers = {**world.engineer, "Accept-Language": "ja"}
        response = world.client.post("/api/v1/decisions", json=body, headers=headers)
        assert response.json()["reasons"][0]["message"].startswith("There is no consent")

    def test_refusal_is_audited_and_counted(self, world: World) -> None:
        before = _counts(world)
        body = {"subject": {"id": str(world.cn)}, "purpose": "customer.joint_use", "items": ["name"]}
        response = world.client.post("/api/v1/decisions", json=body, headers=world.engineer)
        assert response.json()["reasons"][0]["code"] == "pipl_separate_consent_missing"
        after = _counts(world)
        assert after[0] == before[0] + 1
        assert after[1] == before[1] + 1

    @pytest.mark.parametrize(
        ("body", "status", "field"),
        [
            ({"subject": {"id": "X"}, "purpose": "nope"}, 422, None),
            ({"subject": {"id": "ID"}, "purpose": "nope"}, 422, "purpose"),
            (
                {"subject": {"kind": "email", "value": "no-at-sign"}, "purpose": "customer.sales"},
                422,
                "subject.value",
            ),
            (
                {"subject": {"id": "ID"}, "purpose": "customer.sales", "items": ["name", "ufo"]},
                422,
                "items[1]",
            ),
            ({"subject": {"id": str(uuid.uuid4())}, "purpose": "customer.sales"}, 404, "subject.id"),
            (
                {"subject": {"kind": "email", "value": "nobody@example.jp"}, "purpose": "customer.sales"},
                404,
                None,
            ),
        ],
    )
    def test_bad_input_is_problem_json_and_writes_nothing(
        self, world: World, body: dict, status: int, field: str | None
    ) -> None:
        body = json.loads(json.dumps(body).replace('"ID"', f'"{world.plain}"'))
        before = _counts(world)
        response = world.client.post("/api/v1/decisions", json=body, headers=world.engineer)
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        if field:
            assert [e["field"] for e in response.json()["errors"]] == [field]
        assert _counts(world) == before

    def test_needs_the_scope(self, world: World) -> None:
        body = {"subject": {"id": str(world.plain)}, "purpose": "customer.sales"}
        assert world.client.post("/api/v1/decisions", json=body, headers=world.agent).status_code == 403


class TestBatchEndpoint:
    def test_results_in_order_with_entry_errors(self, world: World) -> None:
        checks = [
            {"subject": {"id": str(world.consented)}, "purpose": "customer.mailings"},
            {"subject": {"id": str(uuid.uuid4())}, "purpose": "customer.mailings"},
            {"subject": {"kind": "email", "value": "HANAKO@example.jp"}, "purpose": "customer.credit"},
        ]
        response = world.client.post(
            "/api/v1/decisions/batch", json={"checks": checks, "lang": "en"}, headers=world.engineer
        )
        assert response.status_code == 200
        results = response.json()["results"]
        assert results[0]["allowed"] is True
        assert results[1]["error"]["status"] == 404
        assert results[1]["error"]["field"] == "checks[1].subject.id"
        assert results[2]["allowed"] is True

    def test_invalid_entry_is_422_naming_it(self, world: World) -> None:
        checks = [{"subject": {"id": str(world.plain)}, "purpose": "customer.sales", "items": ["ufo"]}]
        response = world.client.post(
            "/api/v1/decisions/batch", json={"checks": checks}, headers=world.engineer
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "checks[0].items[0]"

    def test_batch_of_a_thousand(self, world: World) -> None:
        checks = [{"subject": {"id": str(world.plain)}, "purpose": "customer.sales"}] * 1000
        response = world.client.post(
            "/api/v1/decisions/batch", json={"checks": checks}, headers=world.engineer
        )
        assert len(response.json()["results"]) == 1000


class TestAudiencesEndpoint:
    def test_json_lines_by_default(self, world: World) -> None:
        body = {"purpose": "customer.mailings", "channel": "any", "category": "customers"}
        response = world.client.post("/api/v1/audiences", json=body, headers=world.engineer)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        rows = [json.loads(line) for line in response.text.splitlines()]
        assert {r["subject_id"] for r in rows} == {str(world.consented), str(world.cn)}
        assert {r["language"] for r in rows} == {"en", "zh-Hans"}

    def test_csv_by_query_or_accept(self, world: World) -> None:
        body = {"purpose": "customer.sales", "filters": {"jurisdiction": "JP"}}
        by_query = world.client.post("/api/v1/audiences?format=csv", json=body, headers=world.engineer)
        by_accept = world.client.post(
            "/api/v1/audiences", json=body, headers={**world.engineer, "Accept": "text/csv"}
        )
        for response in (by_query, by_accept):
            assert response.headers["content-type"].startswith("text/csv")
            rows = list(csv.DictReader(io.StringIO(response.text)))
            assert {r["subject_id"] for r in rows} == {str(world.consented), str(world.plain)}

    def test_email_channel_needs_an_email(self, world: World) -> None:
        body = {"purpose": "customer.sales", "channel": "email"}
        response = world.client.post("/api/v1/audiences", json=body, headers=world.engineer)
        assert [json.loads(x)["subject_id"] for x in response.text.splitlines()] == [str(world.consented)]

    def test_unknown_purpose_is_422_and_not_audited(self, world: World) -> None:
        before = _counts(world)
        response = world.client.post("/api/v1/audiences", json={"purpose": "nope"}, headers=world.engineer)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "purpose"
        assert _counts(world) == before

    def test_needs_the_scope(self, world: World) -> None:
        response = world.client.post(
            "/api/v1/audiences", json={"purpose": "customer.sales"}, headers=world.agent
        )
        assert response.status_code == 403

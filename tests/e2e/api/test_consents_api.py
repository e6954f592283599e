"""The consents and suspensions API as a client sees it, on a database the app commits to."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select

from mamori.api.app import create_app
from mamori.audit.models import AuditEvent
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.consents.models import ConsentEvent, UsageSuspension
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token
from tests.factories.consents import MAILINGS, create_plain_subject


@dataclass
class World:
    url: str
    tokens: dict[str, str]
    subject: uuid.UUID
    erased: uuid.UUID

    def audit_actions(self) -> list[str]:
        engine = make_engine(self.url)
        with engine.connect() as conn:
            actions = list(conn.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        engine.dispose()
        return actions

    def counts(self) -> tuple[int, int, int]:
        engine = make_engine(self.url)
        with engine.connect() as conn:
            result = tuple(
                conn.scalar(select(func.count()).select_from(model)) or 0
                for model in (ConsentEvent, UsageSuspension, AuditEvent)
            )
        engine.dispose()
        return result  # type: ignore[return-value]


@pytest.fixture
def world(fresh_database_url: str) -> World:
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        tokens = {}
        for role in (Role.AUDITOR, Role.AGENT):
            add_user(
                session, actor="t", username=role.value, display_name=role.value, role=role, password="x" * 12
            )
            tokens[role.value] = create_token(session, actor="t", username=role.value, name="t").secret
        subject = create_plain_subject(session, language="en").id
        erased = create_plain_subject(session, status="erased").id
    engine.dispose()
    return World(fresh_database_url, tokens, subject, erased)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    settings = Settings(database_url=world.url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _auth(world: World, role: str = "agent") -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[role]}"}


def _give(world: World, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "subject_id": str(world.subject),
        "scope": MAILINGS,
        "action": "given",
        "language": "ja",
        "channel": "web",
    }
    return {**body, **changes}


class TestRecordConsent:
    def test_201_with_the_stored_event(self, client: TestClient, world: World) -> None:
        response = client.post("/api/v1/consents", json=_give(world), headers=_auth(world))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["scope"] == MAILINGS
        assert body["collected_by"] == "user:agent"
        assert len(body["notice_hash"]) == 64
        assert world.counts()[0] == 1

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"scope": "purpose:customer.unknown"}, "scope"),
            ({"channel": "carrier-pigeon"}, "channel"),
            ({"language": "de"}, "language"),
        ],
    )
    def test_bad_input_is_422_naming_the_field_and_writes_nothing(
        self, client: TestClient, world: World, changes: dict[str, object], field: str
    ) -> None:
        before = world.counts()
        response = client.post("/api/v1/consents", json=_give(world, **changes), headers=_auth(world))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [field]
        assert world.counts() == before

    def test_unknown_subject_is_404_and_erased_is_422(self, client: TestClient, world: World) -> None:
        before = world.counts()
        missing = client.post(
            "/api/v1/consents", json=_give(world, subject_id=str(uuid.uuid4())), headers=_auth(world)
        )
        assert missing.status_code == 404
        assert missing.json()["type"].endswith("/not-found")
        erased = client.post(
            "/api/v1/consents", json=_give(world, subject_id=str(world.erased)), headers=_auth(world)
        )
        assert erased.status_code == 422
        assert erased.json()["errors"][0]["field"] == "subject_id"
        assert world.counts() == before

    def test_read_only_token_cannot_write(self, client: TestClient, world: World) -> None:
        response = client.post("/api/v1/consents", json=_give(world), headers=_auth(world, "auditor"))
        assert response.status_code == 403
        assert "consents:write" in response.json()["detail"]


class TestSubjectConsents:
    def test_states_and_events(self, client: TestClient, world: World) -> None:
        client.post(
            "/api/v1/consents",
            json=_give(world, occurred_at="2026-01-01T09:00:00+09:00"),
            headers=_auth(world),
        )
        client.post("/api/v1/consents", json=_give(world, action="withdrawn"), headers=_auth(world))
        response = client.get(f"/api/v1/subjects/{world.subject}/consents", headers=_auth(world, "auditor"))
        assert response.status_code == 200
        body = response.json()
        assert [s["action"] for s in body["states"]] == ["withdrawn"]
        assert [e["action"] for e in body["events"]] == ["given", "withdrawn"]
        past = client.get(
            f"/api/v1/subjects/{world.subject}/consents",
            params={"at": "2026-01-02T00:00:00Z"},
            headers=_auth(world, "auditor"),
        ).json()
        assert [s["action"] for s in past["states"]] == ["given"]

    def test_unknown_subject(self, client: TestClient, world: World) -> None:
        response = client.get(f"/api/v1/subjects/{uuid.uuid4()}/consents", headers=_auth(world))
        assert response.status_code == 404


class TestExportAndReceipt:
    def test_export_is_27560_json_with_characters(self, client: TestClient, world: World) -> None:
        client.post("/api/v1/consents", json=_give(world), headers=_auth(world))
        response = client.get(f"/api/v1/subjects/{world.subject}/consents/export", headers=_auth(world))
        assert response.status_code == 200
        assert "\\u" not in response.text
        body = response.json()
        assert body["schema_version"] == "ISO/IEC TS 27560:2023"
        assert body["records"][0]["pii_processing"]["purposes"][0]["purpose_id"] == "customer.mailings"
        assert world.audit_actions()[-1] == "consent.exported"

    def test_receipt_html_in_the_subjects_language_and_pdf_in_japanese(
        self, client: TestClient, world: World
    ) -> None:
        client.post("/api/v1/consents", json=_give(world), headers=_auth(world))
        url = f"/api/v1/subjects/{world.subject}/consents/receipt"
        html = client.get(url, headers=_auth(world))
        assert html.status_code == 200
        assert html.headers["content-type"].startswith("text/html")
        assert html.headers["content-language"] == "en"
        assert "Your consent receipt" in html.text
        pdf = client.get(url, params={"format": "pdf", "lang": "ja"}, headers=_auth(world))
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
        assert "AOKIグループの商品をお届けするため" in text
        assert world.audit_actions()[-2:] == ["consent.receipt_issued", "consent.receipt_issued"]

    def test_receipt_bad_language_and_format(self, client: TestClient, world: World) -> None:
        url = f"/api/v1/subjects/{world.subject}/consents/receipt"
        bad_lang = client.get(url, params={"lang": "fr"}, headers=_auth(world))
        assert bad_lang.status_code == 422
        assert bad_lang.json()["errors"][0]["field"] == "lang"
        assert client.get(url, params={"format": "docx"}, headers=_auth(world)).status_code == 422


class TestSuspensions:
    def test_create_list_and_lift(self, client: TestClient, world: World) -> None:
        created = client.post(
            "/api/v1/suspensions",
            json={
                "subject_id": str(world.subject),
                "scope": "all",
                "reason": "complaint",
                "source": "manual",
            },
            headers=_auth(world),
        )
        assert created.status_code == 201, created.text
        item = created.json()
        assert item["active"] is True
        listed = client.get(f"/api/v1/subjects/{world.subject}/suspensions", headers=_auth(world, "auditor"))
        assert [(s["id"], s["active"]) for s in listed.json()] == [(item["id"], True)]
        lifted = client.post(f"/api/v1/suspensions/{item['id']}/lift", headers=_auth(world))
        assert lifted.status_code == 200
        assert lifted.json()["lifted_at"] is not None
        again = client.post(f"/api/v1/suspensions/{item['id']}/lift", headers=_auth(world))
        assert again.status_code == 409
        listed = client.get(f"/api/v1/subjects/{world.subject}/suspensions", headers=_auth(world)).json()
        assert listed[0]["active"] is False

    def test_bad_scope_is_422_and_writes_nothing(self, client: TestClient, world: World) -> None:
        before = world.counts()
        response = client.post(
            "/api/v1/suspensions",
            json={
                "subject_id": str(world.subject),
                "scope": "purpose:nope",
                "reason": "r",
                "source": "manual",
            },
            headers=_auth(world),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "scope"
        assert world.counts() == before

    def test_unknown_suspension_and_subject(self, client: TestClient, world: World) -> None:
        assert (
            client.post(f"/api/v1/suspensions/{uuid.uuid4()}/lift", headers=_auth(world)).status_code == 404
        )
        response = client.get(f"/api/v1/subjects/{uuid.uuid4()}/suspensions", headers=_auth(world))
        assert response.status_code == 404


class TestOpenAPI:
    def test_paths_are_documented(self, client: TestClient) -> None:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        for path in (
            "/api/v1/consents",
            "/api/v1/subjects/{subject_id}/consents",
            "/api/v1/subjects/{subject_id}/consents/export",
            "/api/v1/subjects/{subject_id}/consents/receipt",
            "/api/v1/suspensions",
            "/api/v1/suspensions/{suspension_id}/lift",
            "/api/v1/subjects/{subject_id}/suspensions",
        ):
            assert path in paths, path

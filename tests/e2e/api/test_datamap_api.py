"""The data map and fulfillment API as a client sees it: runs, the package, the ledger, problem+json."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import create_engine, select

from mamori.audit.models import AuditEvent
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.fulfillment import service
from mamori.fulfillment.models import FulfillmentRun
from mamori.fulfillment.runner import close_connectors
from mamori.policy.service import publish_bundle
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token
from tests.factories.dsr import accepted_case, case_in_progress
from tests.factories.fulfillment import load_crm, load_shop, set_kind, shop_bundle, write_calls
from tests.factories.subjects import create_subject

ROLES = ("admin", "privacy_officer", "agent", "engineer", "auditor")
EMAIL = "user1@example.jp"


@dataclass
class Office:
    """The served app, a token per role, and cases about the person holding ``EMAIL``."""

    client: TestClient
    tokens: dict[str, str]
    subject_id: str
    cases: dict[str, str] = field(default_factory=dict)

    def as_role(self, role: str) -> TestClient:
        self.client.headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return self.client


@pytest.fixture
def office(
    client: TestClient, fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Office]:
    """The example data map published, its systems on SQLite and CSV, a token per role, decided cases."""
    for name, load in (
        ("shop", lambda e: load_shop(e, 8)),
        ("crm", lambda e: load_crm(e, [EMAIL])),
    ):
        engine = create_engine(f"sqlite:///{tmp_path / name}.db")
        load(engine)
        engine.dispose()
    write_calls(tmp_path / "calls", 3)
    monkeypatch.setenv("SHOP_DB_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.setenv("CRM_DB_URL", f"sqlite:///{tmp_path / 'crm.db'}")
    monkeypatch.setenv("CALLCENTRE_DIR", str(tmp_path / "calls"))
    bundle = shop_bundle(tmp_path)
    set_kind(bundle, "shop", "sqlite")
    set_kind(bundle, "crm", "sqlite")
    settings = client.app.state.runtime.settings  # type: ignore[attr-defined]
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=bundle)
        tokens = {}
        for role in ROLES:
            add_user(session, actor="t", username=role, display_name=role, role=Role(role), password="x" * 12)
            tokens[role] = create_token(session, actor="t", username=role, name="t").secret
        person = create_subject(session, settings, identifiers=[("email", EMAIL)])
        other = create_subject(session, settings, identifiers=[("email", "user2@example.jp")])
        cases = {
            "disclosure": accepted_case(session, settings, subject_id=person.id).reference,
            "refused": accepted_case(session, settings, subject_id=person.id, outcome="refused").reference,
            "open": case_in_progress(session, settings, subject_id=person.id).reference,
            "other": accepted_case(session, settings, subject_id=other.id).reference,
        }
    engine.dispose()
    yield Office(client, tokens, str(person.id), cases)
    close_connectors()


@pytest.fixture
def engineer(office: Office) -> TestClient:
    return office.as_role("engineer")


@pytest.fixture
def officer(office: Office) -> TestClient:
    return office.as_role("privacy_officer")


def _finished(client: TestClient, run_id: str) -> str | None:
    """Execute the queued run as the worker would (the tests run no embedded worker)."""
    return service.execute_run(client.app.state.runtime.session_factory, uuid.UUID(run_id))  # type: ignore[attr-defined]


def _runs_for(client: TestClient, case_ref: str) -> int:
    with unit_of_work(client.app.state.runtime.session_factory) as session:  # type: ignore[attr-defined]
        return len(
            list(session.scalars(select(FulfillmentRun.id).where(FulfillmentRun.case_ref == case_ref)))
        )


def _audit_actions(client: TestClient) -> list[str]:
    with unit_of_work(client.app.state.runtime.session_factory) as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(AuditEvent.action)))


class TestRuns:
    def test_an_access_run_returns_the_package_in_the_requesters_language(
        self, office: Office, officer: TestClient
    ) -> None:
        body = {
            "action": "access",
            "case_ref": office.cases["disclosure"],
            "language": "en",
            "identities": [{"kind": "email", "value": EMAIL}],
        }
        started = officer.post("/api/v1/fulfillment/runs", json=body)
        assert started.status_code == 202, started.text
        assert started.json()["status"] == "pending"
        assert started.json()["case_ref"] == office.cases["disclosure"]
        assert _finished(officer, started.json()["id"]) == "completed"
        view = officer.get(f"/api/v1/fulfillment/runs/{started.json()['id']}", params={"package": "true"})
        assert view.status_code == 200
        assert view.json()["status"] == "completed"
        assert "山田 太郎1" in view.text  # the response keeps Japanese as characters
        labels = {
            f["label"]
            for s in view.json()["package"]["systems"]
            for d in s["datasets"]
            for r in d["records"]
            for f in r["fields"]
        }
        assert {"Name", "E-mail address", "Date of birth"} <= labels
        without = officer.get(f"/api/v1/fulfillment/runs/{started.json()['id']}")
        assert without.json()["package"] is None

    @pytest.mark.parametrize("role", ["engineer", "auditor"])
    def test_the_package_is_read_only_by_those_who_answer_requests_and_audited(
        self, office: Office, officer: TestClient, role: str
    ) -> None:
        run_id = officer.post(
            "/api/v1/fulfillment/runs", json={"action": "access", "case_ref": office.cases["disclosure"]}
        ).json()["id"]
        assert _finished(officer, run_id) == "completed"
        assert "fulfillment.package_read" not in _audit_actions(officer)
        reader = office.as_role(role)
        refused = reader.get(f"/api/v1/fulfillment/runs/{run_id}", params={"package": "true"})
        assert refused.status_code == 403
        assert "山田" not in refused.text
        assert reader.get(f"/api/v1/fulfillment/runs/{run_id}").json()["status"] == "completed"
        assert "fulfillment.package_read" not in _audit_actions(officer)
        officer = office.as_role("privacy_officer")
        assert "山田" in officer.get(f"/api/v1/fulfillment/runs/{run_id}", params={"package": "true"}).text
        assert _audit_actions(officer).count("fulfillment.package_read") == 1

    def test_bad_input_is_problem_json_naming_the_field(self, office: Office, officer: TestClient) -> None:
        body = {"action": "destroy", "case_ref": office.cases["disclosure"]}
        wrong = officer.post("/api/v1/fulfillment/runs", json=body)
        assert wrong.status_code == 422
        assert wrong.headers["content-type"].startswith("application/problem+json")
        assert "action" in wrong.text

    def test_retrying_a_run_that_did_not_fail_is_a_conflict(
        self, office: Office, officer: TestClient
    ) -> None:
        body = {"action": "access", "case_ref": office.cases["disclosure"]}
        run_id = officer.post("/api/v1/fulfillment/runs", json=body).json()["id"]
        assert _finished(officer, run_id) == "completed"
        response = office.as_role("engineer").post(f"/api/v1/fulfillment/runs/{run_id}/retry")
        assert response.status_code == 409
        assert officer.get(f"/api/v1/fulfillment/runs/{uuid.uuid4()}").status_code == 404

    def test_a_token_without_the_scope_is_refused(self, office: Office) -> None:
        assert office.as_role("agent").get("/api/v1/datamap").status_code == 403


class TestRunsBelongToAcceptedCases:
    """Security item 5 and legal item 7: who may start which run."""

    def test_an_engineer_cannot_erase_anyone_with_a_made_up_case_reference(
        self, engineer: TestClient
    ) -> None:
        body = {"action": "erase", "case_ref": "R-MADE-UP", "identities": [{"kind": "email", "value": EMAIL}]}
        response = engineer.post("/api/v1/fulfillment/runs", json=body)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
        assert _runs_for(engineer, "R-MADE-UP") == 0

    def test_the_privacy_officer_starts_the_run_of_a_case_it_decided(
        self, office: Office, officer: TestClient
    ) -> None:
        started = officer.post(
            "/api/v1/fulfillment/runs", json={"action": "access", "case_ref": office.cases["disclosure"]}
        )
        assert started.status_code == 202, started.text
        assert started.json()["created_by"] == "user:privacy_officer"

    def test_a_made_up_reference_is_not_found(self, officer: TestClient) -> None:
        response = officer.post("/api/v1/fulfillment/runs", json={"action": "erase", "case_ref": "R-MADE-UP"})
        assert response.status_code == 404
        assert "R-MADE-UP" in response.json()["detail"]

    @pytest.mark.parametrize("which", ["refused", "open"])
    def test_a_case_not_accepted_is_a_conflict(self, office: Office, officer: TestClient, which: str) -> None:
        body = {"action": "access", "case_ref": office.cases[which]}
        response = officer.post("/api/v1/fulfillment/runs", json=body)
        assert response.status_code == 409
        assert "accepted" in response.json()["detail"]

    def test_the_action_must_be_the_one_the_case_asked_for(self, office: Office, officer: TestClient) -> None:
        body = {"action": "erase", "case_ref": office.cases["disclosure"]}
        response = officer.post("/api/v1/fulfillment/runs", json=body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "action"
        assert "access" in response.json()["detail"]

    def test_a_case_reaches_its_own_person_only(self, office: Office, officer: TestClient) -> None:
        body = {
            "action": "access",
            "case_ref": office.cases["other"],
            "identities": [{"kind": "email", "value": EMAIL}],
        }
        response = officer.post("/api/v1/fulfillment/runs", json=body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "identities.email"

    def test_break_glass_needs_a_reason_and_is_audited_as_such(self, officer: TestClient) -> None:
        body = {
            "action": "erase",
            "break_glass": True,
            "identities": [{"kind": "email", "value": EMAIL}],
        }
        short = officer.post("/api/v1/fulfillment/runs", json={**body, "reason": "urgent"})
        assert short.status_code == 422
        assert short.json()["errors"][0]["field"] == "reason"
        reason = "Court order 2026-123 requires immediate erasure of this account"
        started = officer.post(
            "/api/v1/fulfillment/runs", json={**body, "reason": reason, "case_ref": "CO-123"}
        )
        assert started.status_code == 202, started.text
        assert started.json()["case_ref"] == "break-glass:CO-123"
        assert "fulfillment.break_glass" in _audit_actions(officer)

    @pytest.mark.parametrize("role", ["admin", "agent", "engineer", "auditor"])
    def test_only_the_privacy_officer_may_break_glass(self, office: Office, role: str) -> None:
        body = {
            "action": "erase",
            "break_glass": True,
            "reason": "Court order 2026-123 requires immediate erasure of this account",
            "identities": [{"kind": "email", "value": EMAIL}],
        }
        response = office.as_role(role).post("/api/v1/fulfillment/runs", json=body)
        assert response.status_code == 403


class TestDatamap:
    def test_lists_the_systems_and_exports_the_ledger(self, engineer: TestClient) -> None:
        systems = engineer.get("/api/v1/datamap", params={"lang": "zh-Hans"}).json()
        assert [s["id"] for s in systems] == ["callcentre", "crm", "shop"]
        assert systems[2]["name"] == "网店客户数据库"
        csv_file = engineer.get("/api/v1/datamap/ledger")
        assert csv_file.headers["content-type"].startswith("text/csv")
        assert "個人情報の項目" in csv_file.content.decode("utf-8-sig")
        xlsx = engineer.get("/api/v1/datamap/ledger", params={"format": "xlsx", "lang": "en"})
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        assert sheet.cell(row=1, column=11).value == "Special-care"

    def test_the_live_check_is_empty_when_the_schema_matches(self, engineer: TestClient) -> None:
        assert engineer.get("/api/v1/datamap/check").json() == []

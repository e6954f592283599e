"""The incidents API as a client sees it: register, recount, clocks, reports, closing; problem+json."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select

from mamori.audit.models import AuditEvent
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.incidents.models import Incident, IncidentEvent
from mamori.incidents.service import how_found
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token

BASE = "/api/v1/incidents"
NOW = datetime.now(UTC)
LEAK: dict[str, Any] = {
    "kind": "leak",
    "occurred_at": (NOW - timedelta(days=2)).isoformat(),
    "known_at": (NOW - timedelta(hours=3)).isoformat(),
    "how_found": "委託先からの連絡で判明",
    "data_items": ["name", "email"],
    "persons_known": 120,
    "systems": ["crm"],
}


@pytest.fixture
def officer(client: TestClient, tokens: dict[str, str], fresh_database_url: str) -> TestClient:
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        add_user(session, actor="t", username="officer", display_name="o", role=Role.PRIVACY_OFFICER,
                 password="x" * 12)  # fmt: skip
        secret = create_token(session, actor="t", username="officer", name="t").secret
    engine.dispose()
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


def _count(client: TestClient, what: Any) -> int:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with unit_of_work(runtime.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(what)) or 0)


def _register(client: TestClient, **changes: Any) -> dict[str, Any]:
    response = client.post(BASE, json=LEAK | changes)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


class TestRegister:
    def test_answers_with_reportability_and_no_clock_below_the_threshold(self, officer: TestClient) -> None:
        body = _register(officer)
        assert (body["reportable"], body["triggers"], body["clocks"]) == (False, [], [])
        assert body["reasons"][0]["code"] == "not_reportable"
        assert "委託先" not in str(body)

    def test_a_recount_past_1000_starts_the_clocks(self, officer: TestClient) -> None:
        incident = _register(officer)
        response = officer.patch(f"{BASE}/{incident['id']}/facts", json={"persons_max": 1800})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["reportable"]
        assert body["triggers"] == ["over_1000_persons"]
        assert "1,800" in body["reasons"][0]["messages"]["ja"]
        assert {c["code"] for c in body["clocks"]} == {"ppc_preliminary", "ppc_final", "individual_notice"}
        history = officer.get(f"{BASE}/{incident['id']}/history").json()
        assert [(e["action"], e["reportable"]) for e in history] == [
            ("incident.registered", False), ("incident.facts_updated", True),
        ]  # fmt: skip

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"occurred_at": (NOW - timedelta(hours=1)).isoformat()}, "known_at"),
            ({"persons_known": -4}, "persons_known"),
            ({"data_items": ["name", "retina_scan"]}, "data_items[1]"),
        ],
    )
    def test_bad_input_is_problem_json_naming_the_field_and_writes_nothing(
        self, officer: TestClient, changes: dict[str, Any], field: str
    ) -> None:
        before = (_count(officer, Incident), _count(officer, IncidentEvent), _count(officer, AuditEvent))
        response = officer.post(BASE, json=LEAK | changes)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"].endswith("validation-failed")
        assert [e["field"] for e in problem["errors"]] == [field]
        assert field in problem["detail"]
        assert (
            _count(officer, Incident),
            _count(officer, IncidentEvent),
            _count(officer, AuditEvent),
        ) == before

    def test_scopes(self, client: TestClient, tokens: dict[str, str]) -> None:
        client.headers["Authorization"] = f"Bearer {tokens['auditor']}"
        assert client.get(BASE).status_code == 200
        assert client.post(BASE, json=LEAK).status_code == 403
        client.headers["Authorization"] = f"Bearer {tokens['agent']}"
        assert client.get(BASE).status_code == 403

    def test_unknown_incident_is_404(self, officer: TestClient) -> None:
        response = officer.get(f"{BASE}/00000000-0000-4000-8000-000000000000")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


class TestWorkflow:
    def test_report_pdf_statement_actions_and_close(self, officer: TestClient) -> None:
        incident = _register(officer, persons_max=1500, data_items=["email", "health_check"])
        base = f"{BASE}/{incident['id']}"
        draft = officer.post(f"{base}/reports", json={"stage": "final", "items": {"cause": "設定誤り"}})
        assert draft.status_code == 201, draft.text
        report = draft.json()
        assert report["content"]["items"]["data_items"]["special_care"] == ["health_check"]
        pdf = officer.get(f"{base}/reports/{report['id']}/pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "設定誤り" in text
        assert officer.post(f"{base}/reports/{report['id']}/file").json()["status"] == "filed"
        closing = officer.post(f"{base}/transitions", json={"to": "closed"})
        assert closing.status_code == 409
        assert [e["message"] for e in closing.json()["errors"]] == ["individuals_not_notified"]
        statement = officer.post(f"{base}/statement", json={}).json()
        assert set(statement["texts"]) == {"ja", "en", "zh-Hans", "zh-Hant"}
        action = officer.post(f"{base}/actions", json={"title": "再発防止", "owner": "hanako",
                                                       "due_on": "2026-12-25"}).json()  # fmt: skip
        assert officer.post(f"{base}/transitions", json={"to": "closed"}).status_code == 409
        done = officer.post(f"{base}/actions/{action['id']}/status", json={"to": "done"})
        assert done.json()["status"] == "done"
        closed = officer.post(f"{base}/transitions", json={"to": "closed"})
        assert closed.status_code == 200, closed.text
        assert closed.json()["state"] == "closed"

    def test_deadlines_list_overdue_first(self, officer: TestClient) -> None:
        _register(officer, persons_max=1500)
        old = _register(officer, persons_max=1500, known_at=(NOW - timedelta(days=8)).isoformat(),
                        occurred_at=None)  # fmt: skip
        lines = officer.get(f"{BASE}/deadlines").json()
        assert lines[0]["reference"] == old["reference"]
        assert lines[0]["clock"]["status"] == "overdue"
        statuses = [line["clock"]["status"] for line in lines]
        assert statuses == sorted(statuses, key=["overdue", "due_soon", "pending"].index)

    def test_openapi_documents_the_endpoints(self, client: TestClient) -> None:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        assert {f"{BASE}", f"{BASE}/deadlines", f"{BASE}/{{incident_id}}/facts",
                f"{BASE}/{{incident_id}}/reports/{{report_id}}/pdf"} <= set(paths)  # fmt: skip


class TestMyNumberInTheDescription:
    def test_how_it_was_found_is_stored_with_the_number_masked(self, officer: TestClient) -> None:
        created = _register(officer, how_found="顧客から「個人番号 123456789018 が見える」と連絡")
        runtime = officer.app.state.runtime  # type: ignore[attr-defined]
        with unit_of_work(runtime.session_factory) as session:
            incident = session.get_one(Incident, uuid.UUID(created["id"]))
            stored = how_found(runtime.settings, incident)
        assert stored == "顧客から「個人番号 ************ が見える」と連絡"

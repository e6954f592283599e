"""Bad input gets a clear 4xx (problem+json under /api) and changes nothing; never a server error."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from mamori.audit.models import AuditEvent
from mamori.db.session import unit_of_work
from mamori.inquiries.models import Inquiry
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token
from mamori.subjects.models import Subject

FAR_EAST_YEAR_ONE = "0001-01-01T00:00:00+14:00"  # before year 1 once moved to UTC
PERSON: dict[str, Any] = {
    "name": "山田 太郎",
    "categories": [{"category": "customers"}],
    "identifiers": [{"kind": "email", "value": "taro@example.jp"}],
}


@pytest.fixture
def admin(client: TestClient, tokens: dict[str, str]) -> TestClient:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with unit_of_work(runtime.session_factory) as session:
        add_user(session, actor="t", username="root", display_name="root", role=Role.ADMIN, password="x" * 12)
        secret = create_token(session, actor="t", username="root", name="t").secret
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


def _count(client: TestClient, what: Any) -> int:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with unit_of_work(runtime.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(what)) or 0)


def _refused(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/audit", "after"),
        ("/api/v1/jobs", "offset"),
        ("/api/v1/provisions/00000000-0000-4000-8000-000000000000", "offset"),
    ],
)
def test_positions_beyond_64_bits_are_refused(admin: TestClient, path: str, name: str) -> None:
    response = admin.get(path, params={name: 2**64, "purpose": "customer.mailings"})
    problem = _refused(response)
    assert problem["errors"][0]["loc"] == ["query", name]


class TestTimeZonesPushingDatesOutOfRange:
    def test_subject_collected_at(self, admin: TestClient) -> None:
        body = PERSON | {"categories": [{"category": "customers", "collected_at": FAR_EAST_YEAR_ONE}]}
        problem = _refused(admin.post("/api/v1/subjects", json=body))
        assert "out of range" in problem["errors"][0]["message"]
        assert _count(admin, Subject) == 0

    def test_decision_and_audience_at(self, admin: TestClient) -> None:
        ref = {"kind": "email", "value": "taro@example.jp"}
        decision = {"subject": ref, "purpose": "customer.mailings", "at": FAR_EAST_YEAR_ONE}
        _refused(admin.post("/api/v1/decisions", json=decision))
        audience = {"purpose": "customer.mailings", "at": FAR_EAST_YEAR_ONE}
        _refused(admin.post("/api/v1/audiences", json=audience))

    def test_inquiry_received_at(self, admin: TestClient) -> None:
        body = {"channel": "phone", "language": "ja", "category": "other", "message": "もしもし"}
        _refused(admin.post("/api/v1/inquiries", json=body | {"received_at": FAR_EAST_YEAR_ONE}))
        assert _count(admin, Inquiry) == 0

    def test_incident_known_at(self, admin: TestClient) -> None:
        body = {"kind": "leak", "data_items": ["email"], "known_at": FAR_EAST_YEAR_ONE}
        _refused(admin.post("/api/v1/incidents", json=body))


class TestTextAndIdentifiers:
    def test_nul_in_a_name_is_refused_and_nothing_stored(self, admin: TestClient) -> None:
        events = _count(admin, AuditEvent)
        problem = _refused(admin.post("/api/v1/subjects", json=PERSON | {"name": "山田\x00太郎"}))
        assert "control character" in problem["detail"] or "control character" in str(problem["errors"])
        assert (_count(admin, Subject), _count(admin, AuditEvent)) == (0, events)

    def test_nul_in_a_query_is_refused(self, admin: TestClient) -> None:
        _refused(admin.get("/api/v1/audit", params={"action": "subject\x00created"}))

    def test_unknown_identifier_kind_is_refused(self, admin: TestClient) -> None:
        body = PERSON | {"identifiers": [{"kind": "favourite_colour", "value": "blue"}]}
        _refused(admin.post("/api/v1/subjects", json=body))
        assert _count(admin, Subject) == 0

    def test_year_one_birth_date_is_refused(self, admin: TestClient) -> None:
        _refused(admin.post("/api/v1/subjects", json=PERSON | {"date_of_birth": "0001-01-01"}))
        assert _count(admin, Subject) == 0

    def test_inquiry_email_must_be_an_address_without_nul(self, admin: TestClient) -> None:
        body = {"channel": "email", "language": "ja", "category": "other", "message": "質問です"}
        for email in ("hanako@example.jp\x00", "not an address"):
            _refused(admin.post("/api/v1/inquiries", json=body | {"email": email}))
        assert _count(admin, Inquiry) == 0


def test_console_login_with_nul_is_a_clear_400(client: TestClient) -> None:
    response = client.post(
        "/console/login", data={"username": "root\x00", "password": "x"}, follow_redirects=False
    )
    assert response.status_code == 400
    assert "NUL" in response.text

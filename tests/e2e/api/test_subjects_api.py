"""The subjects API as a client sees it: create, look up, reveal for a purpose, errors as problem+json."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from mamori.audit.models import AuditEvent
from mamori.db.session import unit_of_work
from mamori.subjects.models import Subject, SubjectIdentifier

BASE = "/api/v1/subjects"
PERSON: dict[str, Any] = {
    "jurisdiction": "CN",
    "language": "zh-Hans",
    "name": "王小明",
    "date_of_birth": "1990-04-01",
    "categories": [{"category": "customers", "source": "online shop"}],
    "identifiers": [
        {"kind": "email", "value": "Xiaoming@Example.cn"},
        {"kind": "phone", "value": "090-1234-5678"},
    ],
}


@pytest.fixture
def agent(client: TestClient, tokens: dict[str, str]) -> TestClient:
    client.headers["Authorization"] = f"Bearer {tokens['agent']}"
    return client


def _count(client: TestClient, what: Any) -> int:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with unit_of_work(runtime.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(what)) or 0)


def _create(client: TestClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post(BASE, json=body or PERSON)
    assert response.status_code == 201, response.text
    return response.json()


class TestCreate:
    def test_created_view_has_no_personal_data(self, agent: TestClient) -> None:
        response = agent.post(BASE, json=PERSON)
        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "active"
        assert body["jurisdiction"] == "CN"
        assert [c["category"] for c in body["categories"]] == ["customers"]
        assert [i["kind"] for i in body["identifiers"]] == ["email", "phone"]
        for secret in ("王小明", "xiaoming", "+819012345678", "090-1234", "1990-04-01"):
            assert secret not in response.text.lower()

    def test_malformed_email_is_422_naming_the_field_and_writes_nothing(self, agent: TestClient) -> None:
        events = _count(agent, AuditEvent)
        body = PERSON | {"identifiers": [{"kind": "email", "value": "not-an-email"}]}
        response = agent.post(BASE, json=body)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["errors"] == [{"field": "identifiers[0].value", "message": "not an e-mail address"}]
        assert "not-an-email" not in response.text
        assert (_count(agent, Subject), _count(agent, AuditEvent)) == (0, events)

    def test_unknown_category_and_bad_enum(self, agent: TestClient) -> None:
        response = agent.post(BASE, json=PERSON | {"categories": [{"category": "pets"}]})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "categories[0].category"
        response = agent.post(BASE, json=PERSON | {"jurisdiction": "US"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", "jurisdiction"]
        naive = {"category": "customers", "collected_at": "2024-04-01T09:00:00"}
        response = agent.post(BASE, json=PERSON | {"categories": [naive]})
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", "categories", "0", "collected_at"]
        assert _count(agent, Subject) == 0

    def test_identifier_held_by_another_subject_is_409(self, agent: TestClient) -> None:
        _create(agent)
        response = agent.post(BASE, json=PERSON)
        assert response.status_code == 409
        assert response.json()["errors"][0]["field"] == "identifiers[0].value"
        assert _count(agent, Subject) == 1


class TestLookup:
    def test_finds_by_normalised_identifier(self, agent: TestClient) -> None:
        created = _create(agent)
        response = agent.post(f"{BASE}/lookup", json={"kind": "phone", "value": "０９０１２３４５６７８"})
        assert response.status_code == 200
        assert response.json() == {
            "id": created["id"],
            "status": "active",
            "categories": ["customers"],
            "jurisdiction": "CN",
        }

    def test_unknown_is_404_and_malformed_is_422(self, agent: TestClient) -> None:
        missing = agent.post(f"{BASE}/lookup", json={"kind": "email", "value": "nobody@example.jp"})
        assert missing.status_code == 404
        assert missing.json()["type"].endswith("/not-found")
        assert "nobody" not in missing.text
        bad = agent.post(f"{BASE}/lookup", json={"kind": "email", "value": "nobody"})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "value"


class TestRead:
    def test_get_and_unknown(self, agent: TestClient) -> None:
        created = _create(agent)
        response = agent.get(f"{BASE}/{created['id']}")
        assert response.status_code == 200
        assert response.json() == created
        assert agent.get(f"{BASE}/00000000-0000-4000-8000-000000000000").status_code == 404
        assert agent.get(f"{BASE}/not-a-uuid").status_code == 422


class TestReveal:
    def test_declared_purpose_reveals(self, agent: TestClient) -> None:
        created = _create(agent)
        response = agent.get(f"{BASE}/{created['id']}/reveal", params={"purpose": "customer.sales"})
        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "王小明"
        assert "王小明" in response.text  # characters, not \u escapes
        assert [(i["kind"], i["value"]) for i in body["identifiers"]] == [
            ("email", "xiaoming@example.cn"),
            ("phone", "+819012345678"),
        ]

    def test_undeclared_purpose_is_refused_and_the_refusal_is_kept(self, agent: TestClient) -> None:
        created = _create(agent)
        response = agent.get(f"{BASE}/{created['id']}/reveal", params={"purpose": "employee.hr"})
        assert response.status_code == 422
        assert response.json()["type"].endswith("/policy-violation")
        assert "王小明" not in response.text
        runtime = agent.app.state.runtime  # type: ignore[attr-defined]
        with unit_of_work(runtime.session_factory) as session:
            actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        assert actions[-1] == "subject.read_refused"

    def test_a_purpose_outside_the_role_duties_is_forbidden_and_audited(
        self, agent: TestClient, tokens: dict[str, str]
    ) -> None:
        created = _create(agent)
        # declared for customers, but not among an agent's duties (policies/aoki/staff_roles.yaml)
        response = agent.get(
            f"{BASE}/{created['id']}/reveal", params={"purpose": "customer.marketing_analysis"}
        )
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "王小明" not in response.text
        agent.headers["Authorization"] = f"Bearer {tokens['auditor']}"
        audited = agent.get(f"{BASE}/{created['id']}/reveal", params={"purpose": "customer.sales"})
        assert audited.status_code == 403
        assert "'auditor'" in audited.json()["detail"]
        runtime = agent.app.state.runtime  # type: ignore[attr-defined]
        with unit_of_work(runtime.session_factory) as session:
            refusals = list(
                session.scalars(select(AuditEvent).where(AuditEvent.action == "subject.read_refused"))
            )
        assert [e.actor for e in refusals] == ["user:agent", "user:auditor"]
        assert all("outside-role-duties" in str(e.details) for e in refusals)

    def test_purpose_is_required(self, agent: TestClient) -> None:
        created = _create(agent)
        response = agent.get(f"{BASE}/{created['id']}/reveal")
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "purpose"]


class TestChanges:
    def test_identifier_category_relationship_merge_erase(self, agent: TestClient) -> None:
        one = _create(agent)
        two = _create(agent, PERSON | {"identifiers": [{"kind": "member_number", "value": "m-1"}]})
        added = agent.post(f"{BASE}/{one['id']}/identifiers", json={"kind": "member_number", "value": "m-2"})
        assert added.status_code == 201
        assert [i["kind"] for i in added.json()["identifiers"]] == ["email", "phone", "member_number"]
        category = agent.post(f"{BASE}/{one['id']}/categories", json={"category": "inquirers"})
        assert category.status_code == 201
        relation = {
            "related_subject_id": two["id"],
            "kind": "agent",
            "evidence_ref": "power-of-attorney/42",
            "valid_from": "2026-01-01",
        }
        related = agent.post(f"{BASE}/{one['id']}/relationships", json=relation)
        assert related.status_code == 201, related.text
        backwards = relation | {"valid_until": "2025-12-31"}
        bad = agent.post(f"{BASE}/{one['id']}/relationships", json=backwards)
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "valid_until"
        preview = agent.get(f"{BASE}/{two['id']}/merge-into/{one['id']}")
        assert preview.status_code == 200, preview.text
        assert preview.json()["identifiers"] == {"member_number": 1}
        assert preview.json()["relationships"] == 1
        assert agent.get(f"{BASE}/{two['id']}/merge-into/{two['id']}").status_code == 409
        merged = agent.post(f"{BASE}/{two['id']}/merge-into/{one['id']}")
        assert merged.status_code == 200
        assert merged.json()["merged_ids"] == [two["id"]]
        lookup = agent.post(f"{BASE}/lookup", json={"kind": "member_number", "value": "M1"})
        assert lookup.json()["id"] == one["id"]
        removed = agent.delete(f"{BASE}/{one['id']}/identifiers/{added.json()['identifiers'][-1]['id']}")
        assert removed.status_code == 200
        erased = agent.post(f"{BASE}/{one['id']}/erase")
        assert erased.status_code == 200
        assert erased.json()["status"] == "erased"
        assert erased.json()["identifiers"] == []
        assert _count(agent, SubjectIdentifier) == 0
        assert agent.post(f"{BASE}/{one['id']}/erase").status_code == 409

    def test_unknown_subject_is_404_and_nothing_written(self, agent: TestClient) -> None:
        missing = "00000000-0000-4000-8000-000000000000"
        response = agent.post(f"{BASE}/{missing}/identifiers", json={"kind": "email", "value": "a@b.jp"})
        assert response.status_code == 404
        assert _count(agent, SubjectIdentifier) == 0


class TestAccess:
    @pytest.mark.usefixtures("tokens")
    def test_without_token_is_401(self, client: TestClient) -> None:
        assert client.post(BASE, json=PERSON).status_code == 401
        assert client.post(f"{BASE}/lookup", json={"kind": "email", "value": "a@b.jp"}).status_code == 401

    def test_read_only_token_cannot_write(self, client: TestClient, tokens: dict[str, str]) -> None:
        auditor = {"Authorization": f"Bearer {tokens['auditor']}"}
        response = client.post(BASE, json=PERSON, headers=auditor)
        assert response.status_code == 403
        assert "subjects:write" in response.json()["detail"]
        lookup = client.post(f"{BASE}/lookup", json={"kind": "email", "value": "a@b.jp"}, headers=auditor)
        assert lookup.status_code == 404  # reading is allowed; nobody has it

    def test_openapi_lists_the_endpoints(self, client: TestClient) -> None:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        assert "/api/v1/subjects/{subject_id}/reveal" in paths
        assert paths["/api/v1/subjects"]["post"]["description"]


class TestEraseClearsStaffFreeText:
    EVIDENCE = "紙の同意書 王小明 No.77"
    REASON = "王小明さんが電話で停止を希望"

    def _stored(self, client: TestClient) -> list[str]:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        sql = (
            "SELECT evidence_ref FROM consent_events UNION ALL SELECT reason FROM usage_suspensions"
            " UNION ALL SELECT source_ref FROM usage_suspensions"
        )
        with unit_of_work(runtime.session_factory) as session:
            return [str(v) for (v,) in session.execute(text(sql)) if v]

    def test_reads_in_clear_stores_encrypted_and_erase_blanks_it(self, agent: TestClient) -> None:
        person = agent.post(BASE, json=PERSON).json()["id"]
        consent = {
            "subject_id": person, "scope": "purpose:customer.mailings", "action": "given", "language": "ja",
            "channel": "paper", "evidence_ref": self.EVIDENCE,
        }  # fmt: skip
        assert agent.post("/api/v1/consents", json=consent).status_code == 201
        stop = {
            "subject_id": person,
            "scope": "all",
            "reason": self.REASON,
            "source": "manual",
            "source_ref": "T-1",
        }
        assert agent.post("/api/v1/suspensions", json=stop).status_code == 201
        events = agent.get(f"{BASE}/{person}/consents").json()["events"]
        assert [e["evidence_ref"] for e in events] == [self.EVIDENCE]
        assert agent.get(f"{BASE}/{person}/suspensions").json()[0]["reason"] == self.REASON
        before = self._stored(agent)
        assert len(before) == 3
        assert not [v for v in before if "王小明" in v or v == "T-1"]
        assert agent.post(f"{BASE}/{person}/erase").status_code == 200
        assert self._stored(agent) == []
        assert agent.get(f"{BASE}/{person}/consents").json()["events"][0]["evidence_ref"] is None

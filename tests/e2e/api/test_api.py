"""The API as a client sees it: tokens, scopes, problem+json, policy and audit endpoints."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from mamori.db.session import make_engine
from mamori.policy.models import PolicyVersion


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestAuthentication:
    @pytest.mark.usefixtures("tokens")
    def test_missing_token_is_401_problem(self, client: TestClient) -> None:
        response = client.get("/api/v1/policy")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == 401
        assert body["type"].endswith("/unauthenticated")
        assert response.headers["www-authenticate"] == "Bearer"

    @pytest.mark.usefixtures("tokens")
    def test_wrong_token_is_401(self, client: TestClient) -> None:
        response = client.get("/api/v1/policy", headers=_auth("mam_not-a-real-token"))
        assert response.status_code == 401

    def test_missing_scope_is_403_problem(self, client: TestClient, tokens: dict[str, str]) -> None:
        response = client.get("/api/v1/audit", headers=_auth(tokens["agent"]))
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert "audit:read" in response.json()["detail"]

    def test_health_needs_no_token(self, client: TestClient) -> None:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"


class TestPolicyEndpoints:
    def test_current_and_versions(self, client: TestClient, tokens: dict[str, str]) -> None:
        current = client.get("/api/v1/policy", headers=_auth(tokens["agent"]))
        assert current.status_code == 200
        body = current.json()
        assert body["number"] == 1
        assert body["content"]["controller"]["name"]["ja"]
        assert "\\u" not in current.text  # Japanese stays characters
        versions = client.get("/api/v1/policy/versions", headers=_auth(tokens["agent"])).json()
        assert [v["number"] for v in versions] == [1]
        one = client.get(f"/api/v1/policy/versions/{versions[0]['id']}", headers=_auth(tokens["agent"]))
        assert one.json()["content_hash"] == body["content_hash"]

    def test_unknown_version_is_404_problem(self, client: TestClient, tokens: dict[str, str]) -> None:
        response = client.get("/api/v1/policy/versions/99", headers=_auth(tokens["agent"]))
        assert response.status_code == 404
        assert response.json()["type"].endswith("/not-found")


class TestAuditEndpoints:
    def test_auditor_reads_events_and_verifies(self, client: TestClient, tokens: dict[str, str]) -> None:
        events = client.get("/api/v1/audit", headers=_auth(tokens["auditor"]), params={"limit": 1000}).json()
        actions = [e["action"] for e in events]
        assert actions[0] == "policy.published"
        assert actions.count("token.created") == len(tokens)  # one per role the fixture issues
        assert all(e["details"].get("password") is None for e in events)
        page = client.get(
            "/api/v1/audit", headers=_auth(tokens["auditor"]), params={"after": 1, "limit": 2}
        ).json()
        assert [e["seq"] for e in page] == [2, 3]
        verify = client.get("/api/v1/audit/verify", headers=_auth(tokens["auditor"])).json()
        assert verify == {
            "ok": True,
            "checked": len(events),
            "problem": None,
            "seq": None,
            "chain": None,
            "link": None,
            "policy_versions": [],
        }

    def test_an_edited_policy_version_is_reported_and_refused(
        self, client: TestClient, tokens: dict[str, str], fresh_database_url: str
    ) -> None:
        engine = make_engine(fresh_database_url)
        with engine.begin() as conn:
            content = conn.execute(select(PolicyVersion.content)).scalar_one()
            content["contact_centre"]["closes"] = "23:59"
            conn.execute(update(PolicyVersion).values(content=content))
        engine.dispose()
        verify = client.get("/api/v1/audit/verify", headers=_auth(tokens["auditor"])).json()
        assert verify["ok"] is False
        assert verify["policy_versions"] == ["policy version 1: its content no longer matches its hash"]
        refused = client.get("/api/v1/policy/versions/1", headers=_auth(tokens["agent"]))
        assert refused.status_code == 500
        assert refused.json()["type"].endswith("/tampered")

    def test_bad_query_is_422_problem(self, client: TestClient, tokens: dict[str, str]) -> None:
        response = client.get("/api/v1/audit", headers=_auth(tokens["auditor"]), params={"limit": 0})
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "limit"]


class TestOpenAPI:
    def test_served_under_api_v1(self, client: TestClient) -> None:
        spec = client.get("/api/v1/openapi.json").json()
        assert spec["openapi"].startswith("3.1")
        assert "/api/v1/policy/versions/{ref}" in spec["paths"]

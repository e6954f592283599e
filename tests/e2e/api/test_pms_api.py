"""The management system over HTTP: risk register, checklist, corrective actions, training, review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.pms.common import today
from mamori.policy.service import publish_bundle
from tests.conftest import REAL_DEFAULT_POLICY_DIR


@pytest.fixture
def shop_policy(fresh_database_url: str, tokens: dict[str, str]) -> dict[str, str]:
    """The tokens, with the default bundle and its shop data map in force."""
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=REAL_DEFAULT_POLICY_DIR)
    engine.dispose()
    return tokens


def _auth(tokens: dict[str, str], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


RISK = {
    "system": "shop",
    "dataset": "orders",
    "stage": "provision",
    "description": "Order list mailed to the wrong carrier",
    "owner": "privacy_officer",
    "likelihood": 2,
    "impact": 5,
    "residual_likelihood": 1,
    "residual_impact": 4,
    "measures": ["access_control"],
}


def test_risk_register(client: TestClient, shop_policy: dict[str, str]) -> None:
    officer = _auth(shop_policy, "privacy_officer")
    created = client.post("/api/v1/pms/risks", json=RISK, headers=officer)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["score"], body["residual_score"], body["residual_level"]) == (10, 4, "low")
    bad = client.post("/api/v1/pms/risks", json=RISK | {"measures": ["moat"]}, headers=officer)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    rated = client.post(
        f"/api/v1/pms/risks/{body['id']}/ratings",
        json={"likelihood": 4, "impact": 5, "residual_likelihood": 3, "residual_impact": 5},
        headers=officer,
    )
    assert rated.json()["residual_level"] == "critical"
    listed = client.get("/api/v1/pms/risks", headers=_auth(shop_policy, "auditor")).json()
    assert [r["residual_score"] for r in listed] == [15]
    checks = client.get("/api/v1/pms/checklist", headers=officer).json()
    orders = next(c for c in checks if c["code"] == "dataset.risks" and c["subject"] == "shop.orders")
    assert orders["passed"] is False
    assert "provision" not in orders["detail"]


def test_actions_training_and_review(client: TestClient, shop_policy: dict[str, str]) -> None:
    officer, auditor = _auth(shop_policy, "privacy_officer"), _auth(shop_policy, "auditor")
    due = (today() + timedelta(days=10)).isoformat()
    action = client.post(
        "/api/v1/pms/actions",
        json={"source": "review", "title": "Shred old forms", "owner": "privacy_officer", "due_on": due},
        headers=officer,
    ).json()
    assert client.post(f"/api/v1/pms/actions/{action['id']}/done", headers=officer).json()["state"] == "done"
    own = client.post(
        f"/api/v1/pms/actions/{action['id']}/verification",
        json={"effective": True, "note": "seen"},
        headers=officer,
    )
    assert own.status_code == 422  # the owner does not verify their own action
    assert client.post("/api/v1/pms/actions", json={}, headers=auditor).status_code == 403
    recorded = client.post(
        "/api/v1/pms/training",
        json={
            "course": "privacy-basics",
            "person": "agent",
            "completed_on": today().isoformat(),
            "result": "failed",
        },
        headers=officer,
    )
    assert recorded.status_code == 201, recorded.text
    overdue = client.get("/api/v1/pms/training/overdue", headers=auditor).json()
    assert {"agent", "auditor", "privacy_officer"} <= {row["person"] for row in overdue}
    day = today().isoformat()
    figures = client.get(f"/api/v1/pms/review?from={day}&to={day}", headers=auditor).json()
    assert figures["training"]["failed"] == 1
    assert figures["audits"]["actions_open"] == 1


def test_audit_with_findings_and_sealed_evidence(client: TestClient, shop_policy: dict[str, str]) -> None:
    officer, auditor = _auth(shop_policy, "privacy_officer"), _auth(shop_policy, "auditor")
    day = today().isoformat()
    plan = {"scope": "Shop systems", "starts_on": day, "ends_on": day, "auditor": "auditor"}
    audit = client.post("/api/v1/pms/audits", json=plan, headers=officer).json()
    assert audit["state"] == "planned"
    started = client.post(f"/api/v1/pms/audits/{audit['id']}/start", headers=officer).json()
    codes = {item["code"] for item in started["checklist"]}
    assert {"purpose.retention", "dataset.retention", "dataset.risks", "measures.kind"} <= codes
    finding = client.post(
        f"/api/v1/pms/audits/{audit['id']}/findings",
        json={"kind": "major_nonconformity", "text": "名簿が施錠されていない", "check_code": "dataset.risks"},
        headers=officer,
    ).json()
    content = b"%PDF-1.4 interview with the shop manager"
    uploaded = client.post(
        f"/api/v1/pms/findings/{finding['id']}/evidence",
        files={"file": ("interview.pdf", content, "application/pdf")},
        headers=officer,
    )
    assert uploaded.status_code == 201, uploaded.text
    listed = client.get(f"/api/v1/pms/audits/{audit['id']}/findings", headers=auditor).json()
    assert listed[0]["text"] == "名簿が施錠されていない"
    assert listed[0]["evidence"][0]["size"] == len(content)
    download = client.get(f"/api/v1/pms/evidence/{uploaded.json()['id']}", headers=auditor)
    assert download.content == content
    assert (
        client.post(f"/api/v1/pms/audits/{audit['id']}/complete", headers=officer).json()["state"]
        == "completed"
    )

"""Who may call what: every API route × every staff role, against a table kept here.

The table says, per route, which roles pass authorization; every other role gets 403
problem+json. A route the app serves that the table does not list fails the test, so a new
endpoint cannot ship without someone deciding who may call it. Calls carry made-up ids and
empty bodies: an allowed role gets past authorization to 404 or 422, never 401/403.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mamori.api.app import create_app
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token
from tests.factories.databases import migrated_database

ROLES = tuple(role.value for role in Role)
PUBLIC = "PUBLIC"
EVERYONE = " ".join(ROLES)
# (method, path) → the roles allowed, separated by spaces; PUBLIC needs no token at all.
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "PUBLIC",
    ("GET", "/api/v1/pms/risks"): "admin privacy_officer auditor",
    ("POST", "/api/v1/pms/risks"): "admin privacy_officer",
    ("POST", "/api/v1/pms/risks/{risk_id}/ratings"): "admin privacy_officer",
    ("GET", "/api/v1/pms/checklist"): "admin privacy_officer auditor",
    ("GET", "/api/v1/pms/actions"): "admin privacy_officer auditor",
    ("POST", "/api/v1/pms/actions"): "admin privacy_officer",
    ("POST", "/api/v1/pms/actions/{action_id}/done"): "admin privacy_officer",
    ("POST", "/api/v1/pms/actions/{action_id}/verification"): "admin privacy_officer",
    ("POST", "/api/v1/pms/training"): "admin privacy_officer",
    ("GET", "/api/v1/pms/training/overdue"): "admin privacy_officer auditor",
    ("GET", "/api/v1/pms/review"): "admin privacy_officer auditor",
    ("GET", "/api/v1/pms/audits"): "admin privacy_officer auditor",
    ("POST", "/api/v1/pms/audits"): "admin privacy_officer",
    ("POST", "/api/v1/pms/audits/{audit_id}/start"): "admin privacy_officer",
    ("POST", "/api/v1/pms/audits/{audit_id}/complete"): "admin privacy_officer",
    ("GET", "/api/v1/pms/audits/{audit_id}/findings"): "admin privacy_officer auditor",
    ("POST", "/api/v1/pms/audits/{audit_id}/findings"): "admin privacy_officer",
    ("POST", "/api/v1/pms/findings/{finding_id}/evidence"): "admin privacy_officer",
    ("GET", "/api/v1/pms/evidence/{evidence_id}"): "admin privacy_officer auditor",
    ("GET", "/api/v1/pms/training"): "admin privacy_officer auditor",
    ("GET", "/api/v1/policy"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/policy/versions"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/policy/versions/{ref}"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/policy/diff"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/campaigns"): "admin privacy_officer",
    ("GET", "/api/v1/campaigns/{campaign_id}"): "admin privacy_officer",
    ("GET", "/api/v1/audit"): "admin privacy_officer auditor",
    ("GET", "/api/v1/audit/verify"): "admin privacy_officer auditor",
    ("POST", "/api/v1/subjects"): "admin privacy_officer agent",
    ("POST", "/api/v1/subjects/lookup"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/subjects/{subject_id}"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/subjects/{subject_id}/reveal"): "admin privacy_officer agent engineer auditor",
    ("POST", "/api/v1/subjects/{subject_id}/identifiers"): "admin privacy_officer agent",
    ("DELETE", "/api/v1/subjects/{subject_id}/identifiers/{identifier_id}"): "admin privacy_officer agent",
    ("POST", "/api/v1/subjects/{subject_id}/categories"): "admin privacy_officer agent",
    ("POST", "/api/v1/subjects/{subject_id}/relationships"): "admin privacy_officer agent",
    ("GET", "/api/v1/subjects/{subject_id}/merge-into/{target_id}"): "admin privacy_officer agent",
    ("POST", "/api/v1/subjects/{subject_id}/merge-into/{target_id}"): "admin privacy_officer agent",
    ("POST", "/api/v1/subjects/{subject_id}/erase"): "admin privacy_officer agent",
    ("POST", "/api/v1/consents"): "admin privacy_officer agent engineer",
    ("GET", "/api/v1/subjects/{subject_id}/consents"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/subjects/{subject_id}/consents/export"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/subjects/{subject_id}/consents/receipt"): "admin privacy_officer agent engineer auditor",
    ("POST", "/api/v1/suspensions"): "admin privacy_officer agent engineer",
    ("POST", "/api/v1/suspensions/{suspension_id}/lift"): "admin privacy_officer agent engineer",
    ("GET", "/api/v1/subjects/{subject_id}/suspensions"): "admin privacy_officer agent engineer auditor",
    ("POST", "/api/v1/decisions"): "admin privacy_officer engineer",
    ("POST", "/api/v1/decisions/batch"): "admin privacy_officer engineer",
    ("POST", "/api/v1/cookies/decisions"): "admin privacy_officer engineer",
    ("POST", "/api/v1/cookies/consents"): "admin privacy_officer agent engineer",
    ("GET", "/api/v1/cookies/consents"): "admin privacy_officer agent engineer auditor",
    ("POST", "/api/v1/audiences"): "admin privacy_officer engineer",
    ("POST", "/api/v1/provisions"): "admin privacy_officer engineer",
    (
        "GET",
        "/api/v1/subjects/{subject_id}/provision-records",
    ): "admin privacy_officer agent engineer auditor",
    ("POST", "/api/v1/receipts"): "admin privacy_officer engineer",
    ("GET", "/api/v1/parties"): "admin privacy_officer agent engineer auditor",
    ("POST", "/api/v1/parties"): "admin privacy_officer engineer",
    ("POST", "/api/v1/provisions/sweep"): "admin privacy_officer engineer",
    ("GET", "/api/v1/provisions/pipl-counters"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/provisions/countries"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/provisions/countries/{code}"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/provisions/{provision_id}"): "admin privacy_officer agent engineer auditor",
    ("GET", "/api/v1/processors"): "admin privacy_officer auditor",
    ("POST", "/api/v1/processors"): "admin privacy_officer",
    ("POST", "/api/v1/processors/{key}/assessments"): "admin privacy_officer",
    ("GET", "/api/v1/processors/assessments/overdue"): "admin privacy_officer auditor",
    ("POST", "/api/v1/processors/{key}/sub-processors"): "admin privacy_officer",
    ("GET", "/api/v1/processors/{key}/sub-processors"): "admin privacy_officer auditor",
    ("POST", "/api/v1/processors/{key}/sub-processors/{sub_id}/approve"): "admin privacy_officer",
    ("POST", "/api/v1/processors/{key}/sub-processors/{sub_id}/refuse"): "admin privacy_officer",
    ("POST", "/api/v1/processors/{key}/entrustments"): "admin privacy_officer",
    ("GET", "/api/v1/entrustments"): "admin privacy_officer auditor",
    ("POST", "/api/v1/requests"): "admin privacy_officer agent",
    ("GET", "/api/v1/requests"): "admin privacy_officer agent auditor",
    ("GET", "/api/v1/requests/due"): "admin privacy_officer agent auditor",
    ("GET", "/api/v1/requests/{case_id}"): "admin privacy_officer agent auditor",
    ("POST", "/api/v1/requests/{case_id}/reveal"): "admin privacy_officer agent auditor",
    ("POST", "/api/v1/requests/{case_id}/held-nowhere-else"): "admin privacy_officer",
    ("POST", "/api/v1/requests/{case_id}/transitions"): "admin privacy_officer agent",
    ("POST", "/api/v1/requests/{case_id}/reject"): "admin privacy_officer agent",
    ("POST", "/api/v1/requests/{case_id}/subject"): "admin privacy_officer agent",
    ("POST", "/api/v1/requests/{case_id}/documents"): "admin privacy_officer agent",
    ("POST", "/api/v1/requests/{case_id}/identity-checks"): "admin privacy_officer agent",
    ("POST", "/api/v1/requests/{case_id}/decision"): "admin privacy_officer agent",
    ("POST", "/api/v1/requests/{case_id}/payment"): "admin privacy_officer agent",
    ("POST", "/api/v1/requests/{case_id}/letter"): "admin privacy_officer agent",
    ("GET", "/api/v1/requests/{case_id}/letter.pdf"): "admin privacy_officer agent auditor",
    ("POST", "/api/v1/requests/{case_id}/deliveries"): "admin privacy_officer agent",
    ("POST", "/api/v1/requests/deliveries/{delivery_id}/mailed"): "admin privacy_officer agent",
    ("POST", "/api/v1/incidents"): "admin privacy_officer",
    ("GET", "/api/v1/incidents"): "admin privacy_officer auditor",
    ("GET", "/api/v1/incidents/deadlines"): "admin privacy_officer auditor",
    ("GET", "/api/v1/incidents/{incident_id}"): "admin privacy_officer auditor",
    ("GET", "/api/v1/incidents/{incident_id}/history"): "admin privacy_officer auditor",
    ("PATCH", "/api/v1/incidents/{incident_id}/facts"): "admin privacy_officer",
    ("POST", "/api/v1/incidents/{incident_id}/subjects"): "admin privacy_officer",
    ("POST", "/api/v1/incidents/{incident_id}/transitions"): "admin privacy_officer",
    ("POST", "/api/v1/incidents/{incident_id}/reports"): "admin privacy_officer",
    ("GET", "/api/v1/incidents/{incident_id}/reports"): "admin privacy_officer auditor",
    ("GET", "/api/v1/incidents/{incident_id}/reports/{report_id}"): "admin privacy_officer auditor",
    ("GET", "/api/v1/incidents/{incident_id}/reports/{report_id}/pdf"): "admin privacy_officer auditor",
    ("POST", "/api/v1/incidents/{incident_id}/reports/{report_id}/file"): "admin privacy_officer",
    ("POST", "/api/v1/incidents/{incident_id}/notices"): "admin privacy_officer",
    ("GET", "/api/v1/incidents/{incident_id}/notices"): "admin privacy_officer auditor",
    ("POST", "/api/v1/incidents/{incident_id}/statement"): "admin privacy_officer",
    ("GET", "/api/v1/incidents/{incident_id}/statement"): "admin privacy_officer auditor",
    ("POST", "/api/v1/incidents/{incident_id}/actions"): "admin privacy_officer",
    ("GET", "/api/v1/incidents/{incident_id}/actions"): "admin privacy_officer auditor",
    ("POST", "/api/v1/incidents/{incident_id}/actions/{action_id}/status"): "admin privacy_officer",
    ("POST", "/api/v1/inquiries"): "admin privacy_officer agent",
    ("GET", "/api/v1/inquiries"): "admin privacy_officer agent auditor",
    ("GET", "/api/v1/inquiries/reports/complaints"): "admin privacy_officer agent auditor",
    ("GET", "/api/v1/inquiries/by-reference/{reference}"): "admin privacy_officer agent auditor",
    ("GET", "/api/v1/inquiries/{inquiry_id}"): "admin privacy_officer agent auditor",
    ("GET", "/api/v1/inquiries/{inquiry_id}/thread"): "admin privacy_officer agent auditor",
    ("POST", "/api/v1/inquiries/{inquiry_id}/assign"): "admin privacy_officer agent",
    ("POST", "/api/v1/inquiries/{inquiry_id}/messages"): "admin privacy_officer agent",
    ("POST", "/api/v1/inquiries/{inquiry_id}/replies"): "admin privacy_officer agent",
    ("POST", "/api/v1/inquiries/{inquiry_id}/answers"): "admin privacy_officer agent",
    ("POST", "/api/v1/inquiries/{inquiry_id}/close"): "admin privacy_officer agent",
    ("POST", "/api/v1/inquiries/{inquiry_id}/reopen"): "admin privacy_officer agent",
    ("POST", "/api/v1/inquiries/{inquiry_id}/subject"): "admin privacy_officer agent",
    ("POST", "/api/v1/inquiries/{inquiry_id}/convert"): "admin privacy_officer agent",
    ("GET", "/api/v1/jobs"): "admin privacy_officer engineer auditor",
    ("GET", "/api/v1/jobs/summary"): "admin privacy_officer engineer auditor",
    ("GET", "/api/v1/jobs/{job_id}"): "admin privacy_officer engineer auditor",
    ("POST", "/api/v1/jobs/{job_id}/retry"): "admin privacy_officer engineer",
    ("GET", "/api/v1/datamap"): "admin privacy_officer engineer auditor",
    ("GET", "/api/v1/datamap/ledger"): "admin privacy_officer engineer auditor",
    ("GET", "/api/v1/datamap/check"): "admin privacy_officer engineer auditor",
    ("GET", "/api/v1/discovery/scans"): "admin privacy_officer engineer auditor",
    ("GET", "/api/v1/discovery/scans/{scan_id}"): "admin privacy_officer engineer auditor",
    ("GET", "/api/v1/discovery/scans/{scan_id}/findings"): "admin privacy_officer engineer auditor",
    ("POST", "/api/v1/fulfillment/runs"): "admin privacy_officer agent",
    ("GET", "/api/v1/fulfillment/runs/{run_id}"): "admin privacy_officer engineer auditor",
    ("POST", "/api/v1/fulfillment/runs/{run_id}/retry"): "admin engineer",
    ("POST", "/api/v1/retention/sweeps"): "admin privacy_officer",
    ("GET", "/api/v1/retention/runs"): "admin privacy_officer auditor",
    ("GET", "/api/v1/retention/runs/{run_id}"): "admin privacy_officer auditor",
    ("GET", "/api/v1/retention/holds"): "admin privacy_officer auditor",
    ("POST", "/api/v1/retention/holds"): "admin privacy_officer",
    ("POST", "/api/v1/retention/holds/{hold_id}/release"): "admin privacy_officer",
}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    # a well-formed run for a case that does not exist: allowed roles get 404, others 403
    ("POST", "/api/v1/fulfillment/runs"): {"action": "access", "case_ref": "R-NONE"},
}


def _served() -> set[tuple[str, str]]:
    settings = Settings(database_url="sqlite://", _env_file=None)  # type: ignore[call-arg]
    schema = create_app(settings).openapi()
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _url(path: str) -> str:
    """The path with made-up values for its parameters."""
    out = path
    while "{" in out:
        start, end = out.index("{"), out.index("}")
        name = out[start + 1 : end]
        value = str(uuid.uuid4()) if name.endswith("_id") else {"code": "JP"}.get(name, "X-NONE")
        out = out[:start] + value + out[end + 1 :]
    return out


@pytest.fixture(scope="module")
def matrix_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database for the whole matrix (a fresh one per call would take minutes)."""
    with migrated_database(database_url, tmp_path_factory.mktemp("mamori_m"), "mamori_m") as url:
        yield url


@pytest.fixture(scope="module")
def staff(
    matrix_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The default policy, a user and a token per role, and the served app."""
    engine = make_engine(matrix_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
        tokens = {}
        for role in Role:
            add_user(
                session, actor="t", username=role.value, display_name=role.value, role=role, password="x" * 12
            )
            tokens[role.value] = create_token(session, actor="t", username=role.value, name="t").secret
    engine.dispose()
    files: Path = tmp_path_factory.mktemp("files")
    settings = Settings(database_url=matrix_url, mail_backend="null", files_dir=files, _env_file=None)  # type: ignore[call-arg]
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, tokens


def test_every_route_has_a_declared_expectation() -> None:
    served = _served()
    assert sorted(served - set(EXPECTED)) == [], "a route without an entry in EXPECTED"
    assert sorted(set(EXPECTED) - served) == [], "an entry in EXPECTED for a route that is gone"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED), ids=str)
def test_role_endpoint_matrix(
    staff: tuple[TestClient, dict[str, str]], method: str, path: str, role: str
) -> None:
    client, tokens = staff
    allowed = EXPECTED[(method, path)]
    body = BODIES.get((method, path), {} if method in {"POST", "PATCH", "PUT"} else None)
    response = client.request(
        method, _url(path), json=body, headers={"Authorization": f"Bearer {tokens[role]}"}
    )
    if allowed == PUBLIC or role in allowed.split():
        assert response.status_code not in {401, 403}, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")

"""The data map and fulfillment API as a client sees it: runs, the package, the ledger, problem+json."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import create_engine

from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.fulfillment import service
from mamori.fulfillment.runner import close_connectors
from mamori.policy.service import publish_bundle
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token
from tests.factories.fulfillment import load_crm, load_shop, set_kind, shop_bundle, write_calls


@pytest.fixture
def engineer(
    client: TestClient, fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The example data map published, its systems on SQLite and CSV, and an engineer's token."""
    for name, load in (
        ("shop", lambda e: load_shop(e, 8)),
        ("crm", lambda e: load_crm(e, ["user1@example.jp"])),
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
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=bundle)
        add_user(
            session, actor="t", username="eng", display_name="eng", role=Role.ENGINEER, password="x" * 12
        )
        secret = create_token(session, actor="t", username="eng", name="t").secret
    engine.dispose()
    client.headers["Authorization"] = f"Bearer {secret}"
    yield client
    close_connectors()


def _finished(client: TestClient, run_id: str) -> str | None:
    """Execute the queued run as the worker would (the tests run no embedded worker)."""
    return service.execute_run(client.app.state.runtime.session_factory, uuid.UUID(run_id))  # type: ignore[attr-defined]


class TestRuns:
    def test_an_access_run_returns_the_package_in_the_requesters_language(self, engineer: TestClient) -> None:
        body = {
            "action": "access",
            "case_ref": "R-1",
            "language": "en",
            "identities": [{"kind": "email", "value": "user1@example.jp"}],
        }
        started = engineer.post("/api/v1/fulfillment/runs", json=body)
        assert started.status_code == 202, started.text
        assert started.json()["status"] == "pending"
        assert _finished(engineer, started.json()["id"]) == "completed"
        view = engineer.get(f"/api/v1/fulfillment/runs/{started.json()['id']}", params={"package": "true"})
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
        without = engineer.get(f"/api/v1/fulfillment/runs/{started.json()['id']}")
        assert without.json()["package"] is None

    def test_bad_input_is_problem_json_naming_the_field(self, engineer: TestClient) -> None:
        body = {
            "action": "correct",
            "case_ref": "R-1",
            "identities": [{"kind": "email", "value": "user1@example.jp"}],
            "changes": {"shoe_size": "27"},
        }
        response = engineer.post("/api/v1/fulfillment/runs", json=body)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "changes.shoe_size" in response.text
        wrong = engineer.post("/api/v1/fulfillment/runs", json={**body, "action": "destroy"})
        assert wrong.status_code == 422
        assert "action" in wrong.text

    def test_retrying_a_run_that_did_not_fail_is_a_conflict(self, engineer: TestClient) -> None:
        body = {
            "action": "access",
            "case_ref": "R-1",
            "identities": [{"kind": "email", "value": "user1@example.jp"}],
        }
        run_id = engineer.post("/api/v1/fulfillment/runs", json=body).json()["id"]
        assert _finished(engineer, run_id) == "completed"
        response = engineer.post(f"/api/v1/fulfillment/runs/{run_id}/retry")
        assert response.status_code == 409
        assert engineer.get(f"/api/v1/fulfillment/runs/{uuid.uuid4()}").status_code == 404

    def test_a_token_without_the_scope_is_refused(self, engineer: TestClient, tokens: dict[str, str]) -> None:
        engineer.headers["Authorization"] = f"Bearer {tokens['agent']}"
        assert engineer.get("/api/v1/datamap").status_code == 403


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

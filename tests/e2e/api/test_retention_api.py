"""Retention over HTTP: a dry run answered at once, a sweep queued and run by the worker, holds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.fulfillment.runner import close_connectors
from mamori.policy.service import publish_bundle
from mamori.retention.tasks import run_sweep
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token
from tests.factories.fulfillment import load_shop, shop_bundle


@pytest.fixture
def officer(
    client: TestClient, fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The shop on SQLite with orders 1-10 from 2018, the data map published, an officer's token."""
    shop = create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    load_shop(shop, 6)
    with shop.begin() as conn:
        conn.execute(text("UPDATE orders SET ordered_at = '2018-01-01 00:00:00' WHERE id <= 10"))
    shop.dispose()
    monkeypatch.setenv("SHOP_DB_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    bundle = shop_bundle(tmp_path, only=("shop",))
    (bundle / "datamap" / "shop.yaml").write_text(
        (bundle / "datamap" / "shop.yaml")
        .read_text(encoding="utf-8")
        .replace("kind: postgresql", "kind: sqlite"),
        encoding="utf-8",
    )
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=bundle)
        add_user(
            session, actor="t", username="po", display_name="po", role=Role.PRIVACY_OFFICER, password="x" * 12
        )
        token = create_token(session, actor="t", username="po", name="t").secret
    engine.dispose()
    client.headers["Authorization"] = f"Bearer {token}"
    yield client
    close_connectors()


def _orders(tmp_path: Path) -> int:
    shop = create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    with shop.connect() as conn:
        count = int(conn.execute(text("SELECT count(*) FROM orders")).scalar_one())
    shop.dispose()
    return count


def test_dry_run_then_queued_sweep(officer: TestClient, tmp_path: Path) -> None:
    dry = officer.post("/api/v1/retention/sweeps", json={"dry_run": True})
    assert dry.status_code == 200, dry.text
    orders = next(t for t in dry.json()["tables"] if t["dataset"] == "orders")
    assert (orders["expired"], orders["changed"]) == (10, 0)
    assert _orders(tmp_path) == 30

    queued = officer.post("/api/v1/retention/sweeps", json={"dry_run": False})
    assert queued.status_code == 202, queued.text
    run_id = queued.json()["id"]
    assert queued.headers["location"] == f"/api/v1/retention/runs/{run_id}"
    assert queued.json()["status"] == "running"
    factory = officer.app.state.runtime.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:  # what the worker does with the queued job
        run_sweep(session, {"run_id": run_id})
    done = officer.get(f"/api/v1/retention/runs/{run_id}").json()
    assert done["status"] == "done"
    assert next(t for t in done["tables"] if t["dataset"] == "orders")["changed"] == 10
    assert _orders(tmp_path) == 20
    assert [r["id"] for r in officer.get("/api/v1/retention/runs").json()][:2] == [run_id, dry.json()["id"]]


def test_holds_are_placed_listed_and_released(officer: TestClient) -> None:
    bad = officer.post("/api/v1/retention/holds", json={"reason": "x"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    made = officer.post(
        "/api/v1/retention/holds", json={"reason": "lawsuit", "identities": {"email": ["user1@example.jp"]}}
    )
    assert made.status_code == 201, made.text
    assert made.json()["identity_kinds"] == ["email"]
    assert "user1@example.jp" not in made.text
    listed = officer.get("/api/v1/retention/holds").json()
    assert [h["id"] for h in listed] == [made.json()["id"]]
    assert officer.post(f"/api/v1/retention/holds/{made.json()['id']}/release").status_code == 200
    assert officer.get("/api/v1/retention/holds").json() == []
    assert officer.post(f"/api/v1/retention/holds/{uuid.uuid4()}/release").status_code == 404

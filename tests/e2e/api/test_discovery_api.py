"""Discovery scans over the API: progress while a scan runs, findings against the map in force."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from mamori.datamap.service import bundle_from_directory
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.discovery import runner
from mamori.discovery.scan import Options
from mamori.policy.service import publish_bundle
from tests.factories.fulfillment import load_shop, set_kind, shop_bundle


def test_a_scan_shows_its_progress_and_its_findings(
    client: TestClient,
    tokens: dict[str, str],
    fresh_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    load_shop(engine, 5)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE memo (id INTEGER PRIMARY KEY, body TEXT)")
        conn.exec_driver_sql("INSERT INTO memo (body) VALUES ('山田太郎様 090-1234-5678')")
    engine.dispose()
    monkeypatch.setenv("SHOP_DB_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    bundle = shop_bundle(tmp_path, only=("shop",))
    set_kind(bundle, "shop", "sqlite")
    mamori = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(mamori)) as session:
        publish_bundle(session, actor="user:officer", directory=bundle)
    mamori.dispose()
    settings = client.app.state.runtime.settings  # type: ignore[attr-defined]
    seen: list[int] = []
    scan_id = runner.scan(
        settings,
        systems=bundle_from_directory(bundle).datamap,
        folders=[],
        url_envs=[],
        options=Options(mode="full", batch=2),
        actor="t",
        progress=lambda scan, _: seen.append(scan.rows_scanned),
    )
    assert seen == sorted(seen)
    assert len(seen) > 1
    client.headers["Authorization"] = f"Bearer {tokens['auditor']}"
    listed = client.get("/api/v1/discovery/scans").json()
    assert [s["id"] for s in listed] == [str(scan_id)]
    one = client.get(f"/api/v1/discovery/scans/{scan_id}").json()
    assert one["status"] == "done"
    assert one["rows_scanned"] == seen[-1]
    assert one["sources_done"] == one["sources_total"] == 6
    found = client.get(f"/api/v1/discovery/scans/{scan_id}/findings").json()
    memo = [f for f in found if f["source"] == "shop.memo"]
    assert memo == [
        {"kind": "unmapped_personal", "source": "shop.memo", "column": "body",
         "types": {"person_name": 1.0, "phone": 1.0}, "confidence": 0.98, "declared": None,
         "proposed": ["name", "phone"]},
    ]  # fmt: skip
    client.headers["Authorization"] = f"Bearer {tokens['agent']}"
    assert client.get("/api/v1/discovery/scans").status_code == 403
    client.headers["Authorization"] = f"Bearer {tokens['auditor']}"
    missing = client.get("/api/v1/discovery/scans/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")

"""Classified policy changes and campaign statistics over HTTP."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient

from mamori.campaigns import service as campaigns
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import TOKYO, publish_bundle
from tests.bundles import copy_default_bundle, edit


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_diff_and_campaign_statistics(
    client: TestClient, tokens: dict[str, str], fresh_database_url: str, tmp_path: Path
) -> None:
    bundle = copy_default_bundle(tmp_path)
    edit(bundle, "contact.yaml", "closes: '17:00'", "closes: '18:00'")
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="t", directory=bundle, effective_date=datetime.now(TOKYO).date())
        made = campaigns.create_campaign(session, actor="t", kind="notification", purpose_id="customer.sales")
    engine.dispose()
    diff = client.get("/api/v1/policy/diff?old=1&new=2&lang=zh-Hant", headers=_auth(tokens["agent"]))
    assert diff.status_code == 200, diff.text
    assert [(c["class"], c["rule"], c["text"]) for c in diff.json()] == [
        ("announce", "contact.centre_changed", "諮詢窗口變更")
    ]
    stats = client.get(f"/api/v1/campaigns/{made.id}", headers=_auth(tokens["privacy_officer"]))
    assert stats.status_code == 200, stats.text
    assert (stats.json()["kind"], stats.json()["audience"], stats.json()["state"]) == (
        "notification",
        0,
        "running",
    )
    refused = client.get(f"/api/v1/campaigns/{made.id}", headers=_auth(tokens["agent"]))
    assert refused.status_code == 403

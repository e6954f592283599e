"""Browser consent records through HTTP: the stored rows, GPC, all-or-none, the decision that follows."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from mamori.cookies.models import CookieConsent
from mamori.db.session import make_engine, make_session_factory, unit_of_work


def _hash(client: TestClient) -> str:
    config = client.get("/cookies/banner/www.json", params={"lang": "en"})
    assert config.status_code == 200, config.text
    digest: str = config.json()["hash"]
    return digest


def _rows(url: str) -> list[CookieConsent]:
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        rows = list(session.scalars(select(CookieConsent).order_by(CookieConsent.browser_id)))
        session.expunge_all()
    engine.dispose()
    return rows


def test_records_are_stored_as_sent_with_gpc_applied(
    client: TestClient, tokens: dict[str, str], fresh_database_url: str
) -> None:
    auth = {"Authorization": f"Bearer {tokens['agent']}"}
    digest = _hash(client)
    browsers = sorted(uuid.uuid4() for _ in range(3))
    records = [
        {"property": "www", "browser": str(browsers[0]), "inventory_hash": digest,
         "choices": {"analytics": True, "advertising": True}, "source": "banner", "language": "en"},
        {"property": "www", "browser": str(browsers[1]), "inventory_hash": digest,
         "choices": {"analytics": True, "advertising": True}, "gpc": True},
        {"property": "www", "browser": str(browsers[2]), "inventory_hash": digest, "choices": {}},
    ]  # fmt: skip
    answer = client.post("/api/v1/cookies/consents", json={"records": records}, headers=auth)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["policy_version"] == 1
    rows = _rows(fresh_database_url)
    assert sorted(str(r.id) for r in rows) == sorted(body["ids"])
    assert [r.browser_id for r in rows] == browsers
    assert [r.choices for r in rows] == [
        {"necessary": True, "analytics": True, "advertising": True},
        {"necessary": True, "analytics": True, "advertising": False},  # GPC refuses advertising
        {"necessary": True, "analytics": False, "advertising": False},
    ]
    assert [(r.gpc, r.source, r.language) for r in rows] == [
        (False, "banner", "en"), (True, "api", "ja"), (False, "api", "ja")
    ]  # fmt: skip
    assert {r.inventory_hash for r in rows} == {digest}
    assert len({r.recorded_at for r in rows}) == 1
    assert all(r.recorded_at.tzinfo is not None for r in rows)
    # The site's backend reads the decision back from what was stored.
    decision = client.post(
        "/api/v1/cookies/decisions",
        json={"property": "www", "item": "meta_pixel", "browser": str(browsers[1])},
        headers={"Authorization": f"Bearer {tokens['privacy_officer']}"},
    )
    assert decision.json()["verdict"] == "refused_by_gpc"
    exported = client.get("/api/v1/cookies/consents", headers=auth).json()["records"]
    assert sorted(r["record_id"] for r in exported) == sorted(body["ids"])


def test_one_bad_record_stores_none(
    client: TestClient, tokens: dict[str, str], fresh_database_url: str
) -> None:
    auth = {"Authorization": f"Bearer {tokens['agent']}"}
    digest = _hash(client)
    good = {"property": "www", "browser": str(uuid.uuid4()), "inventory_hash": digest, "choices": {}}
    bad = {**good, "browser": str(uuid.uuid4()), "choices": {"telepathy": True}}
    answer = client.post("/api/v1/cookies/consents", json={"records": [good, bad]}, headers=auth)
    assert answer.status_code == 422
    assert "records[1].choices" in answer.text
    malformed = client.post(
        "/api/v1/cookies/consents", json={"records": [{**good, "browser": "not-a-uuid"}]}, headers=auth
    )
    assert malformed.status_code == 422
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        assert session.scalar(select(func.count()).select_from(CookieConsent)) == 0
    engine.dispose()

"""The console's discovery pages: the scans, and one scan's findings against the map, in four languages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.discovery.models import DiscoveryColumn
from mamori.discovery.scan import Options, start_scan
from mamori.security.rules import Role
from mamori.security.sessions import start_session
from mamori.web.staff import SESSION_COOKIE
from tests.factories.inquiries import create_staff


def _scan(session: Session) -> str:
    scan = start_scan(session, actor="t", target="shop,files:share", options=Options(), sources=2)
    scan.sources_done, scan.rows_scanned, scan.spans_found = 1, 40, 3
    session.add(
        DiscoveryColumn(
            scan_id=scan.id,
            source="files:share/call.log",
            column="text",
            rows=40,
            hits={"phone": [2, 0.93], "my_number": [1, 0.99]},
        )
    )
    session.flush()
    return str(scan.id)


def test_an_engineer_sees_the_scans_and_a_scans_findings(client: TestClient, session: Session) -> None:
    scan_id = _scan(session)
    client.cookies.set(
        SESSION_COOKIE, start_session(session, create_staff(session, "ito", Role.ENGINEER)).token
    )
    listing = client.get("/console/discovery?lang=ja")
    assert listing.status_code == 200
    assert "個人情報の探索" in listing.text
    assert f'href="/console/discovery/{scan_id}"' in listing.text
    assert "1 / 2" in listing.text
    page = client.get(f"/console/discovery/{scan_id}?lang=ja")
    assert page.status_code == 200
    assert "個人番号（マイナンバー）を検出" in page.text
    assert "ファイル内の個人情報" in page.text
    assert "電話番号 5%" in page.text
    english = client.get(f"/console/discovery/{scan_id}?lang=en")
    assert "My Number found" in english.text
    assert "Phone number 5%" in english.text
    hant = client.get(f"/console/discovery/{scan_id}?lang=zh-Hant")
    assert "發現個人編號（My Number）" in hant.text


def test_an_agent_may_not_and_an_unknown_scan_is_not_found(client: TestClient, session: Session) -> None:
    client.cookies.set(
        SESSION_COOKIE, start_session(session, create_staff(session, "kato", Role.AGENT)).token
    )
    assert client.get("/console/discovery").status_code == 403
    client.cookies.set(
        SESSION_COOKIE, start_session(session, create_staff(session, "ito", Role.ENGINEER)).token
    )
    assert client.get("/console/discovery/not-a-scan").status_code == 404

"""The management system in the console: the registers as the privacy office and the auditor see them."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.pms import actions, risks
from mamori.pms.common import today
from mamori.policy.service import publish_bundle
from mamori.security.rules import Role
from tests.conftest import REAL_DEFAULT_POLICY_DIR
from tests.e2e.web.staff_client import sign_in


def test_overview_shows_registers_and_the_checklist(
    client: TestClient, session: Session, settings: Settings
) -> None:
    publish_bundle(session, actor="user:officer", directory=REAL_DEFAULT_POLICY_DIR)
    data = risks.RiskInput(
        "shop",
        "orders",
        "disposal",
        "Paper slips thrown away whole",
        "hana",
        3,
        3,
        1,
        3,
        ["controlled_areas"],
        today() - timedelta(days=1),
    )
    risks.register_risk(session, actor="user:hana", data=data)
    actions.add_action(
        session,
        settings,
        actor="user:ken",
        data=actions.ActionInput(
            "audit", "Buy a shredder", "hana", today() - timedelta(days=3), "AUD-2026-001"
        ),
    )
    sign_in(client, session, Role.AUDITOR)
    page = client.get("/console/pms?lang=en")
    assert page.status_code == 200, page.text
    assert "Paper slips thrown away whole" in page.text
    assert "3 (low)" in page.text  # residual 1 x 3
    assert "Buy a shredder" in page.text
    assert page.text.count("overdue</strong>") == 2  # the review date and the action
    assert "The ledger dataset has a retention period" in page.text
    japanese = client.get("/console/pms?lang=ja")
    assert "リスク登録簿" in japanese.text


def test_an_agent_may_not_see_it(client: TestClient, session: Session) -> None:
    sign_in(client, session, Role.AGENT)
    assert client.get("/console/pms").status_code == 403

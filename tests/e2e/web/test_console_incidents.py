"""Incidents in the console: the reportability answer as facts are typed (with or without scripts)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.incidents.models import Incident
from mamori.policy.models import PolicyVersion
from mamori.security.rules import Role
from tests.e2e.web.staff_client import csrf_of, sign_in


def _facts(token: str, persons: str) -> dict[str, object]:
    known = (datetime.now(UTC) - timedelta(hours=2)).astimezone(TOKYO)
    return {
        "csrf_token": token,
        "kind": "leak",
        "certainty": "actual",
        "known_on": known.date().isoformat(),
        "known_time": known.strftime("%H:%M"),
        "data_items": ["email", "name"],
        "persons_known": persons,
        "jurisdictions": ["JP"],
    }


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Incident)) or 0


class TestReportabilityAnswer:
    def test_without_scripts_the_page_comes_back_with_the_answer_and_nothing_is_registered(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        sign_in(client, session, Role.PRIVACY_OFFICER)
        token = csrf_of(client.get("/console/incidents/new?lang=en").text)
        page = client.post("/console/incidents/assess?lang=en", data=_facts(token, "1200"))
        assert "Reportable to the Personal Information Protection Commission." in page.text
        assert "<form" in page.text  # the whole form again, with the facts kept
        assert 'value="1200"' in page.text
        small = client.post("/console/incidents/assess?lang=en", data=_facts(token, "12"))
        assert "Not reportable on these facts." in small.text
        assert _count(session) == 0

    def test_scripts_get_the_answer_box_only(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        sign_in(client, session, Role.PRIVACY_OFFICER)
        token = csrf_of(client.get("/console/incidents/new").text)
        box = client.post(
            "/console/incidents/assess?lang=ja",
            data=_facts(token, "1200"),
            headers={"X-Mamori-Fragment": "answer"},
        )
        assert "個人情報保護委員会への報告対象です。" in box.text
        assert "<html" not in box.text


class TestRegisterAndReport:
    def test_registers_shows_both_clocks_and_exports_the_report(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        sign_in(client, session, Role.PRIVACY_OFFICER)
        token = csrf_of(client.get("/console/incidents/new").text)
        made = client.post("/console/incidents", data=_facts(token, "1200"), follow_redirects=False)
        assert made.status_code == 303
        detail = client.get(made.headers["location"] + "?lang=en")
        assert detail.text.count('class="clock"') >= 2
        drafted = client.post(
            made.headers["location"] + "/reports",
            follow_redirects=False,
            data={
                "csrf_token": csrf_of(detail.text),
                "authority": "ppc",
                "stage": "preliminary",
                "summary": "会員向けメールの宛先を誤って公開した",
            },
        )
        assert drafted.status_code == 303
        detail = client.get(made.headers["location"] + "?lang=en")
        pdf_path = _link(detail.text, ".pdf")
        pdf = client.get(pdf_path)
        assert pdf.content.startswith(b"%PDF")
        exported = client.get(_link(detail.text, ".json"))
        assert "会員向けメール" in exported.text  # Japanese as characters, not escapes
        assert json.loads(exported.text)["version"] == 1

    def test_an_auditor_reads_but_cannot_register(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        sign_in(client, session, Role.AUDITOR)
        assert client.get("/console/incidents").status_code == 200
        token = csrf_of(client.get("/console/audit").text)
        assert client.post("/console/incidents", data=_facts(token, "1200")).status_code == 403
        assert _count(session) == 0


def _link(page: str, suffix: str) -> str:
    return next(part.split('"')[0] for part in page.split('href="') if part.split('"')[0].endswith(suffix))

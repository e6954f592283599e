"""The console dashboard: counts that link to the lists, due items first, charts with their tables."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.security.rules import Role
from tests.e2e.web.console_login import csrf_of, sign_in
from tests.factories.dsr import create_case
from tests.factories.inquiries import PASSWORD, create_staff


class TestDashboard:
    def test_an_officer_sees_what_is_overdue_and_the_weeks_figures(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        late = create_case(session, settings, received_at=datetime.now(UTC) - timedelta(days=30))
        create_case(session, settings)
        sign_in(client, session, "mori", Role.PRIVACY_OFFICER)
        page = client.get("/console/?lang=en")
        assert page.status_code == 200
        assert re.search(r'id="count-overdue">1<', page.text)
        assert 'href="/console/requests?due=overdue"' in page.text
        assert page.text.index(late.reference) < page.text.index("Inquiries due first")
        table = page.text[page.text.index('id="table-requests"') :]
        received = [
            int(n) for n in re.findall(r'<td class="num">(\d+)</td><td class="num">\d+</td><td', table)
        ]
        assert sum(received[:12]) == 2  # both cases were received within the 12 weeks
        assert "<svg" in page.text

    def test_an_engineer_sees_no_requests_or_inquiries(self, client: TestClient, session: Session) -> None:
        create_staff(session, "ito", Role.ENGINEER)
        token = csrf_of(client.get("/console/login").text)
        client.post("/console/login", data={"username": "ito", "password": PASSWORD, "csrf_token": token})
        page = client.get("/console/?lang=en")
        assert page.status_code == 200
        assert "Requests due first" not in page.text
        assert "Jobs that died" in page.text

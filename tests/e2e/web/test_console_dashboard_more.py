"""The dashboard's further blocks: business days left, incident clocks, inquiries by channel, incidents."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.calendar.service import calendar_from_contact_centre
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.dsr.deadlines import business_days_left
from mamori.policy.loader import load_bundle
from mamori.provisions.processors import overdue_assessments
from mamori.security.rules import Role
from tests.e2e.web.console_login import sign_in
from tests.factories.dsr import create_case
from tests.factories.incidents import create_incident
from tests.factories.inquiries import create_inquiry


def _row_cells(html: str, table_id: str) -> list[list[int]]:
    body = html[html.index(f'id="{table_id}"') :].split("</table>", 1)[0]
    return [
        [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)] for row in body.split("<tr>")[2:]
    ]


class TestBusinessDaysLeft:
    def test_counts_business_days_forward_and_late_days_back(self) -> None:
        bundle = load_bundle(DEFAULT_POLICY_DIR).bundle
        assert bundle is not None
        cal = calendar_from_contact_centre(bundle.contact_centre)
        friday = date(2026, 12, 4)
        assert business_days_left(cal, friday, friday) == 0
        assert business_days_left(cal, friday, date(2026, 12, 7)) == 1  # Monday, over the weekend
        assert business_days_left(cal, friday, date(2026, 12, 11)) == 5
        assert business_days_left(cal, date(2026, 12, 7), friday) == -1  # one business day late


class TestDashboard:
    def test_requests_show_business_days_left_in_the_dashboard_and_the_list(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        late = create_case(session, settings, received_at=datetime.now(UTC) - timedelta(days=40))
        sign_in(client, session, "mori", Role.PRIVACY_OFFICER)
        page = client.get("/console/?lang=en")
        assert "Business days left" in page.text
        row = page.text[page.text.index(late.reference) :].split("</tr>")[0]
        left = int(re.search(r'<td class="num late">(-\d+)</td>', row)[1])  # type: ignore[index]
        assert left < 0
        listed = client.get("/console/requests?lang=en")
        assert f'<td class="num late">{left}</td>' in listed.text.split(late.reference)[1].split("</tr>")[0]

    def test_inquiries_by_channel_and_complaints_by_language_with_their_tables(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        create_inquiry(session, settings, channel="email", category="complaint", language="en")
        create_inquiry(session, settings, channel="phone", category="complaint", language="ja", email=None,
                       phone="03-1234-5678")  # fmt: skip
        create_inquiry(session, settings, channel="email", category="other")
        sign_in(client, session, "kato", Role.AGENT)
        page = client.get("/console/?lang=ja")
        assert "経路別のお問い合わせ（過去12週）" in page.text
        assert page.text.count("<svg") >= 3
        channels = _row_cells(page.text, "table-channels")
        assert len(channels) == 12
        assert [sum(col) for col in zip(*channels, strict=True)] == [
            0,
            2,
            1,
            0,
        ]  # web form, e-mail, phone, letter
        complaints = _row_cells(page.text, "table-complaints")
        totals = [sum(col) for col in zip(*complaints, strict=True)]
        assert totals[:4] == [1, 1, 0, 0]  # ja, en, zh-Hans, zh-Hant
        assert totals[4:] == [0, 1, 1, 0]
        assert 'id="table-incidents"' not in page.text  # agents do not read incidents

    def test_an_officer_sees_incident_clocks_and_incidents_by_reportability(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        incident = create_incident(session, settings, persons_known=1001)  # over 1,000 persons: reportable
        sign_in(client, session, "mori", Role.PRIVACY_OFFICER)
        page = client.get("/console/?lang=en")
        clocks = page.text[page.text.index('id="incident-clocks"') :].split("</table>")[0]
        assert incident.reference in clocks
        assert int(re.search(r'id="count-clocks">(\d+)<', page.text)[1]) >= 1  # type: ignore[index]
        weeks = _row_cells(page.text, "table-incidents")
        reportable = sum(w[0] for w in weeks)
        assert reportable + sum(w[1] for w in weeks) == 1
        assert reportable == 1


class TestAssessments:
    def test_processors_never_assessed_are_due_on_the_officers_dashboard(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        create_case(session, settings)  # the policy is published
        due = overdue_assessments(session)
        sign_in(client, session, "mori", Role.PRIVACY_OFFICER)
        page = client.get("/console/?lang=en")
        assert int(re.search(r'id="count-assessments">(\d+)<', page.text)[1]) == len(due)  # type: ignore[index]
        assert due, "the default policy names processors; none has an assessment yet"
        table = page.text[page.text.index('id="assessments-due"') :].split("</table>", 1)[0]
        assert due[0].processor in table
        assert "Never" in table

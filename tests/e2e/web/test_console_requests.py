"""The requests pages of the console: list with filters and keyset paging, the case from check to letter."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.dsr.models import Case
from mamori.security.rules import Role
from tests.e2e.web.console_login import csrf_of, sign_in
from tests.factories.dsr import create_case
from tests.factories.inquiries import PASSWORD, create_staff


@pytest.fixture
def officer(client: TestClient, session: Session) -> TestClient:
    sign_in(client, session, "mori", Role.PRIVACY_OFFICER)
    return client


def _references(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/console/requests/[0-9a-f-]+">(R[0-9A-F-]+)</a>', html)


class TestList:
    def test_filters_and_pages_by_target_date_without_gaps_or_repeats(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        cases = [create_case(session, settings, language="en" if i % 2 else "ja") for i in range(7)]
        create_case(session, settings, request_type="correction")
        page = officer.get("/console/requests?request_type=disclosure&state=open")
        assert page.headers["cache-control"] == "no-store"
        assert sorted(_references(page.text)) == sorted(c.reference for c in cases)
        english = officer.get("/console/requests?language=en&lang=en")
        assert len(_references(english.text)) == 3
        assert "3 cases match" in english.text

    def test_a_page_starts_after_the_key_it_is_given(self, officer: TestClient, session: Session,
                                                     settings: Settings) -> None:  # fmt: skip
        cases = sorted(
            (create_case(session, settings) for _ in range(3)), key=lambda c: (c.target_on, str(c.id))
        )
        first = cases[0]
        page = officer.get(f"/console/requests?after={first.target_on.isoformat()}~{first.id}")
        assert _references(page.text) == [c.reference for c in cases[1:]]


class TestCase:
    def test_a_refused_move_is_explained_in_the_staff_members_language(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        page = officer.get(f"/console/requests/{case.id}?lang=ja")
        move = {"to": "closed", "reason": "done", "csrf_token": csrf_of(page.text)}
        answer = officer.post(f"/console/requests/{case.id}/transition", data=move)
        assert answer.status_code == 409
        assert "「受付」の案件は「完了」にできません。" in answer.text
        assert session.get_one(Case, case.id).state == "received"

    def test_identity_check_then_decision_moves_the_case_along(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        token = csrf_of(officer.get(f"/console/requests/{case.id}?lang=en").text)
        url = f"/console/requests/{case.id}"
        move = {"to": "identity_check", "reason": "form complete", "csrf_token": token}
        moved = officer.post(f"{url}/transition", data=move, follow_redirects=False)
        assert moved.status_code == 303
        checked = officer.post(f"{url}/identity-check", data={
            "whose": "person", "document_type": "drivers_licence", "matched": ["name", "address"],
            "outcome": "verified", "csrf_token": token}, follow_redirects=False)  # fmt: skip
        assert checked.status_code == 303, checked.text
        officer.post(
            f"{url}/transition", data={"to": "in_progress", "reason": "ID verified", "csrf_token": token}
        )
        refused = officer.post(f"{url}/decision", data={"outcome": "refused", "csrf_token": token})
        assert refused.status_code == 422
        assert "This cannot be done yet. Nothing was changed." in refused.text
        decided = officer.post(f"{url}/decision", data={"outcome": "full", "csrf_token": token},
                               follow_redirects=False)  # fmt: skip
        assert decided.status_code == 303
        page = officer.get(url)
        assert 'id="case-state">Decided<' in page.text
        assert "Preview the letter (PDF)" in page.text

    def test_a_form_without_the_token_changes_nothing(self, officer: TestClient, session: Session,
                                                       settings: Settings) -> None:  # fmt: skip
        case = create_case(session, settings)
        answer = officer.post(
            f"/console/requests/{case.id}/transition", data={"to": "identity_check", "reason": "x"}
        )
        assert answer.status_code == 403
        assert session.get_one(Case, case.id).state == "received"


def test_an_engineer_may_not_open_the_requests(client: TestClient, session: Session) -> None:
    create_staff(session, "ito", Role.ENGINEER)
    token = csrf_of(client.get("/console/login").text)
    client.post("/console/login", data={"username": "ito", "password": PASSWORD, "csrf_token": token})
    assert client.get("/console/requests").status_code == 403

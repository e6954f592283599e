"""The provision gate in the console: who would be refused and why, before anything is recorded."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.policy.models import PolicyVersion
from mamori.provisions.models import Provision, ProvisionRecord
from mamori.security.rules import Role
from tests.e2e.web.staff_client import csrf_of, sign_in
from tests.factories.consents import record_consent
from tests.factories.subjects import create_subject

BUREAU = "recipient:sample_credit_bureau"
EMAILS = ("a.sato@example.jp", "b.ito@example.jp", "c.kato@example.jp")


def _people(session: Session, settings: Settings) -> None:
    for n, email in enumerate(EMAILS):
        person = create_subject(session, settings, identifiers=[("email", email)])
        if n != 1:  # the second person never agreed to this recipient
            record_consent(session, person, scope=BUREAU)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _preview(client: TestClient) -> str:
    form = client.get("/console/provisions/new?lang=en")
    response = client.post(
        "/console/provisions/preview",
        data={
            "csrf_token": csrf_of(form.text),
            "recipient": "sample_credit_bureau",
            "basis": "consent",
            "items": ["name", "address"],
            "people": "\n".join(EMAILS),
        },
    )
    assert response.status_code == 200, response.text[-2000:]
    return response.text


class TestGateForm:
    def test_shows_the_refusal_before_anything_is_recorded_then_records(
        self, client: TestClient, session: Session, settings: Settings, published: PolicyVersion
    ) -> None:
        del published
        _people(session, settings)
        sign_in(client, session, Role.PRIVACY_OFFICER)
        page = _preview(client)
        assert 'id="would-provide">2<' in page
        assert 'id="would-refuse">1<' in page
        assert "b.ito@example.jp" in page  # the line the officer typed, next to the reason
        assert "consent" in page.lower()
        assert (_count(session, Provision), _count(session, ProvisionRecord)) == (0, 0)
        fields = {
            "csrf_token": csrf_of(page),
            "recipient": "sample_credit_bureau",
            "basis": "consent",
            "items": ["name", "address"],
            "subject_ids": _hidden(page, "subject_ids"),
        }
        done = client.post("/console/provisions", data=fields, follow_redirects=False)
        assert done.status_code == 303
        detail = client.get(done.headers["location"] + "&lang=en")
        assert "The provision was recorded." in detail.text
        assert _count(session, ProvisionRecord) == 2

    def test_an_auditor_reads_the_registers_but_cannot_use_the_gate(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        sign_in(client, session, Role.AUDITOR)
        assert client.get("/console/provisions").status_code == 200
        parties = client.get("/console/provisions/parties?lang=en")
        assert "(Sample) Credit information agency" in parties.text
        assert client.get("/console/provisions/new").status_code == 403
        token = csrf_of(client.get("/console/audit").text)
        refused = client.post(
            "/console/provisions", data={"csrf_token": token, "recipient": "x", "basis": "consent"}
        )
        assert refused.status_code == 403
        assert _count(session, Provision) == 0


def _hidden(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]+)"', page)

"""People in the console: found by e-mail (never in a URL), profile, audited reveal, withdrawal on behalf."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.consents.service import current_states, list_events
from mamori.policy.models import PolicyVersion
from mamori.security.rules import Role
from mamori.subjects.models import Subject
from tests.e2e.web.staff_client import csrf_of, sign_in
from tests.factories.consents import record_consent
from tests.factories.subjects import create_subject

EMAIL = "hanako.yamada@example.jp"
SCOPE = "purpose:customer.mailings"


def _person(session: Session, settings: Settings) -> Subject:
    person = create_subject(session, settings, identifiers=[("email", EMAIL)], name="山田 花子")
    record_consent(session, person, scope=SCOPE)
    return person


def _find(client: TestClient, value: str) -> object:
    token = csrf_of(client.get("/console/people?lang=en").text)
    return client.post(
        "/console/people/find",
        data={"csrf_token": token, "kind": "email", "value": value},
        follow_redirects=False,
    )


class TestFindAndWithdraw:
    def test_finds_by_email_and_withdraws_a_consent_on_their_behalf(
        self, client: TestClient, session: Session, settings: Settings, published: PolicyVersion
    ) -> None:
        del published
        person = _person(session, settings)
        username = sign_in(client, session, Role.PRIVACY_OFFICER)
        found = _find(client, "Hanako.Yamada@example.jp ")
        assert found.status_code == 303  # type: ignore[attr-defined]
        location = found.headers["location"]  # type: ignore[attr-defined]
        assert location == f"/console/people/{person.id}"
        profile = client.get(location + "?lang=en")
        assert SCOPE in profile.text
        assert EMAIL not in profile.text  # nothing decrypted without a purpose
        assert "山田" not in profile.text
        withdrawn = client.post(
            f"/console/people/{person.id}/withdraw",
            follow_redirects=False,
            data={"csrf_token": csrf_of(profile.text), "scope": SCOPE, "channel": "phone"},
        )
        assert withdrawn.status_code == 303
        assert current_states(session, person.id)[SCOPE].action == "withdrawn"
        last = list_events(session, person.id)[-1]
        assert (last.channel, last.collected_by) == ("phone", f"user:{username}")
        after = client.get(withdrawn.headers["location"] + "&lang=en")
        assert "The consent was withdrawn on the person's behalf." in after.text

    def test_nobody_found_is_said_and_the_address_stays_out_of_the_audit(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        sign_in(client, session, Role.PRIVACY_OFFICER)
        response = _find(client, "nobody@example.jp")
        assert response.status_code == 404  # type: ignore[attr-defined]
        assert "Nobody has this identifier." in response.text  # type: ignore[attr-defined]
        assert not any("nobody@example.jp" in e.details for e in session.scalars(select(AuditEvent)))


class TestReveal:
    def test_reveal_needs_a_purpose_and_is_audited(
        self, client: TestClient, session: Session, settings: Settings, published: PolicyVersion
    ) -> None:
        del published
        person = _person(session, settings)
        sign_in(client, session, Role.PRIVACY_OFFICER)
        profile = client.get(f"/console/people/{person.id}?lang=en")
        shown = client.post(
            f"/console/people/{person.id}/reveal",
            data={"csrf_token": csrf_of(profile.text), "purpose": "customer.sales"},
        )
        assert shown.status_code == 200
        assert "山田 花子" in shown.text
        assert EMAIL in shown.text
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "subject.read")
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).one()
        assert event.target_id == str(person.id)
        assert json.loads(event.details)["purpose"] == "customer.sales"
        assert EMAIL not in event.details

    def test_an_auditor_cannot_withdraw(
        self, client: TestClient, session: Session, settings: Settings, published: PolicyVersion
    ) -> None:
        del published
        person = _person(session, settings)
        sign_in(client, session, Role.AUDITOR)
        token = csrf_of(client.get("/console/audit").text)
        refused = client.post(
            f"/console/people/{person.id}/withdraw",
            data={"csrf_token": token, "scope": SCOPE, "channel": "phone"},
        )
        assert refused.status_code == 403
        assert current_states(session, person.id)[SCOPE].action == "given"

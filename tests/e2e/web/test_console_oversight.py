"""Oversight in the console: the audit log's filters and verification, jobs, users and API tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.audit.service import EventInput, record_events
from mamori.config import Settings
from mamori.db.queue import JobState
from mamori.db.queue_models import Job
from mamori.policy.models import PolicyVersion
from mamori.security.models import ApiToken, StaffUser
from mamori.security.rules import Role
from mamori.security.second_factor import enrolled
from tests.e2e.web.clients import client_on
from tests.e2e.web.staff_client import csrf_of, sign_in
from tests.factories.inquiries import PASSWORD, create_staff


class TestAuditLog:
    def test_filters_and_verifies_with_the_anchor(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        record_events(
            session, actor="user:sato", events=[EventInput("consent.withdrawn", "subject", "s-1", {})]
        )
        sign_in(client, session, Role.AUDITOR)
        page = client.get("/console/audit?lang=en&actor=user:sato")
        assert page.status_code == 200
        assert "consent.withdrawn" in page.text
        assert "policy.published" not in page.text
        verified = client.post("/console/audit/verify?lang=en", data={"csrf_token": csrf_of(page.text)})
        assert "The log is intact." in verified.text
        assert "mamori-audit-anchor/1" in verified.text
        anchor = client.get("/console/audit/anchor.json").content
        again = client.post(
            "/console/audit/verify?lang=en",
            data={"csrf_token": csrf_of(page.text)},
            files={"anchor": ("anchor.json", anchor, "application/json")},
        )
        assert "The log still holds everything the anchor records." in again.text

    def test_a_bad_day_is_refused_with_its_field(self, client: TestClient, session: Session) -> None:
        sign_in(client, session, Role.AUDITOR)
        assert client.get("/console/audit?since=2026-12-08&until=2026-12-01").status_code == 422


class TestJobs:
    def test_a_dead_job_is_retried_and_an_auditor_cannot(self, client: TestClient, session: Session) -> None:
        job = Job(
            kind="testing.fail",
            payload={},
            state=JobState.DEAD,
            attempts=5,
            last_error="boom",
            run_after=datetime.now(UTC),
        )
        session.add(job)
        session.flush()
        sign_in(client, session, Role.AUDITOR, "auditor1")
        page = client.get("/console/jobs?state=dead")
        assert "testing.fail" in page.text
        assert f"/console/jobs/{job.id}/retry" not in page.text
        assert (
            client.post(f"/console/jobs/{job.id}/retry", data={"csrf_token": csrf_of(page.text)}).status_code
            == 403
        )
        sign_in(client, session, Role.ADMIN, "admin1")
        page = client.get("/console/jobs?state=dead")
        done = client.post(f"/console/jobs/{job.id}/retry", data={"csrf_token": csrf_of(page.text)})
        assert done.status_code == 200
        session.refresh(job)
        assert job.state == JobState.PENDING


class TestUsers:
    def test_disabling_a_user_ends_their_open_session(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        with client_on(session, settings) as other:
            victim = sign_in(other, session, Role.AGENT, "agent9")
            assert other.get("/console/", follow_redirects=False).status_code == 200
            sign_in(client, session, Role.ADMIN, "admin1")
            page = client.get("/console/users?lang=en")
            done = client.post(
                f"/console/users/{victim}/active", data={"csrf_token": csrf_of(page.text), "active": "false"}
            )
            assert "The user was disabled" in done.text
            assert other.get("/console/", follow_redirects=False).status_code == 303
        user = session.scalars(select(StaffUser).where(StaffUser.username == victim)).one()
        assert not user.active

    def test_resetting_an_authenticator_asks_the_user_to_enrol_again(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        with client_on(session, settings) as other:
            victim = sign_in(other, session, Role.AGENT, "agent8")
            sign_in(client, session, Role.ADMIN, "admin1")
            page = client.get("/console/users?lang=en")
            assert f"Reset the authenticator of {victim}" in page.text
            done = client.post(
                f"/console/users/{victim}/second-factor", data={"csrf_token": csrf_of(page.text)}
            )
            assert "The authenticator was reset" in done.text
            assert f"Reset the authenticator of {victim}" not in done.text
            assert other.get("/console/", follow_redirects=False).status_code == 303
            token = csrf_of(other.get("/console/login").text)
            answer = other.post(
                "/console/login",
                data={"username": victim, "password": PASSWORD, "csrf_token": token},
                follow_redirects=False,
            )
            assert answer.headers["location"].startswith("/console/login/enrol")
        user = session.scalars(select(StaffUser).where(StaffUser.username == victim)).one()
        assert not enrolled(session, user)
        assert session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "user.second_factor_reset", AuditEvent.target_id == str(user.id)
            )
        ).one()

    def test_a_token_secret_is_shown_once(self, client: TestClient, session: Session) -> None:
        create_staff(session, "engineer1", role=Role.ENGINEER)
        sign_in(client, session, Role.ADMIN, "admin1")
        page = client.get("/console/users?lang=en")
        issued = client.post(
            "/console/tokens",
            data={
                "csrf_token": csrf_of(page.text),
                "username": "engineer1",
                "name": "shop sync",
                "days": "30",
            },
        )
        token = session.scalars(select(ApiToken).where(ApiToken.name == "shop sync")).one()
        secret = issued.text.split('id="token-secret">')[1].split("<")[0]
        assert secret.startswith(token.prefix)
        assert secret not in client.get("/console/users").text
        revoked = client.post(f"/console/tokens/{token.id}/revoke", data={"csrf_token": csrf_of(page.text)})
        assert "The token was revoked." in revoked.text
        session.refresh(token)
        assert token.revoked_at is not None

    def test_only_an_admin_opens_users(self, client: TestClient, session: Session) -> None:
        sign_in(client, session, Role.PRIVACY_OFFICER)
        assert client.get("/console/users").status_code == 403

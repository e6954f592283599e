"""Processors in the console: an assessment recorded (the next one due shown, overdue marked) and a
sub-processor approved by a privacy officer with evidence; both audited by the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.consents.decisions.rules import tokyo_date
from mamori.db.base import utcnow
from mamori.policy import service as policy
from mamori.policy.models import PolicyVersion
from mamori.policy.service import TOKYO
from mamori.provisions import subprocessors
from mamori.provisions.subprocessors import SubProcessorInput
from mamori.security.rules import Role
from tests.conftest import DEFAULT_POLICY_DIR
from tests.e2e.web.staff_client import csrf_of, sign_in
from tests.integration.policy.test_revisions import joint_purposes_changed

HOUSE, DUTY = "sample_mailing_house", "promotional_printing"


class TestProcessors:
    def test_an_assessment_is_recorded_and_a_sub_processor_approved(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        officer = sign_in(client, session, Role.PRIVACY_OFFICER)
        page = client.get(f"/console/processors/{HOUSE}?lang=en")
        assert page.status_code == 200, page.text
        assert "now (never assessed)" in page.text
        assert '<span class="badge badge--bad">overdue</span>' in page.text
        today = tokyo_date(utcnow()).isoformat()
        form = {"csrf_token": csrf_of(page.text), "kind": "periodic", "result": "pass", "assessed_on": today,
                "evidence_ref": "audits/2026/house.pdf"}  # fmt: skip
        done = client.post(f"/console/processors/{HOUSE}/assessments?lang=en", data=form)
        assert "The assessment was recorded." in done.text
        assert "audits/2026/house.pdf" in done.text
        assert '<span class="badge badge--ok">up to date</span>' in done.text
        assert "now (never assessed)" not in done.text
        sub = subprocessors.register_sub_processor(
            session, actor="t", processor=HOUSE, data=SubProcessorInput("Print Sub Ltd.", "JP", [DUTY])
        )
        listed = client.get(f"/console/processors/{HOUSE}?lang=en")
        assert "Approve Print Sub Ltd." in listed.text
        approved = client.post(
            f"/console/processors/{HOUSE}/sub-processors/{sub.id}/approve?lang=en",
            data={
                "csrf_token": csrf_of(listed.text),
                "decided_by": officer,
                "evidence_ref": "contracts/sub-1",
            },
        )
        assert "The sub-processor was approved." in approved.text
        session.refresh(sub)
        assert (sub.status, sub.decided_by) == ("approved", officer)
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == HOUSE)))
        assert {"processor.assessed", "sub_processor.approved"} <= actions

    def test_a_future_day_is_refused_with_its_field(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        sign_in(client, session, Role.PRIVACY_OFFICER)
        page = client.get(f"/console/processors/{HOUSE}?lang=en")
        refused = client.post(
            f"/console/processors/{HOUSE}/assessments?lang=en",
            data={
                "csrf_token": csrf_of(page.text),
                "kind": "periodic",
                "result": "pass",
                "assessed_on": "2999-01-01",
                "evidence_ref": "x",
            },
        )
        assert "Nothing was changed:" in refused.text
        assert "assessed_on: is in the future" in refused.text

    def test_an_auditor_reads_but_cannot_record(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        sign_in(client, session, Role.AUDITOR)
        page = client.get(f"/console/processors/{HOUSE}?lang=en")
        assert page.status_code == 200
        assert "/assessments" not in page.text
        refused = client.post(
            f"/console/processors/{HOUSE}/assessments",
            data={
                "csrf_token": csrf_of(page.text),
                "kind": "periodic",
                "result": "pass",
                "assessed_on": "2026-01-01",
                "evidence_ref": "x",
            },
        )
        assert refused.status_code == 403


class TestJointUseChanges:
    def test_the_registers_show_each_joint_use_change_with_its_class_and_notice(
        self, client: TestClient, session: Session, tmp_path: Path
    ) -> None:
        day = datetime.now(TOKYO).date()
        policy.publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR, effective_date=day)
        sign_in(client, session, Role.PRIVACY_OFFICER)
        single = client.get("/console/provisions/parties?lang=en")
        assert "The latest version changed nothing in the joint use." in single.text
        policy.publish_bundle(
            session, actor="t", directory=joint_purposes_changed(tmp_path, "j"),
            effective_date=day + timedelta(days=30),
        )  # fmt: skip
        page = client.get("/console/provisions/parties?lang=en")
        assert 'data-class="advance_notice"' in page.text
        assert "before the change takes effect" in page.text
        assert "/console/policy/diff?old=1&amp;new=2" in page.text

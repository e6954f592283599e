"""Audiences in the console: counted on the page, downloaded as CSV or JSON lines, the download audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.policy.models import PolicyVersion
from mamori.security.rules import Role
from tests.e2e.web.staff_client import csrf_of, sign_in
from tests.factories.consents import record_consent
from tests.factories.decisions import create_subject

AGO = datetime.now(UTC) - timedelta(days=30)


def _people(session: Session, settings: Settings) -> list[str]:
    """Three customers with an e-mail; two agreed to mailings (one in China), one did not."""
    ids = []
    for n, (jurisdiction, agreed) in enumerate((("JP", True), ("CN", True), ("JP", False))):
        person = create_subject(
            session, settings, categories={"customers": AGO}, identifiers=[("email", f"a{n}@example.jp")],
            jurisdiction=jurisdiction,
        )  # fmt: skip
        if agreed:
            record_consent(session, person, scope="purpose:customer.mailings")
        ids.append(str(person.id))
    return ids


class TestAudiences:
    def test_counted_then_downloaded_in_both_formats_and_audited(
        self, client: TestClient, session: Session, settings: Settings, published: PolicyVersion
    ) -> None:
        del published
        ids = _people(session, settings)
        sign_in(client, session, Role.PRIVACY_OFFICER)
        page = client.get("/console/audiences?lang=en")
        form = {"csrf_token": csrf_of(page.text), "purpose": "customer.mailings", "channel": "email"}
        counted = client.post("/console/audiences?lang=en", data=form | {"action": "count"})
        assert '<strong id="audience-count">2</strong>' in counted.text
        only_cn = client.post(
            "/console/audiences?lang=en", data=form | {"action": "count", "jurisdiction": "CN"}
        )
        assert '<strong id="audience-count">1</strong>' in only_cn.text
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "audience.read")).all()
        as_csv = client.post("/console/audiences", data=form | {"action": "csv"})
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert "attachment" in as_csv.headers["content-disposition"]
        lines = as_csv.text.splitlines()
        assert lines[0] == "subject_id,language,jurisdiction"
        assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(ids[:2])
        as_jsonl = client.post("/console/audiences", data=form | {"action": "jsonl"})
        assert sorted(json.loads(line)["subject_id"] for line in as_jsonl.text.splitlines()) == sorted(
            ids[:2]
        )
        assert "example.jp" not in as_csv.text + as_jsonl.text  # no identifier leaves
        reads = session.scalars(select(AuditEvent).where(AuditEvent.action == "audience.read")).all()
        assert len(reads) == 2
        assert reads[0].target_id == "customer.mailings"

    def test_an_unknown_purpose_is_refused_and_nothing_audited(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        sign_in(client, session, Role.PRIVACY_OFFICER)
        page = client.get("/console/audiences?lang=en")
        refused = client.post(
            "/console/audiences?lang=en",
            data={"csrf_token": csrf_of(page.text), "purpose": "customer.nope", "action": "csv"},
        )
        assert refused.status_code == 422
        assert "purpose: unknown purpose" in refused.text
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "audience.read")).all()

    def test_an_agent_cannot_build_audiences(self, client: TestClient, session: Session) -> None:
        sign_in(client, session, Role.AGENT)
        assert client.get("/console/audiences").status_code == 403

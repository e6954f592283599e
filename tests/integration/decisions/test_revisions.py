"""Consent scoped to what was shown: decisions after a revision widens a purpose (APPI Art. 17, 18)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.consents.decisions import facts
from mamori.consents.decisions.audiences import AudienceRequest, stream_audience
from mamori.consents.decisions.service import check
from mamori.consents.service import record_consent
from mamori.errors import Tampered
from mamori.policy import service as policy
from mamori.policy.models import PolicyVersion
from mamori.policy.service import TOKYO
from mamori.subjects.models import Subject
from tests.bundles import copy_default_bundle, edit
from tests.factories.decisions import create_consent, create_subject, publish_policy

NOW = datetime.now(UTC)
JUSTIFICATION = """
change_justifications:
  - purpose: {purpose}
    kind: {kind}
    text:
      ja: 変更の理由
      en: "Why the change is made"
      zh-Hans: 变更理由
      zh-Hant: 變更理由
"""
MAILINGS = "sns_account, member_number, purchase_history]\n        consent_required: true\n"
SALES = "purchase_history, payment_info]\n        consent_required: false\n        retention: P5Y\n"


def revise(session: Session, tmp_path: Path, purpose: str, kind: str) -> None:
    """Publish, effective today, the default bundle with ``purpose`` widened and justified as ``kind``."""
    bundle = copy_default_bundle(tmp_path)
    if purpose == "customer.mailings":
        edit(bundle, "purposes.yaml", MAILINGS, MAILINGS.replace("]", ", payment_info]"))
    else:
        edit(bundle, "purposes.yaml", SALES, SALES.replace("payment_info]", "payment_info, sns_account]"))
    with (bundle / "bundle.yaml").open("a", encoding="utf-8") as handle:
        handle.write(JUSTIFICATION.format(purpose=purpose, kind=kind))
    policy.publish_bundle(session, actor="t", directory=bundle, effective_date=datetime.now(TOKYO).date())


def customer(session: Session, settings: Settings, *, days_ago: int) -> Subject:
    return create_subject(session, settings, categories={"customers": NOW - timedelta(days=days_ago)})


def consent(session: Session, subject: Subject, purpose: str) -> None:
    record_consent(
        session,
        actor="t",
        subject_id=subject.id,
        scope=f"purpose:{purpose}",
        action="given",
        language="en",
        channel="web",
    )


def decide(session: Session, settings: Settings, subject: Subject, purpose: str) -> dict[str, Any]:
    return check(
        session, settings, actor="t", subject=subject.id, purpose_id=purpose, items=["email"], lang="en"
    )


def codes(result: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in result["reasons"]]


class TestConsentBasedPurposeWidened:
    def test_old_consent_refused_until_the_person_consents_again(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        publish_policy(session)
        person = customer(session, settings, days_ago=30)
        consent(session, person, "customer.mailings")
        assert decide(session, settings, person, "customer.mailings")["allowed"] is True
        revise(session, tmp_path, "customer.mailings", "needs_consent")
        refused = decide(session, settings, person, "customer.mailings")
        assert refused["allowed"] is False
        [reason] = refused["reasons"]
        assert reason["code"] == "consent_predates_change"
        assert reason["details"] == {"scope": "purpose:customer.mailings", "version": 2}
        assert "version 2" in reason["message"]
        consent(session, person, "customer.mailings")  # given again, under version 2
        assert decide(session, settings, person, "customer.mailings")["allowed"] is True

    def test_a_related_change_is_not_covered_by_an_old_consent_either(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        publish_policy(session)
        person = customer(session, settings, days_ago=30)
        consent(session, person, "customer.mailings")
        revise(session, tmp_path, "customer.mailings", "reasonably_related")
        assert codes(decide(session, settings, person, "customer.mailings")) == ["consent_predates_change"]

    def test_other_purposes_keep_their_consents(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        publish_policy(session)
        person = customer(session, settings, days_ago=30)
        consent(session, person, "customer.group_promotions")
        revise(session, tmp_path, "customer.mailings", "needs_consent")
        assert decide(session, settings, person, "customer.group_promotions")["allowed"] is True


class TestPurposeWithoutConsentChanged:
    def test_data_collected_before_an_unrelated_change_needs_consent(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        publish_policy(session)
        before = customer(session, settings, days_ago=30)
        revise(session, tmp_path, "customer.sales", "needs_consent")
        after = customer(session, settings, days_ago=0)
        refused = decide(session, settings, before, "customer.sales")
        assert codes(refused) == ["collected_before_change"]
        assert refused["reasons"][0]["details"]["version"] == 2
        assert decide(session, settings, after, "customer.sales")["allowed"] is True
        consent(session, before, "customer.sales")
        assert decide(session, settings, before, "customer.sales")["allowed"] is True

    def test_a_related_change_applies_to_data_collected_before(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        publish_policy(session)
        before = customer(session, settings, days_ago=30)
        revise(session, tmp_path, "customer.sales", "reasonably_related")
        assert decide(session, settings, before, "customer.sales")["allowed"] is True

    def test_a_decision_before_the_change_took_effect_reads_the_old_version(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        publish_policy(session)
        before = customer(session, settings, days_ago=30)
        revise(session, tmp_path, "customer.sales", "needs_consent")
        earlier = NOW - timedelta(days=2)
        result = check(
            session,
            settings,
            actor="t",
            subject=before.id,
            purpose_id="customer.sales",
            items=["email"],
            at=earlier,
        )
        assert result["allowed"] is True
        assert result["policy_version"] == 1


class TestAudiencesAgreeWithDecisions:
    """The campaign audience (set-wise SQL) leaves out exactly those the decisions refuse."""

    def test_consent_based_purpose(self, session: Session, settings: Settings, tmp_path: Path) -> None:
        publish_policy(session)
        old, again, survivor = (customer(session, settings, days_ago=30) for _ in range(3))
        for person in (old, again, survivor):
            consent(session, person, "customer.mailings")
        member = create_subject(session, settings, merged_into=survivor)
        revise(session, tmp_path, "customer.mailings", "needs_consent")
        consent(session, again, "customer.mailings")
        create_consent(session, member, "purpose:customer.mailings", occurred_at=datetime.now(UTC))
        self.assert_agree(
            session, settings, "customer.mailings", {again.id, survivor.id}, [old, again, survivor]
        )

    def test_purpose_without_consent(self, session: Session, settings: Settings, tmp_path: Path) -> None:
        publish_policy(session)
        before, consented = customer(session, settings, days_ago=30), customer(session, settings, days_ago=30)
        grouped = customer(session, settings, days_ago=30)
        create_subject(session, settings, merged_into=grouped, categories={"customers": NOW})
        revise(session, tmp_path, "customer.sales", "needs_consent")
        after = customer(session, settings, days_ago=0)
        consent(session, consented, "customer.sales")
        expected = {consented.id, after.id, grouped.id}
        self.assert_agree(session, settings, "customer.sales", expected, [before, consented, grouped, after])

    @staticmethod
    def assert_agree(
        session: Session, settings: Settings, purpose: str, expected: set[uuid.UUID], people: list[Subject]
    ) -> None:
        members = {m.subject_id for m in stream_audience(session, AudienceRequest(purpose))}
        assert members == expected
        allowed = {
            p.id
            for p in people
            if check(session, settings, actor="t", subject=p.id, purpose_id=purpose)["allowed"]
        }
        assert allowed == expected


class TestIntegrity:
    def test_an_earlier_version_changed_in_the_database_stops_decisions(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        """The history the consent scoping reads is checked against each version's hash."""
        publish_policy(session)
        person = customer(session, settings, days_ago=30)
        revise(session, tmp_path, "customer.sales", "reasonably_related")
        content = session.scalar(select(PolicyVersion.content).where(PolicyVersion.number == 1))
        assert content is not None
        content = {**content, "contact_centre": {**content["contact_centre"], "closes": "23:59"}}
        session.execute(update(PolicyVersion).where(PolicyVersion.number == 1).values(content=content))
        session.expunge_all()
        facts._POLICIES.clear()  # a new process: nothing of the versions in memory
        policy._rows.clear()
        with pytest.raises(Tampered, match="policy version 1"):
            decide(session, settings, person, "customer.sales")

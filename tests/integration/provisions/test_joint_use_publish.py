"""Publishing a version that changes joint use: the three classes, advance notice enforced, and
consent asked at the gate of people whose data came in under narrower terms."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.errors import ValidationFailed
from mamori.policy.service import TOKYO, latest_version, publish_bundle
from mamori.provisions.messages import reason_dict
from tests.bundles import copy_default_bundle, edit
from tests.factories.consents import create_plain_subject, record_consent
from tests.factories.provisions import make_provision

PURPOSES_EN = '    en: "The purposes you agreed to when the data was collected'


@pytest.fixture
def changed_purposes(session: Session, tmp_path: Path) -> Path:
    publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
    bundle = copy_default_bundle(tmp_path)
    edit(
        bundle,
        "joint_use.yaml",
        PURPOSES_EN,
        '    en: "Group statistics, and the purposes you agreed to when the data was collected',
    )
    return bundle


def _today() -> datetime:
    return datetime.now(TOKYO)


class TestPublishJointUseChanges:
    def test_new_purposes_with_todays_date_are_refused(
        self, session: Session, changed_purposes: Path
    ) -> None:
        before = latest_version(session)
        with pytest.raises(ValidationFailed) as caught:
            publish_bundle(session, actor="t", directory=changed_purposes)
        assert caught.value.details["errors"][0]["field"] == "effective_date"
        assert latest_version(session) is before

    def test_new_purposes_with_a_past_date_are_refused(
        self, session: Session, changed_purposes: Path
    ) -> None:
        with pytest.raises(ValidationFailed, match="in advance"):
            publish_bundle(
                session,
                actor="t",
                directory=changed_purposes,
                effective_date=_today().date() - timedelta(days=3),
            )

    def test_new_purposes_announced_in_advance_are_published(
        self, session: Session, changed_purposes: Path
    ) -> None:
        version = publish_bundle(
            session,
            actor="t",
            directory=changed_purposes,
            effective_date=_today().date() + timedelta(days=30),
        )
        audit = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert json.loads(audit.details)["joint_use"] == ["advance_notice"]
        assert version.number == 2

    def test_responsible_address_change_is_published_now(self, session: Session, tmp_path: Path) -> None:
        publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "joint_use.yaml", "葛が谷6番56号\n      en", "葛が谷6番57号\n      en")
        publish_bundle(session, actor="t", directory=bundle)
        audit = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert json.loads(audit.details)["joint_use"] == ["notify_without_delay"]


NEW_COMPANY = """    - id: valic
      name:
        ja: 株式会社ヴァリック
        en: "VALIC Co., Ltd."
        zh-Hans: VALIC株式会社
        zh-Hant: VALIC株式會社
      country: JP
    - id: sample_new_group_co
      name:
        ja: （サンプル）新グループ会社
        en: "(Sample) New group company"
        zh-Hans: （示例）新集团公司
        zh-Hant: （範例）新集團公司
      country: JP
"""


@pytest.fixture
def wider(session: Session, tmp_path: Path) -> Path:
    """The default bundle with one more joint-use item and one more joint user."""
    bundle = copy_default_bundle(tmp_path)
    edit(
        bundle, "joint_use.yaml", "email, transaction_history]", "email, transaction_history, member_number]"
    )
    text = (bundle / "joint_use.yaml").read_text(encoding="utf-8")
    start = text.index("    - id: valic")
    end = text.index("  items:")
    (bundle / "joint_use.yaml").write_text(text[:start] + NEW_COMPANY + text[end:], encoding="utf-8")
    return bundle


class TestNewItemsOrUsersNeedConsent:
    def test_published_at_once_and_classified_needs_consent(self, session: Session, wider: Path) -> None:
        publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
        version = publish_bundle(session, actor="t", directory=wider)
        audit = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert json.loads(audit.details)["joint_use"] == ["needs_consent"]
        assert version.effective_date == _today().date()

    def test_people_whose_data_came_in_before_are_asked_the_others_are_not(
        self, session: Session, settings: Settings, wider: Path
    ) -> None:
        publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
        before = create_plain_subject(session)
        publish_bundle(session, actor="t", directory=wider)
        after = create_plain_subject(session)
        outcome = make_provision(
            session, settings, [before.id, after.id], recipient="aoki", basis="joint_use",
            items=["name", "member_number"],
        )  # fmt: skip
        assert outcome.provided == [after.id]
        [refusal] = outcome.refused
        assert refusal.subject_id == before.id
        [reason] = refusal.reasons
        assert (reason.code, reason.details["beyond"]) == (
            "joint_use_consent_missing",
            ["item:member_number"],
        )
        assert "item:member_number" in reason_dict(reason, "ja")["message"]
        old_terms = make_provision(session, settings, [before.id], recipient="aoki", basis="joint_use")
        assert old_terms.provided == [before.id]
        new_user = make_provision(
            session, settings, [before.id], recipient="sample_new_group_co", basis="joint_use", items=["name"]
        )
        assert new_user.refused[0].reasons[0].details["beyond"] == ["joint_user:sample_new_group_co"]
        record_consent(session, before, scope="sharing")
        asked = make_provision(
            session, settings, [before.id], recipient="sample_new_group_co", basis="joint_use",
            items=["name", "member_number"],
        )  # fmt: skip
        assert asked.provided == [before.id]

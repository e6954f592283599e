"""Publishing a version that changes joint use: advance notice is enforced, classes are audited."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import DEFAULT_POLICY_DIR
from mamori.errors import ValidationFailed
from mamori.policy.service import TOKYO, latest_version, publish_bundle
from tests.bundles import copy_default_bundle, edit

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
